from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "bookwarden.credentials"
    label = "credentials"
    verbose_name = "Shared logins and their rotation"

    def ready(self) -> None:
        from bookwarden.operations.hooks import on_outside_access

        from . import duties, my_tasks  # noqa: F401  (duty and "My tasks" providers)
        from .actions import mark_due_after_outside_access

        # IT-4: an outside party's access recorded in the operations log marks at once the
        # shared logins it names (the job catches any it missed).  No menu entry of its own:
        # the IT pages link to ``credentials:list``.
        on_outside_access(mark_due_after_outside_access)
