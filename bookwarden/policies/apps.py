from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "bookwarden.policies"
    label = "policies"
    verbose_name = "Policies and acknowledgements"
