from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PeopleConfig(AppConfig):
    name = "bookwarden.people"
    label = "people"
    verbose_name = "Joiners, leavers and account reviews"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import my_tasks, staff_pages  # noqa: F401  (My tasks, the staff pages' parts)

        register(
            NavItem(
                gettext_noop("Leavers"), "people:departures", perm=Perm.MANAGE_DEPARTURES, order=60
            )
        )
