from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "bookwarden.compliance"
    label = "compliance"
    verbose_name = "Compliance controls and their evidence"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import checks, my_tasks  # noqa: F401  (the checks and the "My tasks" provider)

        register(NavItem("Compliance", "compliance:home", perm=Perm.VIEW_COMPLIANCE, order=75))
