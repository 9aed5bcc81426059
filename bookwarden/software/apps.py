from django.apps import AppConfig


class SoftwareConfig(AppConfig):
    name = "bookwarden.software"
    label = "software"
    verbose_name = "Software, licenses and install requests"

    def ready(self) -> None:
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import my_tasks  # noqa: F401  (the "My tasks" providers)

        register_link(
            HubLink(
                IT,
                "Ask for software",
                "software:request_new",
                "Ask the technology coordinator to install or remove software on a computer.",
                perm=Perm.REQUEST_SOFTWARE,
                order=10,
            )
        )
        register_link(
            HubLink(
                IT,
                "Software requests",
                "software:queue",
                "Approve or refuse what staff asked to install or remove.",
                perm=Perm.APPROVE_SOFTWARE,
                order=12,
            )
        )
        register_link(
            HubLink(
                IT,
                "Software and licenses",
                "software:list",
                "What the library may install, its licenses and seats, and where it is.",
                perm=Perm.VIEW_IT_INVENTORY,
                order=40,
            )
        )
