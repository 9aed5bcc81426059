from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "bookwarden.devices"
    label = "devices"
    verbose_name = "Devices and public computers"

    def ready(self) -> None:
        # No menu entry of its own: the IT pages link to ``devices:list``.
        from . import my_tasks  # noqa: F401  (the "My tasks" providers)
