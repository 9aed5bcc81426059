from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "bookwarden.people"
    label = "people"
    verbose_name = "Joiners, leavers and account reviews"
