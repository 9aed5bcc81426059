from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "bookwarden.credentials"
    label = "credentials"
    verbose_name = "Shared logins and their rotation"
