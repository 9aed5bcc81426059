"""How much a release holds (NM-4: every disclosure minimal; CR-5c).

The rule packs' finer outcomes each release strictly less than ``release``.  When the
custodian releases on a request whose rule outcome is one of them, the request keeps that
outcome as its *scope* (``DisclosureRequest.release_scope``), and the packet, the letter to
the requester and the patron's notice hold only what the scope allows:

- ``release_overdue_only``: the overdue items and the amount owed;
- ``release_contact_and_amount_owed``: the patron's name, contact information and the amount
  owed, no items;
- ``release_identity_only``: who the patron is (name and card number), nothing of the
  materials or services used;
- ``release_parent_identity_only``: who the minor's parent or guardian is, as the patron's
  record names them, and nothing of the child's records.

An empty scope is a full release of the record types chosen.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

RELEASE_OVERDUE_ONLY = "release_overdue_only"
RELEASE_CONTACT_AND_AMOUNT_OWED = "release_contact_and_amount_owed"
RELEASE_IDENTITY_ONLY = "release_identity_only"
RELEASE_PARENT_IDENTITY_ONLY = "release_parent_identity_only"

#: The finer outcomes, from most to least released.
FINER_OUTCOMES = (
    RELEASE_OVERDUE_ONLY,
    RELEASE_CONTACT_AND_AMOUNT_OWED,
    RELEASE_IDENTITY_ONLY,
    RELEASE_PARENT_IDENTITY_ONLY,
)

#: What the packet holds, in the custodian's words (the decision page, the packet's notes).
PACKET_HOLDS: dict[str, str] = {
    "": "the records of the kinds released, for the dates asked",
    RELEASE_OVERDUE_ONLY: "only the overdue items and the amount owed",
    RELEASE_CONTACT_AND_AMOUNT_OWED: (
        "only the patron's name, contact information and the amount owed: no items"
    ),
    RELEASE_IDENTITY_ONLY: (
        "only who the patron is (name and card number): nothing of the materials or services used"
    ),
    RELEASE_PARENT_IDENTITY_ONLY: (
        "only who the minor's parent or guardian is, as the library's record names them: "
        "nothing of the child's records"
    ),
}

#: What was given, told to the requester in the cover letter.
GIVEN_TO_REQUESTER: dict[str, str] = {
    "": "the records described below",
    RELEASE_OVERDUE_ONLY: (
        "the overdue items and the amount owed, for the recovery of overdue materials only"
    ),
    RELEASE_CONTACT_AND_AMOUNT_OWED: (
        "the patron's name, contact information and the amount owed; no record of the "
        "materials borrowed"
    ),
    RELEASE_IDENTITY_ONLY: (
        "the identity of the person (name and library card number) only; no record of the "
        "materials or services used"
    ),
    RELEASE_PARENT_IDENTITY_ONLY: (
        "the identity of the minor's parent or guardian only; nothing of the minor's "
        "library records"
    ),
}

#: What the patron's notice says was given about them.
TOLD_TO_PATRON: dict[str, str] = {
    RELEASE_OVERDUE_ONLY: gettext_noop(
        "Only the overdue items and the amount you owe were given, nothing else you borrowed."
    ),
    RELEASE_CONTACT_AND_AMOUNT_OWED: gettext_noop(
        "Only your name, your contact information and the amount you owe were given: no "
        "titles or other records of what you borrowed or used."
    ),
    RELEASE_IDENTITY_ONLY: gettext_noop(
        "Only your name and library card number were given, to identify you: nothing about "
        "the materials or services you used."
    ),
    RELEASE_PARENT_IDENTITY_ONLY: gettext_noop(
        "Only the name of your parent or guardian, as the library has it on record, was "
        "given: nothing about the materials or services you used."
    ),
}


def scope_of(outcome: str) -> str:
    """The scope a release takes from the rule outcome ("" for a full release)."""
    return outcome if outcome in FINER_OUTCOMES else ""
