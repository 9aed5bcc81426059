from django.apps import AppConfig


class BreachConfig(AppConfig):
    name = "bookwarden.breach"
    label = "breach"
    verbose_name = "Breaches of patron information"

    def ready(self) -> None:
        # No menu entry of its own: breaches are reached from the operations log's
        # incidents and from "My tasks".
        from . import my_tasks  # noqa: F401  (registers the "My tasks" provider)
