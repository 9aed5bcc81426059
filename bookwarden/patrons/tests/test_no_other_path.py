"""NM-1, CC-5, DESIGN mechanism 2: the access function is the only way to a patron's library
records.  Contents planted in the database (a title, search terms, a question) must not show
on any other path: the record models' managers, reverse relations, ``dumpdata``, the search
page, the patron page, any URL of the project, Django admin."""

from __future__ import annotations

import io
import pathlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Branch, Library
from bookwarden.core.tests.helpers import all_routes, mark_reauthenticated, new_madrid_ids, url_of
from bookwarden.patrons.models import (
    CatalogSearch,
    ConfidentialRecordError,
    Hold,
    Loan,
    Patron,
    ProgramRegistration,
    ReferenceQuestion,
)
from bookwarden.patrons.record_access import Purpose
from bookwarden.patrons.records import RECORD_TYPES

TITLE = "Zebra Marker Title 7731"
TERMS = "quokka marker terms 7731"
QUESTION = "Marker question about the okapi 7731"
PROGRAM = "Marker program narwhal 7731"
PLANTED = (TITLE, TERMS, QUESTION, PROGRAM)


@pytest.fixture
def planted(patrons) -> Patron:
    reader = patrons["reader"]
    now = timezone.now()
    lib = reader.library
    Loan._unguarded.create(
        library=lib,
        patron=reader,
        item_barcode="3marker",
        title=TITLE,
        checked_out_at=now,
        due_at=now,
    )
    Hold._unguarded.create(library=lib, patron=reader, title=TITLE, placed_at=now)
    CatalogSearch._unguarded.create(library=lib, patron=reader, terms=TERMS, searched_at=now)
    ReferenceQuestion._unguarded.create(library=lib, patron=reader, question=QUESTION, asked_at=now)
    ProgramRegistration._unguarded.create(
        library=lib, patron=reader, program=PROGRAM, registered_at=now
    )
    return reader


def _leaks(text: str) -> list[str]:
    return [p for p in PLANTED if p.lower() in text.lower()]


@pytest.mark.parametrize("key", list(RECORD_TYPES))
def test_default_manager_of_every_record_model_refuses(key, planted) -> None:
    model = RECORD_TYPES[key].model
    assert model._default_manager is model.objects
    for read in (
        lambda: list(model.objects.all()),
        lambda: model.objects.filter(patron=planted).count(),
        lambda: model.objects.values_list("pk", flat=True),
        lambda: model._default_manager.first(),
    ):
        with pytest.raises(ConfidentialRecordError):
            read()


def test_no_reverse_relation_from_patron_or_library_to_records(planted) -> None:
    record_models = {rt.model for rt in RECORD_TYPES.values()}
    for model in (Patron, Library, *(m for m in apps.get_models() if m not in record_models)):
        for rel in model._meta.related_objects:
            if rel.related_model in record_models:
                assert rel.is_hidden(), f"{model.__name__} reaches {rel.related_model.__name__}"
    for name in ("loan_set", "hold_set", "catalogsearch_set", "loans", "holds", "searches"):
        assert not hasattr(planted, name)


@pytest.mark.parametrize(
    "args", [("patrons",), ("patrons", "--all"), ("--all",), ("patrons.loan", "--all")]
)
def test_dumpdata_never_exports_records(args, planted) -> None:
    """Plain ``dumpdata`` would hit the refusing manager; ``--all`` reads through the base
    manager, so the project's ``dumpdata`` leaves the record models out altogether."""
    out, err = io.StringIO(), io.StringIO()
    call_command("dumpdata", *args, stdout=out, stderr=err)
    dumped = out.getvalue()
    assert not _leaks(dumped)
    record_labels = {rt.model._meta.label_lower for rt in RECORD_TYPES.values()}
    assert not [label for label in record_labels if f'"model": "{label}"' in dumped]
    assert "never exported" in err.getvalue()
    if "patrons" in args:
        assert '"model": "patrons.patron"' in dumped  # the control: the rest is exported


def test_django_admin_is_not_installed() -> None:
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    assert not [r for r in all_routes() if r.route.startswith("admin")]


def test_search_and_patron_page_show_no_record_contents(planted, client_as) -> None:
    director = client_as("director")
    for q in (planted.last_name, TITLE, TERMS, "21000000000037"):
        body = director.get(reverse("patron_search"), {"q": q}).content.decode()
        # The search box shows what was typed; nothing else may show a planted text.
        assert not _leaks(body.replace(q, ""))
    # Searching by a title finds nobody: titles are not searchable.
    body = director.get(reverse("patron_search"), {"q": TITLE}).content.decode()
    assert "No patron matches" in body
    body = director.get(reverse("patron_detail", args=[planted.pk])).content.decode()
    assert "Okafor" in body
    assert not _leaks(body)


