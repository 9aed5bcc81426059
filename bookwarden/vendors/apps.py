from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "bookwarden.vendors"
    label = "vendors"
    verbose_name = "Vendors and the patron data map"
