"""The importer against the real Koha and Evergreen sample exports in ../shared/ilsdata/."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.patrons.importer import ImportFailed, import_file
from bookwarden.patrons.models import Card, Loan, Patron

ILSDATA = Path(
    os.environ.get("BOOKWARDEN_ILSDATA") or Path(settings.BASE_DIR).parent / "shared" / "ilsdata"
)

# CI always has the samples beside the project: there a missing folder is a failure, not a
# skip.  A clone elsewhere can point BOOKWARDEN_ILSDATA at them.
if not ILSDATA.is_dir() and os.environ.get("CI"):
    raise RuntimeError(f"The ILS sample exports are missing: {ILSDATA}")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not ILSDATA.is_dir(),
        reason=f"ILS samples not found at {ILSDATA} (set BOOKWARDEN_ILSDATA)",
    ),
]


@pytest.fixture
def library(people) -> Library:
    return Library.objects.get(slug="new-madrid")


def _import(kind: str, name: str, library: Library, fmt: str, **kwargs):
    return import_file(kind, ILSDATA / name, library, fmt=fmt, **kwargs)


def test_koha_patrons_all_fifty_and_idempotent(library):
    result = _import("patrons", "koha_patrons.csv", library, "koha")
    assert (result.rows, result.created, result.updated, result.skipped_total) == (50, 50, 0, 0)
    assert result.cards_created == 50
    patrons = Patron.objects.filter(library=library, ils_source="koha")
    assert patrons.count() == 50
    welch = patrons.get(ils_id="23529000152273")
    assert (welch.first_name, welch.last_name) == ("Marcus", "Welch")
    assert welch.city == "Springfield, MA"  # the comma inside a quoted field
    assert welch.birth_date is None  # Koha's sample leaves some birth dates empty
    assert patrons.get(ils_id="23529000445172").birth_date == datetime.date(1966, 10, 14)
    card = Card.objects.get(library=library, number="23529000152273")
    assert card.patron == welch and card.expires_on == datetime.date(2020, 12, 31)
    # Koha's sample has no non-ASCII names: every stored name is plain ASCII.
    assert all((p.first_name + p.last_name).isascii() for p in patrons)
    # Koha branch codes (MPL, FRL...) are not branches of this library: left empty, counted.
    assert result.unmatched_branches == 50
    assert not patrons.filter(home_branch__isnull=False).exists()

    again = _import("patrons", "koha_patrons.csv", library, "koha")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 50)
    assert again.cards_created == 0


def test_one_audit_event_per_file_with_counts_and_no_names(library):
    before = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).count()
    _import("patrons", "evergreen_patrons.csv", library, "evergreen")
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).order_by("seq")
    assert events.count() == before + 1
    event = events.last()
    assert event.library_id == library.pk
    assert event.after["created"] == 198
    assert event.after["skipped"] == 180
    text = str(event.after) + str(event.before)
    for name in ("Brooks", "Terri", "José", "Montréal"):
        assert name not in text


def test_evergreen_patrons_skip_staff_and_deleted(library):
    result = _import("patrons", "evergreen_patrons.csv", library, "evergreen")
    assert result.rows == 378
    # 199 users in patron groups, one of them deleted (id 105); 179 staff accounts.
    assert result.created == 198
    assert result.skipped == {"staff account": 179, "deleted in the ILS": 1}
    patrons = Patron.objects.filter(library=library, ils_source="evergreen")
    assert patrons.count() == 198
    assert not patrons.filter(ils_id="105").exists()
    brooks = patrons.get(ils_id="2")
    assert (brooks.first_name, brooks.last_name) == ("Terri", "Brooks")
    assert brooks.cards.get().number == "99999395390"
    # The quirks: non-ASCII text, barred users, guardians named in text.
    names = {p.first_name + " " + p.last_name for p in patrons}
    assert any(not n.isascii() for n in names)
    assert list(patrons.filter(barred=True).values_list("ils_id", flat=True)) == ["106"]
    assert patrons.filter(guardian_name="Samantha Kelley").exists()
    again = _import("patrons", "evergreen_patrons.csv", library, "evergreen")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 198)


def test_evergreen_non_ascii_values_survive(library):
    _import("patrons", "evergreen_patrons.csv", library, "evergreen")
    patrons = Patron.objects.filter(library=library, ils_source="evergreen")
    assert patrons.get(ils_id="102").first_name == "José"
    assert patrons.get(ils_id="103").first_name == "川﨑 宗則"
    assert patrons.get(ils_id="339").last_name == "De Bankolé"
    assert patrons.filter(address_line1__contains="René-Lévesque", city="Montréal").exists()
    assert patrons.filter(first_name="José").exists()  # found again by the stored text


def test_evergreen_circulations_after_patrons(library):
    _import("patrons", "evergreen_patrons.csv", library, "evergreen")
    # 186 of the 486 loans belong to staff accounts, which are not patrons: by default an
    # unknown patron refuses the whole file ...
    with pytest.raises(ImportFailed) as failed:
        _import("loans", "evergreen_circulations.csv", library, "evergreen")
    assert len(failed.value.errors) == 186
    assert all(e.column == "usr" and "unknown patron" in e.reason for e in failed.value.errors)
    assert Loan._unguarded.filter(library=library).count() == 0
    # ... and with --skip-unknown-patrons they are skipped and counted.
    result = _import(
        "loans", "evergreen_circulations.csv", library, "evergreen", skip_unknown_patrons=True
    )
    assert (result.rows, result.created, result.skipped_total) == (486, 300, 186)
    assert Loan._unguarded.filter(library=library).count() == 300
    # Every sample loan is still open: nothing is unlinked by retention.
    assert result.unlinked_by_retention == 0
    assert not Loan._unguarded.filter(library=library, patron__isnull=True).exists()
    loan = Loan._unguarded.get(library=library, ils_id="1")
    # 2014-05-14 08:39:13.070326-04 keeps its instant.
    assert loan.checked_out_at == datetime.datetime(
        2014, 5, 14, 12, 39, 13, 70326, tzinfo=datetime.UTC
    )
    assert loan.item_barcode == "CONC4000037"
    again = _import(
        "loans", "evergreen_circulations.csv", library, "evergreen", skip_unknown_patrons=True
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 300)


def test_koha_old_issues_unknown_patrons_are_errors_and_nothing_is_written(library):
    _import("patrons", "koha_patrons.csv", library, "koha")
    with pytest.raises(ImportFailed) as failed:
        _import("loans", "koha_old_issues.csv", library, "koha")
    errors = failed.value.errors
    # borrowernumber holds Evergreen user ids, and Koha patrons are keyed by card number.
    assert len(errors) == 486
    assert errors[0].line == 2 and errors[0].column == "borrowernumber"
    assert "unknown patron" in errors[0].reason
    assert [e.line for e in errors] == list(range(2, 488))
    assert Loan._unguarded.filter(library=library).count() == 0


def test_command_prints_counts_and_rerun_changes_nothing(library, capsys):
    path = str(ILSDATA / "evergreen_patrons.csv")
    call_command("import", "patrons", path, "--library", "new-madrid", "--format", "evergreen")
    out = capsys.readouterr().out
    assert "198 created" in out and "180 skipped" in out
    call_command("import", "patrons", path, "--library", "new-madrid", "--format", "evergreen")
    out = capsys.readouterr().out
    assert "0 created" in out and "0 changed" in out and "198 unchanged" in out


def test_command_refuses_koha_old_issues_with_line_numbers(library, capsys):
    call_command(
        "import",
        "patrons",
        str(ILSDATA / "koha_patrons.csv"),
        "--library",
        "new-madrid",
        "--format",
        "koha",
    )
    capsys.readouterr()
    with pytest.raises(CommandError, match="486 bad row"):
        call_command(
            "import",
            "loans",
            str(ILSDATA / "koha_old_issues.csv"),
            "--library",
            "new-madrid",
            "--format",
            "koha",
        )
    err = capsys.readouterr().err
    assert "line 2, column borrowernumber: unknown patron '4'" in err
