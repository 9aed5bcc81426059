from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "bookwarden.mail"
    label = "mail"
    verbose_name = "Outgoing mail"

    def ready(self) -> None:
        # The outbox page is linked from the Jobs page (no menu entry of its own).
        from . import my_tasks  # noqa: F401  (registers the "My tasks" provider)
