"""Password strength beyond length and the common-password list, measured by zxcvbn."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn


class StrengthValidator:
    """Refuses passwords that zxcvbn scores below ``min_score`` (0 to 4)."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        user_inputs = []
        if user is not None:
            user_inputs = [
                str(v)
                for v in (
                    getattr(user, "username", ""),
                    getattr(user, "email", ""),
                    getattr(user, "first_name", ""),
                    getattr(user, "last_name", ""),
                )
                if v
            ]
        result = zxcvbn(password[:100], user_inputs=user_inputs)
        if result["score"] < self.min_score:
            feedback = result.get("feedback") or {}
            hint = feedback.get("warning") or "It would be easy to guess."
            suggestions = " ".join(feedback.get("suggestions") or [])
            raise ValidationError(
                "This password is too weak. %(hint)s %(suggestions)s",
                code="password_too_weak",
                params={"hint": hint, "suggestions": suggestions},
            )

    def get_help_text(self) -> str:
        return "Your password must be hard to guess: a few unrelated words work well."
