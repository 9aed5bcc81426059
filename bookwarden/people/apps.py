from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "bookwarden.people"
    label = "people"
    verbose_name = "Joiners, leavers and account reviews"

    def ready(self) -> None:
        from . import my_tasks, staff_pages  # noqa: F401  (My tasks, the staff pages' parts)
