from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "bookwarden.credentials"
    label = "credentials"
    verbose_name = "Shared logins and their rotation"

    def ready(self) -> None:
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm
        from bookwarden.operations.hooks import on_outside_access

        from . import duties, my_tasks  # noqa: F401  (duty and "My tasks" providers)
        from .actions import mark_due_after_outside_access

        # IT-4: an outside party's access recorded in the operations log marks at once the
        # shared logins it names (the job catches any it missed).
        on_outside_access(mark_due_after_outside_access)
        register_link(
            HubLink(
                IT,
                "Shared logins",
                "credentials:list",
                "The passwords of servers, routers, firewalls and accounts: who holds each, "
                "where it is kept, and when it must change.",
                perm=Perm.VIEW_IT_INVENTORY,
                order=20,
            )
        )
