from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "bookwarden.vendors"
    label = "vendors"
    verbose_name = "Vendors and the patron data map"

    def ready(self) -> None:
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" providers)

        register_link(
            HubLink(
                IT,
                "Vendors",
                "vendors:list",
                "The outside companies that receive patron information, their contracts and "
                "privacy reviews.",
                perm=Perm.VIEW_IT_INVENTORY,
                order=50,
            )
        )
        register_link(
            HubLink(
                IT,
                "Patron data map",
                "vendors:data_map",
                "Which company receives which patron information, at which branch.",
                perm=Perm.VIEW_IT_INVENTORY,
                order=55,
            )
        )
