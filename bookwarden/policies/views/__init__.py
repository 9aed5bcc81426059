"""Pages of the policy library (IT-1, IT-11, LV-8, CC-4, CC-11, CC-12, CC-6), by feature:
:mod:`.library` the policies, versions, reviews and signing; :mod:`.notice` the monitoring
notice; :mod:`.staff` human resources' view and the signed acknowledgements."""

from .library import (
    policy_create,
    policy_detail,
    policy_list,
    review,
    sign,
    version_create,
    version_detail,
    version_document,
)
from .notice import notice
from .staff import acknowledgement, acknowledgement_download, overview, overview_export

__all__ = [
    "acknowledgement",
    "acknowledgement_download",
    "notice",
    "overview",
    "overview_export",
    "policy_create",
    "policy_detail",
    "policy_list",
    "review",
    "sign",
    "version_create",
    "version_detail",
    "version_document",
]
