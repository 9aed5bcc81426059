from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "bookwarden.devices"
    label = "devices"
    verbose_name = "Devices and public computers"
