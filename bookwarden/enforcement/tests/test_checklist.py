"""IT-9, LV-12: the enforcement steps are a checklist taken in order; each step is recorded
with who and when, and writes its audit event."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.enforcement import actions
from bookwarden.enforcement.demo import case_at
from bookwarden.enforcement.models import (
    CaseStep,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    Stage,
    Step,
    StepKind,
)
from bookwarden.mail.models import OutboxMessage


def test_the_steps_run_in_order_and_each_is_recorded(people, violation) -> None:
    """IT-9: details, inform, isolate, HR decision, contact; a later step before an earlier
    one is refused, and the stage always names the next step."""
    tc, hr = people["tech_coordinator"], people["human_resources"]
    head = audit_head()
    case = actions.open_case(actor=tc, entry=violation, subject_user=people["staff"])
    assert case.stage == Stage.DETAILS
    with pytest.raises(ValidationError, match="details first"):
        actions.inform_it_manager(actor=tc, case=case)

    actions.record_details(actor=tc, case=case, details="Seen sharing the password.")
    case.refresh_from_db()
    assert case.stage == Stage.INFORM
    with pytest.raises(ValidationError, match="Inform the IT manager first"):
        actions.isolate_device(actor=tc, case=case, device="CIRC-PC-01")
    with pytest.raises(ValidationError, match="Steps 1 to 3"):
        actions.record_hr_decision(actor=hr, case=case, discipline_needed=False)

    actions.inform_it_manager(actor=tc, case=case)
    case.refresh_from_db()
    assert case.stage == Stage.ISOLATE
    # IT-9: the IT manager and the assistant director for operations each get a mail.
    mail = OutboxMessage.objects.filter(about=f"enforcement.enforcementcase:{case.pk}")
    assert sorted(addr for m in mail for addr in m.to) == sorted(
        [people["tech_coordinator"].email, people["assistant_director"].email]
    )

    actions.isolate_device(actor=tc, case=case, device="CIRC-PC-01")
    case.refresh_from_db()
    assert case.stage == Stage.HR_DECISION
    assert case.device_isolated_at is not None  # marked isolated, with the time

    actions.record_hr_decision(actor=hr, case=case, discipline_needed=False)
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT

    steps = list(CaseStep.objects.filter(case=case).values_list("kind", "by_id"))
    assert steps == [
        (StepKind.DETAILS, tc.pk),
        (StepKind.INFORM, tc.pk),
        (StepKind.ISOLATE, tc.pk),
        (StepKind.HR_DECISION, hr.pk),
    ]
    actions_written = [e.action for e in events_since(head) if e.action.startswith("enforcement")]
    assert actions_written == [
        AuditAction.CASE_OPENED,
        AuditAction.CASE_STEP,
        AuditAction.CASE_STEP,
        AuditAction.DEVICE_ISOLATED,
        AuditAction.HR_DECISION,
    ]
    # Ids and codes only: no note, no details text in the log.
    for event in events_since(head):
        if event.action.startswith("enforcement"):
            assert "password" not in str(event.after).lower()
            assert event.library_id == case.library_id


def test_isolation_may_be_not_needed_with_a_reason(people, violation) -> None:
    """IT-9: "remove the affected device from the network where appropriate"."""
    case = case_at(people, Step.ISOLATE, entry=violation)
    with pytest.raises(ValidationError):
        actions.isolate_device(actor=people["tech_coordinator"], case=case, isolated=False)
    actions.isolate_device(
        actor=people["tech_coordinator"], case=case, isolated=False, note="No device involved."
    )
    case.refresh_from_db()
    assert case.stage == Stage.HR_DECISION
    assert case.device_isolated_at is None


def test_only_human_resources_records_the_decision(people, violation) -> None:
    """IT-9: human resources alone decides whether discipline is needed: not the director,
    not the technology coordinator, not the auditor."""
    case = case_at(people, Step.HR_DECISION, entry=violation)
    head = audit_head()
    for who in ("director", "tech_coordinator", "assistant_director", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            actions.record_hr_decision(actor=people[who], case=case, discipline_needed=True)
    assert not events_since(head, AuditAction.HR_DECISION)
    actions.record_hr_decision(actor=people["human_resources"], case=case, discipline_needed=True)
    (event,) = events_since(head, AuditAction.HR_DECISION)
    assert event.actor_id == people["human_resources"].pk
    assert event.after["discipline_needed"] is True
    assert event.subject_user_id == people["staff"].pk
    with pytest.raises(ValidationError, match="already decided"):
        actions.record_hr_decision(
            actor=people["human_resources"], case=case, discipline_needed=False
        )


@pytest.mark.parametrize("step", [Step.DETAILS, Step.ISOLATE, Step.HR_DECISION])
def test_nothing_disciplinary_before_the_hr_decision(people, new_madrid, step) -> None:
    """IT-9: "Human Resources decides whether discipline is needed before any action": no
    lock, no suspension on the case, no referral of a staff matter, no contact."""
    case = case_at(people, step)
    director = people["director"]
    with pytest.raises(ValidationError):
        actions.lock_account(actor=director, case=case)
    with pytest.raises(ValidationError, match="human resources decides first"):
        actions.suspend(
            actor=director,
            library=new_madrid,
            user=people["staff"],
            reason="to protect the network",
            ends_on=new_madrid_day(7),
            case=case,
        )
    with pytest.raises(ValidationError):
        actions.refer_to_law_enforcement(actor=director, case=case, agency="Sheriff")
    with pytest.raises(ValidationError):
        actions.record_contact_attempt(
            actor=people["tech_coordinator"],
            case=case,
            method=ContactMethod.EMAIL,
            outcome=ContactOutcome.NO_RESPONSE,
        )
    people["staff"].refresh_from_db()
    assert people["staff"].is_active
    assert not AuditEvent.objects.filter(
        action__in=[
            AuditAction.ACCOUNT_LOCKED,
            AuditAction.SUSPENSION_STARTED,
            AuditAction.REFERRED,
            AuditAction.CONTACT_ATTEMPT,
        ]
    ).exists()


def new_madrid_day(days: int):
    import datetime

    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=days)


def test_contact_attempts_are_recorded_with_method_and_outcome(people) -> None:
    """IT-9: without discipline, notify the account user in person, by e-mail or phone, and
    record each attempt and its outcome."""
    case = case_at(people, Step.CONTACT)
    tc = people["tech_coordinator"]
    head = audit_head()
    actions.record_contact_attempt(
        actor=tc, case=case, method=ContactMethod.PHONE, outcome=ContactOutcome.NO_RESPONSE
    )
    actions.record_contact_attempt(
        actor=tc,
        case=case,
        method=ContactMethod.IN_PERSON,
        outcome=ContactOutcome.RESPONDED,
        note="Explained: a new colleague was shown the wrong screen.",
    )
    attempts = list(ContactAttempt.objects.filter(case=case).values_list("method", "outcome"))
    assert attempts == [("phone", "no_response"), ("in_person", "responded")]
    events = events_since(head, AuditAction.CONTACT_ATTEMPT)
    assert [(e.after["method"], e.after["outcome"]) for e in events] == attempts
    case.refresh_from_db()
    assert case.stage == Stage.REFER  # resolved: no lock offered
    with pytest.raises(ValidationError):
        actions.record_contact_attempt(
            actor=tc, case=case, method="carrier pigeon", outcome=ContactOutcome.NO_RESPONSE
        )


def test_no_contact_steps_when_discipline_is_needed(people) -> None:
    case = case_at(people, Step.CONTACT, discipline_needed=True)
    with pytest.raises(ValidationError, match="discipline is needed"):
        actions.record_contact_attempt(
            actor=people["tech_coordinator"],
            case=case,
            method=ContactMethod.EMAIL,
            outcome=ContactOutcome.NO_RESPONSE,
        )


def test_the_director_alone_refers_to_law_enforcement(people) -> None:
    """LV-12: "the Director may refer to law enforcement"."""
    case = case_at(people, Step.REFER)
    head = audit_head()
    for who in ("tech_coordinator", "assistant_director", "human_resources", "auditor"):
        with pytest.raises(PermissionDenied):
            actions.refer_to_law_enforcement(actor=people[who], case=case, agency="Sheriff")
    actions.refer_to_law_enforcement(
        actor=people["director"], case=case, agency="New Madrid County Sheriff"
    )
    (event,) = events_since(head, AuditAction.REFERRED)
    assert event.actor_id == people["director"].pk
    case.refresh_from_db()
    assert case.stage == Stage.CLOSE
    actions.close_case(actor=people["tech_coordinator"], case=case, note="Handed over.")
    case.refresh_from_db()
    assert not case.is_open and case.stage == Stage.CLOSED
    assert events_since(head, AuditAction.CASE_CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        actions.record_details(actor=people["tech_coordinator"], case=case, details="more")


def test_a_patron_violation_is_not_an_enforcement_case(people, new_madrid) -> None:
    from bookwarden.enforcement.demo import log_entry
    from bookwarden.operations.models import EntryKind

    entry = log_entry(new_madrid, EntryKind.PATRON_VIOLATION, "Time limits bypassed")
    with pytest.raises(ValidationError, match="patron"):
        actions.open_case(actor=people["director"], entry=entry)


def test_one_open_case_per_entry_and_staff_of_the_library_only(people, violation) -> None:
    actions.open_case(actor=people["director"], entry=violation)
    with pytest.raises(ValidationError, match="already has an open"):
        actions.open_case(actor=people["director"], entry=violation)
    with pytest.raises(PermissionDenied):
        actions.open_case(actor=people["outsider"], entry=violation)


def test_the_log_entry_timeline_gets_the_steps(people, violation) -> None:
    """The operations log's timeline names each step (never its notes)."""
    from bookwarden.operations.models import TimelineStep

    case_at(people, Step.CONTACT, entry=violation)
    texts = list(TimelineStep.objects.filter(entry=violation).values_list("text", flat=True))
    assert any("Details recorded" in t for t in texts)
    assert any("Human resources decided" in t for t in texts)
    assert not any("First occurrence" in t for t in texts)
