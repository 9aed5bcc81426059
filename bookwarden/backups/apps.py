from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "bookwarden.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" provider)

        register(NavItem("Backups", "backups:list", perm=Perm.VIEW_JOBS, order=86))
