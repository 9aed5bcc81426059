from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PatronsConfig(AppConfig):
    name = "bookwarden.patrons"
    label = "patrons"
    verbose_name = "Patrons and library records"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        register(
            NavItem(gettext_noop("Patrons"), "patron_search", perm=Perm.FIND_PATRONS, order=20)
        )
