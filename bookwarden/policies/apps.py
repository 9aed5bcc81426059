from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PoliciesConfig(AppConfig):
    name = "bookwarden.policies"
    label = "policies"
    verbose_name = "Policies and acknowledgements"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import duties, my_tasks  # noqa: F401  (duties and "My tasks" providers)

        # Everyone signed in: every staff member reads and signs the policies (IT-1).
        register(
            NavItem(gettext_noop("Policies"), "policies:list", perm=Perm.VIEW_LIBRARY, order=35)
        )
