"""DESIGN mechanism 4, CC-6: another library's entries do not exist for Cresco's people;
every page and action of the log answers 404 for them, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from bookwarden.audit.models import AuditEvent
from bookwarden.operations import actions
from bookwarden.operations.models import LogEntry


def test_other_libraries_entries_are_404(people, make_entry, client_as) -> None:
    entry = make_entry(kind="intrusion", title="Intrusion", preventive_measures="x")
    attachment = actions.add_attachment(
        actor=people["it_staff"], entry=entry, upload=SimpleUploadedFile("a.txt", b"abc")
    )
    head = AuditEvent.objects.order_by("-seq").first().seq  # type: ignore[union-attr]
    client = client_as("outsider")
    base = f"/operations/{entry.pk}"
    for url in (f"{base}/", f"{base}/edit/", f"{base}/attachments/{attachment.pk}/"):
        assert client.get(url).status_code == 404, url
    for url in ("steps/", "attachments/", "close/", "acknowledge/", "passwords-changed/"):
        assert client.post(f"{base}/{url}", {"text": "x"}).status_code == 404, url
    missing = client.get("/operations/999999/")
    assert missing.status_code == 404
    assert not AuditEvent.objects.filter(seq__gt=head).exclude(action__startswith="auth.")
    assert LogEntry.objects.get(pk=entry.pk).status == "open"


def test_actions_refuse_another_library(people, make_entry) -> None:
    entry = make_entry()
    with pytest.raises(PermissionDenied):
        actions.update_entry(actor=people["outsider"], entry=entry, title="x")
    with pytest.raises(PermissionDenied):
        actions.close_entry(actor=people["outsider"], entry=entry)
    with pytest.raises(PermissionDenied):
        actions.report_concern(
            actor=people["outsider_staff"],
            library=entry.library,
            narrative="x",
        )


def test_staff_without_the_log_get_403_on_entries(make_entry, client_as) -> None:
    entry = make_entry()
    for who in ("staff", "volunteer", "contractor"):
        assert client_as(who).get(f"/operations/{entry.pk}/").status_code == 403
        assert client_as(who).get("/operations/").status_code == 403
