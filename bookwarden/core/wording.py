"""Small pieces of plain English shared by pages, messages and "My tasks"."""

from __future__ import annotations


def counted(n: int, one: str, many: str = "") -> str:
    """``n`` with the noun in the right number: "1 patron", "3 openings", and ``many`` for
    an irregular plural ("2 people")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
