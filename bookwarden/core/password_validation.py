"""Password strength beyond length and the common-password list, measured by zxcvbn."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

#: Words everyone at a library would try first: zxcvbn counts them as easy guesses.
CONTEXT_WORDS = ("library", "libraries", "librarian", "bookwarden", "staff", "patron")


def _library_words() -> list[str]:
    """The names and slugs of the libraries and branches of this install."""
    from .models import Branch, Library

    words: list[str] = []
    for model in (Library, Branch):
        for name, slug in model.objects.values_list("name", "slug"):
            words += [name, name.replace(" ", ""), slug, slug.replace("-", "")]
    return words


class StrengthValidator:
    """Refuses passwords that zxcvbn scores below ``min_score`` (0 to 4).

    4 (about 10^10 guesses) because these accounts reach confidential library records:
    a word, a name and a year ("libraryname2026") scores 3 and is refused; three or four
    unrelated words pass.
    """

    def __init__(self, min_score: int = 4) -> None:
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
        user_inputs += [*CONTEXT_WORDS, *_library_words()]
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
