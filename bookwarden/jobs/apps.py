from django.apps import AppConfig
from django.utils.translation import gettext_noop


class JobsConfig(AppConfig):
    name = "bookwarden.jobs"
    label = "jobs"
    verbose_name = "Periodic jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" provider)

        # Every app's jobs.py registers its periodic jobs (bookwarden.jobs.registry).
        autodiscover_modules("jobs")
        register_link(
            HubLink(
                IT,
                gettext_noop("Periodic jobs"),
                "jobs:list",
                gettext_noop("When mail, retention and the other periodic work last ran."),
                perm=Perm.VIEW_JOBS,
                order=55,
            )
        )
