from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "bookwarden.reports"
    label = "reports"
    verbose_name = "The compliance dashboard and reports"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        register(NavItem("Reports", "reports:dashboard", perm=Perm.VIEW_COMPLIANCE, order=76))
