from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bookwarden.api"
    label = "api"
    verbose_name = "REST API and alerts"

    def ready(self) -> None:
        from bookwarden.core.account_pages import account_part
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import account, my_tasks, schema  # noqa: F401  (account page, "My tasks", schema)

        account_part(account.tokens_part)
        register_link(
            HubLink(
                IT,
                "Alerts from monitoring and firewall services",
                "api:alert_sources",
                "Connect a monitoring or firewall service, so that its alerts become entries "
                "of the operations log.",
                perm=Perm.MANAGE_ALERT_SOURCES,
                order=60,
            )
        )
