from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "bookwarden.jobs"
    verbose_name = "Periodic jobs"
