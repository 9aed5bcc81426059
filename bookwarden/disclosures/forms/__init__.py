"""Forms of the disclosure workflow, by feature: the intake of a request (``intake``), the
steps before a release, the decision and closure (``steps``), the library's policy
(``policy``) and open-records requests (``open_records``)."""

from .intake import IntakeForm, PatronScopeForm
from .open_records import OpenRecordsForm
from .policy import PolicyRuleForm, PubliclyFundedForm
from .steps import (
    CloseForm,
    CounselForm,
    DecisionForm,
    DocumentForm,
    IdentityForm,
    InstrumentForm,
    OverrideForm,
)

__all__ = [
    "CloseForm",
    "CounselForm",
    "DecisionForm",
    "DocumentForm",
    "IdentityForm",
    "InstrumentForm",
    "IntakeForm",
    "OpenRecordsForm",
    "OverrideForm",
    "PatronScopeForm",
    "PolicyRuleForm",
    "PubliclyFundedForm",
]
