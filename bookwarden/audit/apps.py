from django.apps import AppConfig
from django.utils.translation import gettext_noop


class AuditConfig(AppConfig):
    name = "bookwarden.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        register(NavItem(gettext_noop("Audit log"), "audit:list", Perm.VIEW_AUDIT, order=80))
