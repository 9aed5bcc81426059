from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "bookwarden.vendors"
    label = "vendors"
    verbose_name = "Vendors and the patron data map"

    def ready(self) -> None:
        # No menu entry of its own: the pages are reached from the IT hub
        # (vendors:list, vendors:data_map).
        from . import my_tasks  # noqa: F401  (the "My tasks" providers)
