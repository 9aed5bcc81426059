"""The software pages (CC-4, LV-6, LV-10): asking from the form, deciding from the
request's page, the catalog with seats; permissions, another library's 404, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookwarden.software import actions
from bookwarden.software.models import (
    Installation,
    LicenseKind,
    RequestKind,
    RequestStatus,
    SoftwareRequest,
)

pytestmark = pytest.mark.django_db


def test_staff_ask_for_software_from_the_form(people, client_as, make_device, make_software):
    pc, reader = make_device(), make_software()
    client = client_as("staff")
    assert client.get(reverse("software:request_new")).status_code == 200
    response = client.post(
        reverse("software:request_new"),
        {"kind": "install", "device": pc.pk, "software": reader.pk, "reason": "PDF forms."},
    )
    request = SoftwareRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("software:request", args=[request.pk])
    assert (request.requested_by, request.status) == (people["staff"], RequestStatus.PENDING)
    page = client.get(reverse("software:my_requests")).content.decode()
    assert "Acrobat Reader" in page and "Waiting for a decision" in page


def test_the_coordinator_decides_from_the_request_page_and_sees_why_not(
    people, client_as, make_device, make_software
):
    tool = make_software("Zoom", license_kind=LicenseKind.PER_SEAT, seats=1)
    first = actions.request_software(
        actor=people["staff"],
        device=make_device(),
        kind=RequestKind.INSTALL,
        software=tool,
        reason="Meetings.",
    )
    second = actions.request_software(
        actor=people["staff"],
        device=make_device("PC-2"),
        kind=RequestKind.INSTALL,
        software=tool,
        reason="Meetings.",
    )
    client = client_as("tech_coordinator")
    client.post(reverse("software:decide", args=[first.pk]), {"decision": "approve", "note": ""})
    assert Installation.objects.filter(request=first).exists()
    page = client.get(reverse("software:request", args=[second.pk])).content.decode()
    assert "every seat of Zoom" in page
    client.post(reverse("software:decide", args=[second.pk]), {"decision": "approve", "note": ""})
    second.refresh_from_db()
    assert second.status == RequestStatus.PENDING
    client.post(
        reverse("software:decide", args=[second.pk]), {"decision": "refuse", "note": "No seat."}
    )
    second.refresh_from_db()
    assert second.status == RequestStatus.REFUSED
    staff_page = client_as("staff").get(reverse("software:request", args=[second.pk]))
    assert "No seat." in staff_page.content.decode()


def test_adding_software_from_the_page(people, client_as, new_madrid):
    client = client_as("it_staff")
    response = client.post(
        reverse("software:new", args=[new_madrid.slug]),
        {"name": "Editor", "license_kind": "per_seat", "seats": "", "notes": ""},
    )
    assert response.status_code == 200
    assert "how many seats" in response.content.decode()
    response = client.post(
        reverse("software:new", args=[new_madrid.slug]),
        {"name": "Editor", "license_kind": "per_seat", "seats": "5", "notes": ""},
    )
    assert response.status_code == 302
    assert client.get(reverse("software:list")).content.decode().count("0 of 5 seats") == 1
    assert (
        client_as("staff").get(reverse("software:new", args=[new_madrid.slug])).status_code == 403
    )


def test_another_librarys_request_and_software_are_404(
    people, client_as, make_device, make_software, cresco
):
    theirs = make_software("Cresco tool", library=cresco)
    request = actions.request_software(
        actor=people["outsider"],
        device=make_device("CR-PC", library=cresco),
        kind=RequestKind.INSTALL,
        software=theirs,
        reason="x",
    )
    client = client_as("tech_coordinator")
    assert client.get(reverse("software:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("software:request", args=[request.pk])).status_code == 404
    decide = client.post(reverse("software:decide", args=[request.pk]), {"decision": "approve"})
    assert decide.status_code == 404


def test_a_colleagues_request_is_not_for_other_staff(people, client_as, make_device, make_software):
    request = actions.request_software(
        actor=people["staff"],
        device=make_device(),
        kind=RequestKind.INSTALL,
        software=make_software(),
        reason="x",
    )
    assert (
        client_as("volunteer").get(reverse("software:request", args=[request.pk])).status_code
        == 403
    )
    assert (
        client_as("it_staff").get(reverse("software:request", args=[request.pk])).status_code == 200
    )


def _fill(people, make_device, make_software, n=6):
    coordinator = people["tech_coordinator"]
    for i in range(n):
        sw = make_software(f"Tool {i}")
        pc = make_device(f"PC-{i}")
        r = actions.request_software(
            actor=people["staff"], device=pc, kind=RequestKind.INSTALL, software=sw, reason="x"
        )
        if i % 2:
            actions.decide_request(actor=coordinator, request=r, approve=True)


@pytest.mark.parametrize(
    ("key", "name", "limit"),
    [
        ("tech_coordinator", "software:list", 10),
        ("tech_coordinator", "software:queue", 10),
        ("staff", "software:my_requests", 8),
        ("staff", "software:request_new", 9),
    ],
)
def test_query_counts_are_pinned(
    people,
    client_as,
    make_device,
    make_software,
    django_assert_max_num_queries,
    key,
    name,
    limit,
):
    _fill(people, make_device, make_software)
    client = client_as(key)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200


def test_detail_query_counts_are_pinned(
    people, client_as, make_device, make_software, django_assert_max_num_queries
):
    _fill(people, make_device, make_software)
    sw = make_software("Tool 1")
    request = SoftwareRequest.objects.filter(status=RequestStatus.PENDING).first()
    client = client_as("tech_coordinator")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("software:detail", args=[sw.pk])).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("software:request", args=[request.pk])).status_code == 200
