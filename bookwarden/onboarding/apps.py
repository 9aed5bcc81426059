from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "bookwarden.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding and reminders of the staff program"

    def ready(self) -> None:
        from . import duties, staff_pages  # noqa: F401  (duty providers, staff page part)
