from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bookwarden.core"
    label = "core"
    verbose_name = "Libraries and staff"

    def ready(self) -> None:
        from . import my_tasks, signals  # noqa: F401  (audit receivers; task providers)
