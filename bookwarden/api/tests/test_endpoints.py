"""Each endpoint (IT-10, CC-2, CC-1, CC-10, CC-7, CC-5): it does what its page does, through
the same action, with its audit event in the same transaction; a role without the
permission is 403, another library's 404, bad fields 400 with each field's message."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Branch
from bookwarden.core.tests.helpers import an_operations_entry_of, audit_head, events_since
from bookwarden.devices.models import Device, PatchRecord
from bookwarden.devices.tests.factories import a_device
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.operations.models import LogEntry
from bookwarden.training.models import Completion
from bookwarden.training.tests.factories import quiz_course


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


# --- the operations log -------------------------------------------------------------------


def test_report_a_concern(api_as, people, new_madrid) -> None:
    """CC-2: any member of staff reports; the entry and its event commit together."""
    head = audit_head()
    branch = Branch.objects.filter(library=new_madrid).first()
    response = _post(
        api_as("volunteer"),
        reverse("api:concerns", args=["new-madrid"]),
        {"narrative": "A stranger at the staff PC", "kind": "phishing", "branch": branch.pk},
    )
    assert response.status_code == 201, response.content
    entry = LogEntry.objects.get(pk=response.json()["id"])
    assert (entry.reported_by, entry.branch, entry.kind) == (
        people["volunteer"],
        branch,
        "phishing",
    )
    [event] = events_since(head, AuditAction.OPS_ENTRY_CREATED)
    assert event.actor_id == people["volunteer"].pk and event.target_id == str(entry.pk)


def test_report_refusals(api_as, people, new_madrid) -> None:
    url = reverse("api:concerns", args=["new-madrid"])
    bad = _post(api_as("staff"), url, {"narrative": "", "kind": "nonsense", "branch": 999999})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"narrative", "kind"}
    assert _post(api_as("auditor"), url, {"narrative": "x"}).status_code == 403
    assert _post(api_as("outsider"), url, {"narrative": "x"}).status_code == 404
    assert not LogEntry.objects.exists()
    wrong_branch = _post(api_as("staff"), url, {"narrative": "x", "branch": 999999})
    assert wrong_branch.status_code == 400 and "branch" in wrong_branch.json()


def test_an_action_refusal_is_a_400_with_the_field(api_as) -> None:
    later = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    response = _post(
        api_as("staff"),
        reverse("api:concerns", args=["new-madrid"]),
        {"narrative": "x", "occurred_at": later},
    )
    assert response.status_code == 400
    assert response.json() == {"occurred_at": ["That is in the future."]}


def test_list_and_read_entries_with_the_page_filters(api_as, new_madrid, client_as) -> None:
    """IT-10: the same filters as the log's page give the same entries."""
    entry_id = an_operations_entry_of(new_madrid)
    client = api_as("auditor")
    listed = client.get(reverse("api:entries"), {"kind": "intrusion", "status": "unclosed"})
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["results"]] == [entry_id]
    assert listed.json()["results"][0]["occurred_at"].endswith("Z")  # UTC
    assert client.get(reverse("api:entries"), {"kind": "malware"}).json()["count"] == 0
    page = client_as("auditor").get(reverse("operations:list"), {"kind": "intrusion"})
    assert f"/operations/{entry_id}/" in page.content.decode()
    bad = client.get(reverse("api:entries"), {"since": "2026-12-05", "until": "2026-12-01"})
    assert bad.status_code == 400 and bad.json()
    detail = client.get(reverse("api:entry", args=[entry_id]))
    assert detail.status_code == 200 and detail.json()["is_incident"] is True
    assert api_as("staff").get(reverse("api:entry", args=[entry_id])).status_code == 403
    assert api_as("staff").get(reverse("api:entries")).status_code == 403
    assert api_as("outsider").get(reverse("api:entry", args=[entry_id])).status_code == 404
    assert api_as("outsider").get(reverse("api:entries")).json()["count"] == 0


# --- the roster ------------------------------------------------------------------------------


def test_roster(api_as, people) -> None:
    """CC-1: the library's people and roles in force, for human resources."""
    response = api_as("human_resources").get(reverse("api:roster", args=["new-madrid"]))
    assert response.status_code == 200
    usernames = {row["username"] for row in response.json()["results"]}
    assert people["staff"].username in usernames
    assert people["outsider"].username not in usernames
    assert api_as("staff").get(reverse("api:roster", args=["new-madrid"])).status_code == 403
    assert api_as("outsider").get(reverse("api:roster", args=["new-madrid"])).status_code == 404


