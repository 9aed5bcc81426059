"""The translations are complete and the compiled catalogs match them (issue 15).

A fresh machine may have no GNU gettext, so the compiled ``.mo`` files are committed: each
must say what its ``.po`` says.  No entry may be fuzzy, untranslated or obsolete, and every
string a patron reads (the portal's templates and code, the notices and letters to patrons,
the words they are built from) must have its Spanish.  ``docs/translations.md`` says how to
update them."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.utils.translation.template import templatize

from bookwarden.disclosures.rules.schema import RECORDS
from bookwarden.disclosures.scopes import TOLD_TO_PATRON
from bookwarden.disclosures.wording import REQUESTER_IN_SENTENCE
from bookwarden.patrons.models import CardStatus, HoldStatus
from bookwarden.patrons.record_access import Purpose
from bookwarden.patrons.records import RECORD_TYPES
from bookwarden.portal.notice import CLOCK
from bookwarden.vendors.models import DATA_CATEGORIES

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGS = sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/django.po"))
SPANISH = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"

#: What patrons read, written in templates.
PATRON_TEMPLATES = [
    *sorted((PACKAGE / "portal" / "templates").glob("**/*.html")),
    PACKAGE / "breach" / "templates" / "breach" / "letters_print.html",
    PACKAGE / "disclosures" / "templates" / "disclosures" / "patron_letters.html",
    PACKAGE / "core" / "templates" / "_form.html",
    PACKAGE / "core" / "templates" / "_field.html",
]
#: ... and in code.
PATRON_MODULES = [
    *sorted((PACKAGE / "portal").glob("*.py")),
    PACKAGE / "breach" / "notices.py",
    PACKAGE / "disclosures" / "actions" / "notices.py",
    PACKAGE / "patrons" / "pins.py",
    PACKAGE / "core" / "when.py",
]
GETTEXT = {"gettext", "gettext_lazy", "gettext_noop", "_", "ngettext", "ngettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _entries(catalog: Any) -> dict[tuple[str, str, str], Any]:
    return {
        (e.msgctxt or "", e.msgid, e.msgid_plural or ""): (
            e.msgstr if not e.msgid_plural else tuple(sorted(e.msgstr_plural.items()))
        )
        for e in catalog
        if e.msgid
    }


def test_there_is_a_spanish_catalog() -> None:
    assert SPANISH in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_entry_is_translated_and_compiled(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    assert not po.metadata_is_fuzzy, "the header is fuzzy"
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.obsolete_entries(), [e.msgid for e in po.obsolete_entries()]
    for entry in po:
        said = set(PLACEHOLDER.findall(entry.msgid))
        for text in [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values():
            assert set(PLACEHOLDER.findall(text)) == said, entry.msgid
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `bookwarden compilemessages`"
    assert _entries(polib.mofile(str(mo_path))) == _entries(po), (
        f"{mo_path.name} does not match {po_path.name}: run `bookwarden compilemessages`"
    )


def _spanish() -> dict[str, bool]:
    """Each message id of the Spanish catalog, and whether it has its Spanish."""
    po = polib.pofile(str(SPANISH))
    return {
        e.msgid: (all(e.msgstr_plural.values()) if e.msgid_plural else bool(e.msgstr))
        and "fuzzy" not in e.flags
        for e in po
    }


def _from_templates() -> set[str]:
    found = set()
    call = re.compile(r"\bn?gettext\((u'(?:[^'\\]|\\.)*')")
    for path in PATRON_TEMPLATES:
        for literal in call.findall(templatize(path.read_text(encoding="utf-8"))):
            found.add(ast.literal_eval(literal[1:]))
    return found


def _from_code() -> set[str]:
    found = set()
    for path in PATRON_MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _words_they_are_built_from() -> set[str]:
    return {
        *(rt.label for rt in RECORD_TYPES.values()),
        *(heading for rt in RECORD_TYPES.values() for heading, _ in rt.columns),
        *(str(p.label) for p in Purpose),
        *(str(s.label) for s in (*CardStatus, *HoldStatus)),
        *CLOCK.values(),
        *TOLD_TO_PATRON.values(),
        *REQUESTER_IN_SENTENCE.values(),
        *(label for _, label in DATA_CATEGORIES),
        *RECORDS.values(),
    }


def test_every_string_a_patron_reads_is_in_spanish() -> None:
    spanish = _spanish()
    wanted = _from_templates() | _from_code() | _words_they_are_built_from()
    assert len(wanted) > 150  # the search found the strings
    missing = sorted(s for s in wanted if not spanish.get(s))
    assert not missing, (
        "Strings patrons read without their Spanish (docs/translations.md): " + repr(missing)
    )
