from django.apps import AppConfig


class SoftwareConfig(AppConfig):
    name = "bookwarden.software"
    label = "software"
    verbose_name = "Software, licenses and install requests"

    def ready(self) -> None:
        # No menu entry: the IT pages' hub links to software:list and software:request_new.
        from . import my_tasks  # noqa: F401  (the "My tasks" providers)
