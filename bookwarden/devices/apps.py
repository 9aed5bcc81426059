from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "bookwarden.devices"
    label = "devices"
    verbose_name = "Devices and public computers"

    def ready(self) -> None:
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" providers)

        register_link(
            HubLink(
                IT,
                "Check the public computers",
                "devices:checks",
                "The weekly check that the public computers forget each user: history, "
                "cookies, files and sessions.",
                perm=Perm.CHECK_PUBLIC_COMPUTERS,
                order=15,
            )
        )
        register_link(
            HubLink(
                IT,
                "Devices",
                "devices:list",
                "The library's computers, servers, routers and printers: patches, protection "
                "and remote access.",
                perm=Perm.VIEW_IT_INVENTORY,
                order=30,
            )
        )
