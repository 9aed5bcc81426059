"""The compliance pages (CC-8): the controls of a library grouped by status, a control with
its evidence and history, marking one not applicable, the library's own controls and the
ALA checklists.  Reading needs Perm.VIEW_COMPLIANCE, writing Perm.MANAGE_COMPLIANCE; another
library's page is 404."""

from .catalog import checklists, own_controls
from .controls import answer, applicable, control_detail, control_list, home, not_applicable

__all__ = [
    "answer",
    "applicable",
    "checklists",
    "control_detail",
    "control_list",
    "home",
    "not_applicable",
    "own_controls",
]
