from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "bookwarden.enforcement"
    label = "enforcement"
    verbose_name = "Enforcement steps, suspensions and restrictions"

    def ready(self) -> None:
        from . import my_tasks  # noqa: F401  (registers the "My tasks" providers)
