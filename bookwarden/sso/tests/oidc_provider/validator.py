"""The test provider's claims: an e-mail address (verified, except for users whose name
starts with "unverified"), the user name, and ``amr`` = ["pwd", "mfa"] for users whose name
ends with "-mfa" (the provider checked a second factor), else ["pwd"]."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": not user.username.startswith("unverified"),
            "preferred_username": user.username,
            "name": user.get_full_name(),
            "amr": ["pwd", "mfa"] if user.username.endswith("-mfa") else ["pwd"],
        }
