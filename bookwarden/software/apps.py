from django.apps import AppConfig


class SoftwareConfig(AppConfig):
    name = "bookwarden.software"
    label = "software"
    verbose_name = "Software, licenses and install requests"
