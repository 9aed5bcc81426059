"""IT-3: Bookwarden never stores a secret.  Every text field of the forms and the actions
refuses what looks like a password, and ordinary names, paths and item ids pass."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bookwarden.credentials import actions
from bookwarden.credentials.forms import RotationForm
from bookwarden.credentials.models import Credential, Rotation
from bookwarden.credentials.secrets_check import REFUSAL, looks_like_password

PASSWORDS = [
    "P@ssw0rd!",
    "Tr0ub4dor&3",
    "7hG#kq2Lz",
    "password: hunter2",
    "pwd=letmein",
    "Pass = abc",
    "the new one is Summer2024!",
    "XkQpLmRtVwZy",
]
NAMES = [
    "ILS database",
    "Main router",
    "Bitwarden: Network/Main router",
    "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
    "ikf3ja7bsrgvfd4ywtpx6kqwzu",
    "NMM-PRN-01",
    "svc_backup2024",
    "root@ils01",
    "postmaster@newmadrid.example.org",
    'Shared-IT vault, item "Koha DB root"',
    "Mail admin (Google Workspace)",
    "Changed after the vendor visit.",
]


@pytest.mark.parametrize("text", PASSWORDS)
def test_what_looks_like_a_password_is_refused(text) -> None:
    assert looks_like_password(text)


@pytest.mark.parametrize("text", NAMES)
def test_names_paths_and_item_ids_pass(text) -> None:
    assert not looks_like_password(text)


@pytest.mark.parametrize("field", ["system", "account_name", "manager_item"])
def test_the_action_refuses_a_password_in_any_field_and_writes_nothing(
    make_credential, field
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_credential(**{field: "Tr0ub4dor&3"})
    assert refused.value.message_dict == {field: [REFUSAL]}
    assert not Credential.objects.exists()


def test_a_rotation_note_with_a_password_is_refused(people, make_credential) -> None:
    credential = make_credential()
    with pytest.raises(ValidationError):
        actions.record_rotation(
            actor=people["it_staff"],
            credential=credential,
            changed_on=credential.last_changed_on,
            changed_by=people["it_staff"],
            note="new one: Winter2026#",
        )
    assert not Rotation.objects.exists()
    form = RotationForm(
        {"changed_on": "2026-01-01", "changed_by": people["it_staff"].pk, "note": "pwd=abc"},
        people=type(people["it_staff"]).objects.all(),
    )
    assert not form.is_valid()
    assert form.errors["note"] == [REFUSAL]


def test_the_add_page_refuses_a_password_and_says_why(client_as, new_madrid) -> None:
    response = client_as("tech_coordinator").post(
        f"/credentials/new/{new_madrid.slug}/",
        {
            "system": "Main router",
            "kind": "router",
            "account_name": "admin",
            "manager_kind": "keepass",
            "manager_item": "P@ssw0rd!2026",
            "last_changed_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "This looks like a password." in response.content.decode()
    assert not Credential.objects.exists()
