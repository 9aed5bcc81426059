from django.apps import AppConfig
from django.utils.translation import gettext_noop


class OperationsConfig(AppConfig):
    name = "bookwarden.operations"
    label = "operations"
    verbose_name = "Security operations log"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" providers)

        register(
            NavItem(
                gettext_noop("Operations"), "operations:list", perm=Perm.VIEW_OPERATIONS, order=40
            )
        )
