from django.apps import AppConfig
from django.utils.translation import gettext_noop


class TrainingConfig(AppConfig):
    name = "bookwarden.training"
    label = "training"
    verbose_name = "Training and awareness"

    def ready(self) -> None:
        from bookwarden.core.navigation import NavItem, register
        from bookwarden.core.roles import Perm

        from . import duties, my_tasks  # noqa: F401  (the duty and "My tasks" providers)

        register(
            NavItem(gettext_noop("Training"), "training:mine", perm=Perm.VIEW_LIBRARY, order=45)
        )
