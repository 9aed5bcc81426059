from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "bookwarden.sso"
    label = "sso"
    verbose_name = "Sign-in with the library's accounts"

    def ready(self) -> None:
        from bookwarden.core.hubs import IT, HubLink, register_link
        from bookwarden.core.roles import Perm

        from . import receivers  # noqa: F401  (sign-in events into the audit log)

        register_link(
            HubLink(
                IT,
                "Sign-in with the library's accounts",
                "sso:overview",
                "Which outside accounts (Google, Microsoft, the library's directory) can sign "
                "in, and whether to trust the second factor they check.",
                perm=Perm.MANAGE_SETTINGS,
                order=80,
            )
        )
