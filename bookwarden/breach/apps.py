from django.apps import AppConfig


class BreachConfig(AppConfig):
    name = "bookwarden.breach"
    label = "breach"
    verbose_name = "Breaches of patron information"
