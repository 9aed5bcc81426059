from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "bookwarden.disclosures"
    label = "disclosures"
    verbose_name = "Disclosure requests"
