"""django-allauth adapter: staff accounts are created by a director, never by sign-up, and
allauth's mail (a password reset asked for on the sign-in page, notices of account changes)
goes through the outbox like all of Bookwarden's mail.  The second-factor adapter words
allauth's refusals plainly."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.stages import AuthenticateStage
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from bookwarden.mail.actions import queue_mail

from .second_factor import SECOND_FACTOR_ELSEWHERE, count_sign_in_as_confirmation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return super().get_login_redirect_url(request)

    def get_login_stages(self) -> list[str]:
        """allauth's steps of sign-in, with the code step that knows a second factor checked
        by a trusted identity provider."""
        allauths = "allauth.mfa.stages.AuthenticateStage"
        ours = f"{__name__}.{SecondFactorStage.__name__}"
        return [ours if stage == allauths else stage for stage in super().get_login_stages()]

    def login(self, request: HttpRequest, user: Any) -> None:
        """Sign in; a sign-in with the password and a second factor also counts as the
        confirmation asked before a sensitive step (exporting the audit log right after
        signing in does not ask for the password again)."""
        super().login(request, user)
        count_sign_in_as_confirmation(request, user)

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: Any = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # "Successfully signed in as ..." adds nothing; keep the other messages.
        if message_template and message_template.endswith("logged_in.txt"):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Queue the mail in the outbox (it waits while the mail server is down) instead of
        sending it now.  Its body may hold a reset link: the outbox page never shows bodies."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        queue_mail(
            to=message.to,
            subject=message.subject,
            body=message.body,
            reason="account." + template_prefix.rsplit("/", 1)[-1],
        )


class MFAAdapter(DefaultMFAAdapter):
    """``MFA_ADAPTER``: allauth's second factor, with its refusals in plain words."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": (
            "That code is not right. Enter the 6-digit code your authenticator app shows "
            "now for Bookwarden (check the phone's clock if codes keep being refused)."
        ),
    }


class SecondFactorStage(AuthenticateStage):
    """The code step of sign-in, skipped when an identity provider checked a second factor
    and the person's libraries trust it (bookwarden.sso; CC-7)."""

    def _should_handle(self, request: HttpRequest) -> bool:
        # Only this very sign-in's word counts, never what an earlier one left in the session.
        user = self.login.user
        if user is not None and getattr(request, SECOND_FACTOR_ELSEWHERE, None) == user.pk:
            return False
        return bool(super()._should_handle(request))
