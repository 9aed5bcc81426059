"""Labels that pages, messages and the audit log show people carry no requirement ids
(CC-9, CR-5b ...): those belong in docstrings, tests and docs (issue 10)."""

from __future__ import annotations

import pytest
from django.db import models

from bookwarden.audit.models import AuditAction
from bookwarden.core.jurisdictions import jurisdiction_name
from bookwarden.core.roles import Perm, Role
from bookwarden.disclosures.wording import REQUIREMENT_ID
from bookwarden.operations.models import LogEntry
from bookwarden.patrons.record_access import Purpose
from bookwarden.patrons.record_kinds import RecordKind


@pytest.mark.parametrize("choices", [AuditAction, Perm, Role, Purpose, RecordKind])
def test_choice_labels_carry_no_requirement_ids(choices: type[models.TextChoices]) -> None:
    marked = [str(label) for label in choices.labels if REQUIREMENT_ID.search(str(label))]
    assert not marked, marked


def test_help_texts_carry_no_requirement_ids() -> None:
    from django.apps import apps

    marked = [
        f"{model.__name__}.{field.name}: {field.help_text}"
        for model in apps.get_models()
        if model.__module__.startswith("bookwarden.")
        for field in model._meta.get_fields()
        if REQUIREMENT_ID.search(str(getattr(field, "help_text", "")))
    ]
    assert not marked, marked
    assert LogEntry._meta.get_field("outside_party").help_text  # still says what it is


def test_a_jurisdiction_reads_as_the_state_name() -> None:
    assert jurisdiction_name("US-MO") == "Missouri"
    assert jurisdiction_name("US-IA") == "Iowa"
    assert jurisdiction_name("CA-ON") == "CA-ON"  # not a US state: the code, not a guess
