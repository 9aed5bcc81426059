"""The compliance pages (CC-8): the controls of a library grouped by status, a control with
its evidence and history, marking one not applicable, the library's own controls and the
ALA checklists.  Reading needs Perm.VIEW_COMPLIANCE, writing Perm.MANAGE_COMPLIANCE; another
library's page is 404."""

from .controls import control_list, home

__all__ = ["control_list", "home"]
