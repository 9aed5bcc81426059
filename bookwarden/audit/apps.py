from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bookwarden.audit"
    label = "audit"
    verbose_name = "Audit log"
