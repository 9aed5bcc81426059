from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bookwarden.portal"
    verbose_name = "Patron portal"
