from django.apps import AppConfig
from django.utils.translation import gettext_noop


class OnboardingConfig(AppConfig):
    name = "bookwarden.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding and reminders of the staff program"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import duties, staff_pages  # noqa: F401  (duty providers, staff page part)

        register(
            NavItem(
                gettext_noop("My checklist"), "onboarding:mine", perm=Perm.VIEW_LIBRARY, order=5
            )
        )
