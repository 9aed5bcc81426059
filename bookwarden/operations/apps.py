from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "bookwarden.operations"
    label = "operations"
    verbose_name = "Security operations log"
