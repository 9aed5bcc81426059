"""CC-10: completions imported from an outside learning system: every bad row named by
line, column and reason; all or nothing; a second run changes nothing; someone of another
library refused; the same from the command line and from the page."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.patrons.importer.parsing import ImportFailed

from ..importer import import_completions
from ..models import Completion

TODAY = timezone.localdate()
AGO = (TODAY - datetime.timedelta(days=3)).isoformat()


def _import(library, text: str, actor=None):
    return import_completions(actor=actor, library=library, content=text.encode())


@pytest.fixture
def course(make_course):
    return make_course("Phishing awareness", code="PHISH")


def test_a_good_file_records_completions_and_one_event(people, new_madrid, course) -> None:
    head = audit_head()
    summary = _import(
        new_madrid,
        "email,course,completed_on\n"
        f"bjohnson@new-madrid.example.org,PHISH,{AGO}\n"
        f"ekim@new-madrid.example.org,phishing awareness,{AGO}\n",
    )
    assert (summary.rows, summary.created, summary.skipped) == (2, 2, 0)
    assert Completion.objects.filter(course=course, how="import").count() == 2
    [event] = events_since(head, AuditAction.TRAINING_COMPLETIONS_IMPORTED)
    assert event.after["created"] == 2 and event.after["rows"] == 2


def test_every_bad_row_is_named_by_line_column_and_reason(people, new_madrid, course) -> None:
    future = (TODAY + datetime.timedelta(days=2)).isoformat()
    text = (
        "username,course,completed_on\n"
        f"bjohnson,PHISH,{AGO}\n"  # line 2: good
        f"nobody,PHISH,{AGO}\n"  # 3: unknown person
        f"pnguyen,PHISH,{AGO}\n"  # 4: works at Cresco
        f"ekim,Knitting,{AGO}\n"  # 5: unknown course
        "ekim,PHISH,14/03/2026\n"  # 6: bad date
        f"ekim,PHISH,{future}\n"  # 7: future
        f"bjohnson,PHISH,{AGO}\n"  # 8: duplicate of line 2
        f"hbrooks,PHISH,{AGO}\n"  # 9: the auditor is not staff
    )
    with pytest.raises(ImportFailed) as failed:
        _import(new_madrid, text)
    assert [str(e) for e in failed.value.errors] == [
        "line 3, column username: no one with this username works at New Madrid County Library",
        "line 4, column username: no one with this username works at New Madrid County Library",
        "line 5, column course: no course with this title or code at New Madrid County Library",
        "line 6, column completed_on: not a date: write it as YYYY-MM-DD",
        "line 7, column completed_on: the day is in the future",
        "line 8: the same completion is on line 2",
        "line 9, column course: Helen Brooks is not among the people this course is for",
    ]


def test_one_bad_row_writes_nothing(people, new_madrid, course) -> None:
    head = audit_head()
    with pytest.raises(ImportFailed):
        _import(
            new_madrid,
            f"email,course,completed_on\nbjohnson@new-madrid.example.org,PHISH,{AGO}\n"
            f"kmiller@cresco.example.org,PHISH,{AGO}\n",
        )
    assert not Completion.objects.filter(course=course).exists()
    assert not events_since(head, AuditAction.TRAINING_COMPLETIONS_IMPORTED)


def test_someone_of_another_library_is_refused_in_plain_words(people, new_madrid, course) -> None:
    with pytest.raises(ImportFailed) as failed:
        _import(new_madrid, f"email,course,completed_on\npnguyen@cresco.example.org,PHISH,{AGO}\n")
    [error] = failed.value.errors
    assert str(error) == (
        "line 2, column email: no one with this e-mail works at New Madrid County Library"
    )


def test_an_unknown_column_refuses_the_file(people, new_madrid, course) -> None:
    with pytest.raises(ImportFailed) as failed:
        _import(new_madrid, f"email,course,completed_on,score\nbjohnson@x.org,PHISH,{AGO},90\n")
    assert [str(e) for e in failed.value.errors] == ["line 1, column score: unknown column"]


def test_a_second_run_changes_nothing(people, new_madrid, course) -> None:
    text = f"username,course,completed_on\nbjohnson,PHISH,{AGO}\nekim,PHISH,{AGO}\n"
    _import(new_madrid, text)
    before = list(Completion.objects.filter(course=course).values())
    again = _import(new_madrid, text)
    assert (again.created, again.already_recorded) == (0, 2)
    assert list(Completion.objects.filter(course=course).values()) == before


def test_a_completion_in_a_cycle_already_done_is_skipped(people, new_madrid, course) -> None:
    earlier = (TODAY - datetime.timedelta(days=5)).isoformat()
    summary = _import(
        new_madrid,
        f"username,course,completed_on\nbjohnson,PHISH,{earlier}\nbjohnson,PHISH,{AGO}\n",
    )
    assert (summary.created, summary.cycle_already_done) == (1, 1)
    assert Completion.objects.filter(course=course, user=people["staff"]).count() == 1


def test_the_command_imports_and_prints_a_summary(
    people, new_madrid, course, tmp_path, capsys
) -> None:
    path = tmp_path / "completions.csv"
    path.write_text(f"username,course,completed_on\nbjohnson,PHISH,{AGO}\n")
    call_command("import", "training", str(path), "--library", "new-madrid")
    out = capsys.readouterr().out
    assert "Imported training completions: 1 rows: 1 completions recorded, 0 skipped." in out
    call_command("import", "training", str(path), "--library", "new-madrid")
    assert "0 completions recorded, 1 skipped (1 already recorded" in capsys.readouterr().out
    assert Completion.objects.filter(course=course).count() == 1


def test_the_command_names_bad_rows_and_fails(people, new_madrid, course, tmp_path, capsys) -> None:
    path = tmp_path / "completions.csv"
    path.write_text(f"username,course,completed_on\nbjohnson,PHISH,{AGO}\nnobody,PHISH,{AGO}\n")
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import", "training", str(path), "--library", "new-madrid")
    assert "line 3, column username: no one with this username" in capsys.readouterr().err
    assert not Completion.objects.filter(course=course).exists()


def test_the_import_page(people, new_madrid, course, client_as) -> None:
    client = client_as("tech_coordinator")
    url = reverse("training:import", args=[new_madrid.slug])
    bad = client.post(
        url,
        {
            "file": SimpleUploadedFile(
                "c.csv", f"username,course,completed_on\nnobody,PHISH,{AGO}\n".encode()
            )
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and "Nothing was imported" in page
    assert "no one with this username works at New Madrid County Library" in page
    good = client.post(
        url,
        {
            "file": SimpleUploadedFile(
                "c.csv", f"username,course,completed_on\nbjohnson,PHISH,{AGO}\n".encode()
            )
        },
        follow=True,
    )
    assert "Completions imported. 1 rows: 1 completions recorded" in good.content.decode()


def test_email_and_username_must_name_the_same_person(people, new_madrid, course) -> None:
    with pytest.raises(ImportFailed) as failed:
        _import(
            new_madrid,
            f"email,username,course,completed_on\nbjohnson@new-madrid.example.org,ekim,PHISH,{AGO}\n",
        )
    assert [str(e) for e in failed.value.errors] == [
        "line 2, column username: the e-mail names someone else"
    ]