def test_roster_query_count(api_as, django_assert_num_queries) -> None:
    client = api_as("human_resources")
    url = reverse("api:roster", args=["new-madrid"])
    client.get(url)
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


# --- compliance ------------------------------------------------------------------------------


def test_compliance_status_is_what_the_controls_compute(api_as, new_madrid) -> None:
    """CC-8: a board member's or auditor's token reads each control's status as the
    compliance pages compute it, every requirement's control included."""
    from bookwarden.compliance.controls import evaluate

    url = reverse("api:compliance", args=["new-madrid"])
    response = api_as("auditor").get(url, {"framework": "bookwarden"})
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    expected = {
        r.control.id: r
        for r in evaluate([new_madrid])[new_madrid.pk]
        if r.control.framework == "bookwarden"
    }
    assert set(rows) == set(expected)
    for control_id, result in expected.items():
        assert rows[control_id]["status"] == result.status
        assert rows[control_id]["failures"] == [f for c in result.checks for f in c.failures]
    assert any("CC-10" in row["requirements"] for row in rows.values())
    both = api_as("auditor").get(url).json()
    assert {row["framework"] for row in both} == {"bookwarden", "ala"}
    assert api_as("staff").get(url).status_code == 403
    assert api_as("outsider").get(url).status_code == 404


# --- training ------------------------------------------------------------------------------------


def test_record_a_completion(api_as, people, new_madrid) -> None:
    """CC-10: a completion from an online provider, recorded through the training action."""
    course = quiz_course(new_madrid, people["tech_coordinator"])
    head = audit_head()
    url = reverse("api:completions", args=["new-madrid"])
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = {"course": course.pk, "username": people["staff"].username, "completed_on": day}
    response = _post(api_as("tech_coordinator"), url, data)
    assert response.status_code == 201, response.content
    assert Completion.objects.filter(course=course, user=people["staff"]).count() == 1
    [event] = events_since(head, AuditAction.TRAINING_COMPLETION_RECORDED)
    assert event.actor_id == people["tech_coordinator"].pk
    again = _post(api_as("tech_coordinator"), url, data)
    assert again.status_code == 400  # the action's own refusal
    assert _post(api_as("staff"), url, data).status_code == 403
    assert _post(api_as("outsider"), url, data).status_code == 404
    stranger = {**data, "username": people["outsider"].username}
    assert "username" in _post(api_as("director"), url, stranger).json()
    assert "course" in _post(api_as("director"), url, {**data, "course": 999999}).json()


# --- devices ------------------------------------------------------------------------------------


def test_devices_read_update_and_patch(api_as, people, new_madrid) -> None:
    """CC-7: the inventory read with the page's filters, a device changed, patches recorded,
    each through the devices actions."""
    device = a_device(new_madrid, "API-PC-01")
    client = api_as("it_staff")
    listed = client.get(reverse("api:devices"), {"kind": device.kind})
    assert device.pk in [d["id"] for d in listed.json()["results"]]
    assert client.get(reverse("api:devices"), {"kind": "nonsense"}).status_code == 400

    head = audit_head()
    url = reverse("api:device", args=[device.pk])
    changed = client.patch(url, {"operating_system": "Windows 11"}, "application/json")
    assert changed.status_code == 200, changed.content
    device.refresh_from_db()
    assert device.operating_system == "Windows 11" and device.branch_id is not None
    assert [e.actor_id for e in events_since(head, AuditAction.DEVICE_CHANGED)] == [
        people["it_staff"].pk
    ]

    day = timezone.localdate().isoformat()
    patched = _post(
        client,
        reverse("api:patches", args=["new-madrid"]),
        {"devices": [device.pk], "patched_on": day},
    )
    assert patched.status_code == 201, patched.content
    assert PatchRecord.objects.filter(device=device).count() == 1
    assert events_since(head, AuditAction.DEVICE_PATCHED)

    added = _post(
        client, reverse("api:device_add", args=["new-madrid"]), {"kind": "router", "name": "RT-9"}
    )
    assert added.status_code == 201, added.content
    assert Device.objects.filter(library=new_madrid, name="RT-9").exists()