@pytest.mark.parametrize("who", ["director", "staff", "auditor", "outsider"])
def test_no_url_of_the_project_shows_record_contents(who, planted, people, client_as) -> None:
    library = Library.objects.get(slug="new-madrid")
    ids = {**new_madrid_ids(people, library), "patron_id": planted.pk}
    client = mark_reauthenticated(client_as(who), people[who])
    leaked = []
    for route in all_routes():
        url = url_of(route, ids)
        response = client.get(url, {"q": planted.last_name})
        # The audit CSV export streams.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Type", "").startswith(("text/", "application/json")):
            found = _leaks(body.decode(errors="replace"))
            if found:
                leaked.append(f"{url} ({route.key}): {found}")
    assert not leaked, leaked


@pytest.mark.parametrize("who", ["director", "staff", "auditor", "outsider"])
def test_no_api_endpoint_shows_record_contents(who, planted, people) -> None:
    """NM-1, CR-5: the API (a token of each kind of reader, for all their libraries) shows
    no record's contents on any of its addresses."""
    from django.test import Client

    from bookwarden.api.tests.factories import a_token

    library = Library.objects.get(slug="new-madrid")
    ids = {**new_madrid_ids(people, library), "patron_id": planted.pk}
    client = Client(headers={"Authorization": f"Bearer {a_token(people[who])[1]}"})
    leaked, reached = [], 0
    for route in all_routes():
        if not route.key.startswith("api:"):
            continue
        response = client.get(url_of(route, ids), {"q": planted.last_name})
        reached += response.status_code == 200
        if _leaks(response.content.decode(errors="replace")):
            leaked.append(route.key)
    assert not leaked, leaked
    assert reached  # the control: the token opened something


def test_the_api_has_no_endpoint_for_records() -> None:
    """NM-1, CR-5: no operation of the API's schema is about a record type, and no schema
    component is a record model."""
    from bookwarden.api.schema import api_schema

    schema = api_schema()
    record_models = {rt.model.__name__.lower() for rt in RECORD_TYPES.values()}
    components = {name.lower() for name in schema["components"]["schemas"]}
    assert not {c for c in components if any(c.startswith(m) for m in record_models)}
    segments = {part for path in schema["paths"] for part in path.strip("/").split("/")}
    assert not segments & ({*RECORD_TYPES, *record_models, "records", "patrons"})


