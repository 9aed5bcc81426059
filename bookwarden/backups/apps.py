from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "bookwarden.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" provider)

        register_link(
            HubLink(
                IT,
                "Backups",
                "backups:list",
                "Whether the nightly encrypted backups run, and the last restore drill.",
                perm=Perm.VIEW_JOBS,
                order=60,
            )
        )
