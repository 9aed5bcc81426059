"""IT-9: "after repeated failed contact the account may be locked": the lock is offered only
after the library's configured number of failed contacts, and a locked account really cannot
sign in (allauth refuses inactive accounts; its sessions are ended)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since, login_through_page
from bookwarden.enforcement import actions
from bookwarden.enforcement.demo import case_at
from bookwarden.enforcement.models import ContactMethod, ContactOutcome, Stage, Step
from bookwarden.enforcement.my_tasks import next_steps


def _fail(people, case, n: int) -> None:
    for _ in range(n):
        actions.record_contact_attempt(
            actor=people["tech_coordinator"],
            case=case,
            method=ContactMethod.EMAIL,
            outcome=ContactOutcome.NO_RESPONSE,
        )


def test_lock_offered_only_after_the_configured_failed_contacts(people, new_madrid) -> None:
    actions.set_failed_contacts_before_lock(actor=people["director"], library=new_madrid, value=2)
    with pytest.raises(PermissionDenied):
        actions.set_failed_contacts_before_lock(
            actor=people["tech_coordinator"], library=new_madrid, value=1
        )
    case = case_at(people, Step.CONTACT)
    tc = people["tech_coordinator"]
    _fail(people, case, 1)
    assert actions.lock_refusal(case, tc) is not None
    assert not actions.may_lock(tc, case)
    with pytest.raises(ValidationError, match="after 2 failed contacts; 1 so far"):
        actions.lock_account(actor=tc, case=case)
    assert not any(t.todo.startswith("Lock the account") for t in next_steps(tc))

    _fail(people, case, 1)
    case.refresh_from_db()
    assert case.stage == Stage.LOCK
    assert actions.may_lock(tc, case)
    # The offer reaches those who may lock (the tech coordinator, the director), not others.
    (offer,) = next_steps(tc)
    assert offer.todo.startswith("Lock the account of Ben Johnson: repeated attempts")
    assert offer.urgent and offer.url.endswith("#step-lock")
    assert any(t.todo.startswith("Lock the account") for t in next_steps(people["director"]))
    assert not list(next_steps(people["assistant_director"]))
    # Those without LOCK_ACCOUNTS may not lock even now.
    with pytest.raises(PermissionDenied):
        actions.lock_account(actor=people["assistant_director"], case=case)


def test_a_locked_account_cannot_sign_in_and_its_sessions_end(people, client_as) -> None:
    staff = people["staff"]
    signed_in = client_as("staff")
    assert signed_in.get("/").status_code == 200
    case = case_at(people, Step.LOCK)
    head = audit_head()
    lock = actions.lock_account(actor=people["tech_coordinator"], case=case)
    staff.refresh_from_db()
    assert not staff.is_active
    (event,) = events_since(head, AuditAction.ACCOUNT_LOCKED)
    assert event.subject_user_id == staff.pk and event.after["lock"] == lock.pk

    # The open session is gone: the next page asks for a login.
    response = signed_in.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # The right password no longer signs in.
    client = Client()
    response = login_through_page(client, staff.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inactive/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302

    # Unlocking turns the account back on.
    with pytest.raises(ValidationError):
        actions.unlock_account(actor=people["tech_coordinator"], lock=lock, reason="")
    actions.unlock_account(actor=people["tech_coordinator"], lock=lock, reason="Explained.")
    staff.refresh_from_db()
    assert staff.is_active
    assert events_since(head, AuditAction.ACCOUNT_UNLOCKED)
    response = login_through_page(Client(), staff.username)
    assert response["Location"] == "/"


def test_on_a_discipline_decision_only_the_director_locks(people) -> None:
    case = case_at(people, Step.CONTACT, discipline_needed=True)
    with pytest.raises(ValidationError, match="only the director"):
        actions.lock_account(actor=people["tech_coordinator"], case=case)
    actions.lock_account(actor=people["director"], case=case, reason="Pending discipline.")
    people["staff"].refresh_from_db()
    assert not people["staff"].is_active


def test_nobody_locks_their_own_account(people, violation) -> None:
    case = case_at(people, Step.CONTACT, entry=violation, subject=people["tech_coordinator"])
    for _ in range(3):
        actions.record_contact_attempt(
            actor=people["director"],
            case=case,
            method=ContactMethod.PHONE,
            outcome=ContactOutcome.REFUSED,
        )
    with pytest.raises(ValidationError, match="your own"):
        actions.lock_account(actor=people["tech_coordinator"], case=case)