def test_the_records_page_after_opening_shows_them(planted, client_as) -> None:
    """The control: the planted contents are there, and only this path shows them."""
    response = client_as("staff").post(
        reverse("patron_records", args=[planted.pk]),
        {
            "purpose": Purpose.PATRON_REQUEST,
            "note": "asked at the desk",
            "record_types": ["loans", "searches", "reference", "program_registrations"],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert set(_leaks(response.content.decode())) == set(PLANTED)


#: What reaches library records past the refusing managers, and the modules allowed to use
#: it: the unguarded manager (the access function reads; retention, the importer and the
#: demo write), the managers Django keeps for itself, and the record tables by name.
BYPASSES: dict[str, set[str]] = {
    "_unguarded": {
        "patrons/record_access.py",
        "patrons/models.py",
        "patrons/retention.py",
        "patrons/importer/loans.py",
        "patrons/importer/writers.py",
        "patrons/demo.py",
    },
    "base_manager": {"patrons/models.py"},  # _base_manager, _meta.base_manager(_name)
    "default_manager": {"patrons/models.py"},  # _default_manager, _meta.default_manager
    "managers_map": set(),
    "_meta.managers": set(),
    **{rt.model._meta.db_table: set() for rt in RECORD_TYPES.values()},
}


def paths_past_the_guard(root: pathlib.Path) -> dict[str, list[str]]:
    """Modules under ``root`` (tests and migrations aside) that use a bypass they are not
    allowed, with the bypasses they use."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = str(path.relative_to(root))
        if "/tests/" in f"/{name}" or "/migrations/" in f"/{name}":
            continue
        text = path.read_text(encoding="utf-8")
        used = [word for word, allowed in BYPASSES.items() if word in text and name not in allowed]
        if used:
            found[name] = used
    return found


def test_only_the_access_function_reads_records_past_the_guard() -> None:
    """Any other module that reaches for a manager that does not refuse, or for a record
    table by name, is a second way in."""
    root = pathlib.Path(__file__).resolve().parents[2]
    assert paths_past_the_guard(root) == {}


def test_the_guard_finds_a_view_that_reads_through_the_base_manager(tmp_path) -> None:
    """The control: a view reading through ``_base_manager`` (or the other bypasses) is
    found, while the allowed modules are not."""
    (tmp_path / "patrons").mkdir()
    (tmp_path / "patrons" / "models.py").write_text("base_manager_name = '_saving'\n")
    (tmp_path / "shelf").mkdir()
    (tmp_path / "shelf" / "views.py").write_text(
        "def titles(request, patron):\n"
        "    return [loan.title for loan in Loan._base_manager.filter(patron=patron)]\n"
    )
    (tmp_path / "shelf" / "report.py").write_text(
        "SQL = 'SELECT title FROM patrons_loan'\nsearches = CatalogSearch._default_manager\n"
    )
    assert paths_past_the_guard(tmp_path) == {
        "shelf/report.py": ["default_manager", "patrons_loan"],
        "shelf/views.py": ["base_manager"],
    }


@pytest.mark.parametrize("key", list(RECORD_TYPES))
def test_the_base_manager_saves_but_refuses_to_read(key, planted) -> None:
    """``Model._base_manager`` is what Django reaches for itself (``refresh_from_db``,
    relations, ``dumpdata --all``): it must refuse like the default manager."""
    model = RECORD_TYPES[key].model
    base = model._base_manager
    assert base is not model._unguarded
    for read in (
        lambda: list(base.all()),
        lambda: base.filter(patron=planted).count(),
        lambda: base.filter(patron=planted).exists(),
        lambda: list(base.values_list("pk", flat=True)),
        lambda: base.first(),
        lambda: base.aggregate(n=Count("pk")),
        lambda: base.filter(patron=planted).update(patron=None),
        lambda: base.filter(patron=planted).delete(),
        lambda: list(base.raw(f"SELECT * FROM {model._meta.db_table}")),
        lambda: list(Patron.objects.filter(pk__in=base.values("patron_id"))),
    ):
        with pytest.raises(ConfidentialRecordError):
            read()
    row = model._unguarded.filter(patron=planted).first()
    assert row is not None
    with pytest.raises(ConfidentialRecordError):
        row.refresh_from_db()
    # Saving an instance goes through the base manager too, and works.
    row.ils_id = "saved"
    row.save()
    assert model._unguarded.get(pk=row.pk).ils_id == "saved"


def test_no_lookup_from_another_model_reaches_records() -> None:
    """Reverse relations to records are hidden (``related_name="+"``), but a hidden relation
    still has a lookup name; none may lead to a record model (it would join its table)."""
    record_models = {rt.model for rt in RECORD_TYPES.values()}
    reaching = [
        f"{model.__name__}.{name}"
        for model in apps.get_models()
        for name, rel in model._meta.fields_map.items()
        if getattr(rel, "related_model", None) in record_models and model not in record_models
    ]
    assert reaching == []


def test_a_library_or_branch_with_records_is_still_not_deleted(db) -> None:
    """Their records' foreign keys do nothing in Django (PROTECT would read the records
    through the base manager); the database refuses the deletion instead."""
    library = Library.objects.create(name="Test", slug="test", jurisdiction="US-MO")
    branch = Branch.objects.create(library=library, name="Main", slug="main")
    Loan._unguarded.create(library=library, item_barcode="3x", checked_out_at=timezone.now())
    Loan._unguarded.create(
        library=library, branch=branch, item_barcode="3y", checked_out_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Branch.objects.get(pk=branch.pk).delete()
        connection.check_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan._unguarded.filter(branch=branch).update(branch=None)
        Branch.objects.filter(pk=branch.pk).delete()  # now only the library holds records
        Library.objects.get(pk=library.pk).delete()
        connection.check_constraints()
    assert Loan._unguarded.filter(library=library).count() == 2
    # Without records, nothing stops it (the audit app relies on this: a library named in
    # the log is refused by the log's own PROTECT).
    Library.objects.create(name="Empty", slug="empty", jurisdiction="US-MO").delete()


def test_deleting_a_patron_cannot_unlink_their_records_unrecorded(db) -> None:
    """Records leave a patron by retention, with audit events; a deletion that would set
    ``patron`` to NULL through the base manager is refused."""
    library = Library.objects.create(name="Test", slug="test", jurisdiction="US-MO")
    reader = Patron.objects.create(library=library, last_name="Reader")
    loan = Loan._unguarded.create(
        library=library, patron=reader, item_barcode="3x", checked_out_at=timezone.now()
    )
    with pytest.raises(ConfidentialRecordError), transaction.atomic():
        reader.delete()
    assert Loan._unguarded.get(pk=loan.pk).patron_id == reader.pk