def test_device_refusals(api_as, new_madrid, cresco) -> None:
    device = a_device(new_madrid, "API-PC-02")
    url = reverse("api:device", args=[device.pk])
    assert api_as("auditor").get(url).status_code == 200
    assert api_as("auditor").patch(url, {"notes": "x"}, "application/json").status_code == 403
    assert api_as("staff").get(url).status_code == 403
    assert api_as("outsider").get(url).status_code == 404
    assert api_as("outsider").patch(url, {"notes": "x"}, "application/json").status_code == 404
    theirs = a_device(cresco, "CR-PC-01")
    patches = reverse("api:patches", args=["new-madrid"])
    day = timezone.localdate().isoformat()
    refused = _post(api_as("director"), patches, {"devices": [theirs.pk], "patched_on": day})
    assert refused.status_code == 400 and "devices" in refused.json()
    assert not PatchRecord.objects.filter(device=theirs).exists()


def test_devices_query_count(api_as, new_madrid, django_assert_num_queries) -> None:
    for n in range(3):
        a_device(new_madrid, f"QC-PC-0{n}")
    client = api_as("it_staff")
    client.get(reverse("api:devices"))
    with django_assert_num_queries(6):
        assert client.get(reverse("api:devices")).status_code == 200


# --- requests for records ----------------------------------------------------------------------


INTAKE = {
    "requester_name": "Det. Ann Carter",
    "requester_type": "law_enforcement",
    "instrument": "subpoena",
    "patrons_as_named": "The patron with card 21000000000037",
    "record_types": ["loans"],
}


def test_intake_records_for_the_custodian_and_releases_nothing(api_as, people) -> None:
    """CC-5: any member of staff records the request; the answer says only that it was
    recorded, and no patron or record is in it."""
    head = audit_head()
    response = _post(api_as("staff"), reverse("api:intake", args=["new-madrid"]), INTAKE)
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id", "status", "received_at"}
    request = DisclosureRequest.objects.get(pk=response.json()["id"])
    assert request.received_by == people["staff"] and request.status == "recorded"
    [event] = events_since(head, AuditAction.DISCLOSURE_REQUEST_RECORDED)
    assert event.actor_id == people["staff"].pk


def test_intake_refusals(api_as) -> None:
    url = reverse("api:intake", args=["new-madrid"])
    assert _post(api_as("auditor"), url, INTAKE).status_code == 403
    assert _post(api_as("outsider"), url, INTAKE).status_code == 404
    bad = _post(api_as("staff"), url, {**INTAKE, "record_types": [], "instrument": "x"})
    assert bad.status_code == 400 and {"record_types", "instrument"} <= set(bad.json())
    assert not DisclosureRequest.objects.exists()


def test_a_write_and_its_event_stand_or_fall_together(api_as, monkeypatch) -> None:
    """The endpoint's write is the action's: when its audit event cannot be written, the
    entry is not written either."""
    from bookwarden.operations.actions import entries

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    client = api_as("staff")
    monkeypatch.setattr(entries, "record", broken)
    with pytest.raises(RuntimeError):
        _post(client, reverse("api:concerns", args=["new-madrid"]), {"narrative": "x"})
    assert not LogEntry.objects.exists()


def test_a_day_far_outside_is_a_field_error_on_the_page_and_in_the_api(api_as, client_as) -> None:
    """The shared filter form bounds its days: the last day of year 9999 once overflowed the
    search's times (a 500 on the page and in the API)."""
    far = {"until": "9999-12-31"}
    response = api_as("director").get(reverse("api:entries"), far)
    assert response.status_code == 400 and "until" in response.json()
    assert client_as("director").get(reverse("operations:list"), far).status_code == 200


def test_a_report_sent_again_with_its_key_is_made_once(api_as, people) -> None:
    """A client that retries after a lost answer sends the same Idempotency-Key: the first
    report is returned (200), nothing new is written; another key makes another report."""
    client = api_as("staff")
    url = reverse("api:concerns", args=["new-madrid"])
    first = client.post(url, {"narrative": "x"}, "application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    head = audit_head()
    again = client.post(url, {"narrative": "x"}, "application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert events_since(head) == []
    other = client.post(url, {"narrative": "x"}, "application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201 and LogEntry.objects.count() == 2
    # The same key of another person is theirs alone.
    theirs = api_as("volunteer").post(
        url, {"narrative": "x"}, "application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert theirs.status_code == 201
