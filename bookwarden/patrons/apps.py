from django.apps import AppConfig


class PatronsConfig(AppConfig):
    name = "bookwarden.patrons"
    label = "patrons"
    verbose_name = "Patrons and library records"
