"""Objects the compliance tests and the authorization matrix name."""

from __future__ import annotations

from typing import Any

from bookwarden.core.models import Library, User

#: A built-in control checked from the records, and one a person answers.
CHECKED_CONTROL = "yearly-training"
ANSWERED_CONTROL = "card-as-consent"


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of the compliance pages (for ``new_madrid_ids``)."""
    return {"control_id": CHECKED_CONTROL}


#: A control the matrix's library has marked not applicable (for the undo).
MARKED_CONTROL = "awareness-programs"


def marked_not_applicable(library: Library) -> str:
    """Mark :data:`MARKED_CONTROL` not applicable at ``library`` (once) and return its id."""
    from bookwarden.compliance.models import NotApplicable

    NotApplicable.objects.get_or_create(
        library=library,
        control_id=MARKED_CONTROL,
        defaults={"reason": "The library runs no awareness programs of its own."},
    )
    return MARKED_CONTROL
