"""The retention proof (CR-6a, CC-8): links found from the models, a new link fails closed,
the command's output and exit codes, the nightly job's evidence, the demo is clean."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.jobs.actions import request_run
from bookwarden.jobs.loop import Worker
from bookwarden.jobs.models import JobRun
from bookwarden.mail.models import REASON_LABELS, OutboxMessage
from bookwarden.patrons import retention_side_links
from bookwarden.patrons.jobs import RetentionProofFailed
from bookwarden.patrons.models import Loan, Patron
from bookwarden.patrons.models_retention import RetentionProof
from bookwarden.patrons.retention_proof import patron_link_fields, prove, take_proof


def _probe_model(name: str, fields: dict[str, Any]) -> Iterator[type[models.Model]]:
    """A model of the patrons app that exists only for this test, with its table: as if a
    later change added it.  Unregistered afterwards, so no other test sees it."""
    table = f"patrons_{name.lower()}"
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"app_label": "patrons", "db_table": table}),
        **fields,
    }
    model = type(name, (models.Model,), attrs)
    columns = ", ".join(
        f"{f.column} {f.db_type(connection)} NULL" for f in model._meta.local_fields[1:]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, {columns})")
    try:
        yield model
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
        del apps.all_models["patrons"][name.lower()]
        apps.clear_cache()


@pytest.fixture
def last_borrower() -> Iterator[type[models.Model]]:
    """A last-borrower table, the Koha leak (LAW.md): an item and who borrowed it last."""
    yield from _probe_model(
        "LastBorrowerProbe",
        {
            "item_barcode": models.CharField(max_length=20),
            "borrower": models.ForeignKey(
                Patron, null=True, on_delete=models.DO_NOTHING, db_constraint=False
            ),
        },
    )


@pytest.fixture
def statistics_notes() -> Iterator[type[models.Model]]:
    """A table of free text with no patron column, as a statistics table could be."""
    yield from _probe_model("StatisticsProbe", {"note": models.TextField(blank=True)})


def test_a_new_patron_link_is_found_from_the_models_and_fails_closed(demo_patrons, last_borrower):
    reader = demo_patrons["reader"]
    last_borrower.objects.create(id=1, item_barcode="3000001", borrower=reader)
    last_borrower.objects.create(id=2, item_barcode="3000002", borrower=None)
    assert "patrons.lastborrowerprobe.borrower" in patron_link_fields()

    proof = prove()

    assert not proof.ok
    [finding] = proof.unreviewed
    assert (finding.table, finding.column, finding.count) == (
        "patrons_lastborrowerprobe",
        "borrower_id",
        1,
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("retention", "prove", stdout=out, stderr=err)
    assert raised.value.returncode == 2
    assert "patrons_lastborrowerprobe.borrower_id (no library): 1 rows, no rule" in out.getvalue()


def test_a_reviewed_new_link_is_allowed_only_as_its_rule_says(
    demo_patrons, last_borrower, monkeypatch
):
    reader = demo_patrons["reader"]
    last_borrower.objects.create(id=1, item_barcode="3000001", borrower=reader)
    rules = dict(retention_side_links.SIDE_LINK_RULES)
    rules["patrons.lastborrowerprobe.borrower"] = retention_side_links.SideLinkRule(
        kept="never",
        why="a test",
        requirement="CR-6a",
        beyond=lambda now: last_borrower.objects.filter(borrower__isnull=False),
        library_field="borrower__library_id",
    )
    monkeypatch.setattr(retention_side_links, "SIDE_LINK_RULES", rules)
    monkeypatch.setattr("bookwarden.patrons.retention_proof.SIDE_LINK_RULES", rules)

    [finding] = prove().findings

    assert (finding.kind, finding.table, finding.library, finding.count) == (
        "past_rule",
        "patrons_lastborrowerprobe",
        reader.library.slug,
        1,
    )


def test_a_new_table_of_free_text_must_be_reviewed(people, statistics_notes):
    statistics_notes.objects.create(id=1, note="someone")
    [finding] = prove().findings
    assert (finding.kind, finding.table, finding.column, finding.count) == (
        "unreviewed",
        "patrons_statisticsprobe",
        "note",
        1,
    )


def test_every_side_link_has_a_rule_with_reason_and_requirement():
    for key, rule in retention_side_links.SIDE_LINK_RULES.items():
        assert rule.kept and rule.why and rule.requirement, key
        assert rule.table(key) and rule.column_names(key), key
    for label in retention_side_links.TEXT_LINKS_REVIEWED:
        apps.get_model(label)  # no stale entries


def test_every_mail_reason_is_reviewed_and_unknown_ones_count_as_naming_a_patron(people):
    known = retention_side_links.PATRON_MAIL_REASONS | retention_side_links.STAFF_MAIL_REASONS
    assert set(REASON_LABELS) <= known
    old = timezone.now() - 40 * datetime.timedelta(days=1)
    OutboxMessage.objects.create(
        reason="newsletter",
        to=["someone@example.org"],
        subject="News",
        body="Hello",
        status="sent",
        sent_at=old,
    )
    OutboxMessage.objects.create(
        reason="onboarding.reminder",
        to=["staff@example.org"],
        subject="Task",
        body="Do it",
        status="sent",
        sent_at=old,
    )
    [finding] = prove().findings
    assert (finding.link, finding.count) == ("mail.outboxmessage.body", 1)


def test_the_demo_proof_is_clean_and_json_has_its_shape(full_demo):
    out = io.StringIO()
    call_command("retention", "prove", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {
        "proof",
        "ok",
        "taken_at",
        "library",
        "findings",
        "checked",
        "error",
        "seconds",
    }
    assert data["ok"] is True and data["findings"] == [] and data["library"] is None
    assert {"loans", "audit.auditevent.patron_id", "mail.outboxmessage.body"} <= set(
        data["checked"]
    )
    stored = RetentionProof.objects.get(pk=data["proof"])
    assert stored.ok and stored.findings == []

    out = io.StringIO()
    call_command("retention", "prove", "--library", "cresco", "--json", stdout=out)
    assert json.loads(out.getvalue())["library"] == "cresco"


def test_findings_exit_1_with_counts_and_never_contents(demo_patrons):
    from bookwarden.patrons.models import Loan

    reader = demo_patrons["parent"]
    Loan._unguarded.filter(patron=reader, returned_at__isnull=True).update(
        returned_at="2020-01-01T00:00:00Z"
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("retention", "prove", "--json", stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 1
    data = json.loads(out.getvalue())
    [finding] = data["findings"]
    assert finding == {
        "table": "patrons_loan",
        "column": "patron_id",
        "library": "new-madrid",
        "count": finding["count"],
        "kind": "past_rule",
        "link": "loans",
    }
    assert finding["count"] >= 1
    assert "Old Man" not in out.getvalue()


def run_job_now(name: str) -> JobRun:
    run = request_run(name, actor=None)
    Worker().run_one(run)
    run.refresh_from_db()
    return run


def test_the_nightly_job_stores_the_proof_with_audit_events_of_counts(demo_patrons):
    assert run_job_now("retention_proof").status == "succeeded"
    proof = RetentionProof.objects.get()
    assert proof.ok and proof.library is None
    events = AuditEvent.objects.filter(action=AuditAction.RETENTION_PROOF)
    assert {e.library.slug if e.library else None for e in events} == {
        "new-madrid",
        "cresco",
        None,
    }
    assert all(e.after["ok"] is True and e.patron_id is None for e in events)


def test_the_nightly_job_fails_on_findings(demo_patrons):
    _row, proof = take_proof()
    assert proof.ok
    Loan._unguarded.filter(patron=demo_patrons["parent"], returned_at__isnull=True).update(
        returned_at="2020-01-01T00:00:00Z"
    )
    run = run_job_now("retention_proof")
    assert run.status == "failed"
    assert RetentionProofFailed.__name__ in run.error
    assert "new-madrid" not in run.error
    assert not RetentionProof.objects.order_by("-pk").first().ok  # type: ignore[union-attr]
