from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "bookwarden.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding and reminders of the staff program"
