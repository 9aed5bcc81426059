from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bookwarden.core"
    label = "core"
    verbose_name = "Libraries and staff"

    def ready(self) -> None:
        from . import signals, tasks  # noqa: F401  (audit receivers; task providers)
