"""The vendors of the demo (NM-3, CR-5h): New Madrid's third parties as its privacy policy
names them (Follett Destiny, MOREnet at its three branches, Google Workspace), each with the
patron data it receives; MOREnet's review is overdue.  Cresco has one vendor.  Built
through the actions; the reviews are recorded by the people who keep the register."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Branch, Library, User

from . import actions
from .models import CARD_NUMBER, CHECKLIST, CONTACT, Answer

YES, NO, UNKNOWN = Answer.YES, Answer.NO, Answer.UNKNOWN


def _answers(notes: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {
        key: {"answer": notes.get(key, (UNKNOWN, ""))[0], "note": notes.get(key, ("", ""))[1]}
        for key, _q, _w in CHECKLIST
    }


def build_vendors_demo(people: dict[str, User]) -> None:
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    coordinator = people["tech_coordinator"]
    new_madrid = Library.objects.get(slug="new-madrid")
    destiny = actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Follett Destiny",
        service="The library catalog and circulation system: patron accounts, borrowing and "
        "the catalog.",
        website="https://www.follettsoftware.com/",
        contract_starts_on=ago(3 * 365),
        terms_url="https://www.follettsoftware.com/privacy-policy",
        bound_by_state_law=True,
        data_categories=[CONTACT, CARD_NUMBER, "loans", "holds", "searches"],
    )
    actions.record_review(
        actor=coordinator,
        vendor=destiny,
        reviewed_on=ago(300),
        answers=_answers(
            {
                "no_selling": (YES, "Contract section 9: no sale or sharing."),
                "encrypts_in_transit": (YES, "TLS to the hosted service."),
                "encrypts_at_rest": (YES, "Hosted data encrypted at rest."),
                "deletes_at_end": (YES, "Data returned, then deleted within 90 days."),
                "stored_in_us": (YES, "Data centers in the United States."),
                "notifies_breaches": (YES, "Within 72 hours."),
                "library_use_only": (YES, ""),
            }
        ),
        note="Contract renewed; the library-records clause names RSMo 182.817.",
    )
    morenet = actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="MOREnet",
        service="Internet access for staff, public computers and public Wi-Fi.",
        website="https://www.more.net/",
        contract_starts_on=ago(5 * 365),
        terms_url="https://www.more.net/about/policies/",
        data_categories=["computer_sessions"],
        all_branches=False,
        branches=list(Branch.objects.filter(library=new_madrid)),
    )
    actions.record_review(
        actor=coordinator,
        vendor=morenet,
        reviewed_on=ago(400),  # a year and more ago: the review is overdue
        answers=_answers(
            {
                "no_selling": (YES, "Member agreement."),
                "encrypts_in_transit": (UNKNOWN, "Traffic is the patrons' own; ask about logs."),
                "stored_in_us": (YES, "Missouri."),
                "notifies_breaches": (UNKNOWN, "Not stated in the member agreement."),
                "library_use_only": (YES, ""),
            }
        ),
    )
    google = actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Google Workspace",
        service="Staff e-mail and cloud storage.",
        website="https://workspace.google.com/",
        contract_starts_on=ago(4 * 365),
        terms_url="https://workspace.google.com/terms/education_privacy/",
        data_categories=[CONTACT, "reference"],
    )
    actions.record_review(
        actor=coordinator,
        vendor=google,
        reviewed_on=ago(60),
        answers=_answers(
            {
                "no_selling": (YES, "Workspace terms: no advertising use of customer data."),
                "encrypts_in_transit": (YES, ""),
                "encrypts_at_rest": (YES, ""),
                "deletes_at_end": (YES, "Deleted after account closure."),
                "stored_in_us": (NO, "Data regions are not set: may be stored abroad."),
                "notifies_breaches": (YES, "Data processing amendment: without undue delay."),
                "library_use_only": (YES, ""),
            }
        ),
    )
    cresco = Library.objects.get(slug="cresco")
    actions.add_vendor(
        actor=people["outsider"],
        library=cresco,
        name="Apollo by Biblionix",
        service="The library catalog and circulation system.",
        website="https://www.biblionix.com/",
        contract_starts_on=ago(2 * 365),
        data_categories=[CONTACT, CARD_NUMBER, "loans", "holds"],
    )


@demo_part(order=73)
def _vendors_part(world: DemoWorld) -> None:
    build_vendors_demo(world.people)
