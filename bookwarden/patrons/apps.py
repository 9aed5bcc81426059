from django.apps import AppConfig


class PatronsConfig(AppConfig):
    name = "bookwarden.patrons"
    label = "patrons"
    verbose_name = "Patrons and library records"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        register(NavItem("Patrons", "patron_search", perm=Perm.FIND_PATRONS, order=20))
