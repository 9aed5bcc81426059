from django.apps import AppConfig
from django.utils.translation import gettext_noop


class JobsConfig(AppConfig):
    name = "bookwarden.jobs"
    label = "jobs"
    verbose_name = "Periodic jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" provider)

        # Every app's jobs.py registers its periodic jobs (bookwarden.jobs.registry).
        autodiscover_modules("jobs")
        register(NavItem(gettext_noop("Jobs"), "jobs:list", perm=Perm.VIEW_JOBS, order=85))
