from django.apps import AppConfig
from django.utils.translation import gettext_noop


class DisclosuresConfig(AppConfig):
    name = "bookwarden.disclosures"
    label = "disclosures"
    verbose_name = "Disclosure requests"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401 (registers the task providers)

        register(
            NavItem(
                gettext_noop("Disclosures"),
                "disclosures:list",
                perm=Perm.OPEN_RECORDS_AS_CUSTODIAN,
                order=25,
            )
        )
