"""The pages (IT-2, IT-3, IT-4): what to change first, a login and its history, record a
change, mark compromised, the CSV for an auditor; another library's login is 404, a role
without the permission 403; the query counts are pinned."""

from __future__ import annotations

import csv
import datetime
import io

from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.credentials.models import Credential


def test_the_list_puts_what_must_change_first(
    client_as, make_credential, django_assert_max_num_queries
) -> None:
    make_credential(days_ago=10, system="Firewall", kind="firewall")
    make_credential(days_ago=200, system="Main router")
    for n in range(5):
        make_credential(days_ago=20 + n, system=f"Server {n}", kind="server")
    client = client_as("auditor")
    with django_assert_max_num_queries(10):
        page = client.get("/credentials/").content.decode()
    assert page.index("Main router") < page.index("Firewall")
    assert "Overdue" in page
    assert "Add a shared login" not in page  # the auditor reads only
    assert "Add a shared login" in client_as("it_staff").get("/credentials/").content.decode()


def test_who_may_see_and_who_may_write(client_as, make_credential, new_madrid) -> None:
    credential = make_credential()
    url = f"/credentials/{credential.pk}/"
    assert client_as("staff").get("/credentials/").status_code == 403
    assert client_as("outsider").get(url).status_code == 404
    assert client_as("auditor").get(url).status_code == 200
    assert client_as("auditor").get(url + "change/").status_code == 403
    assert client_as("auditor").post(url + "edit/", {"system": "x"}).status_code == 403
    assert client_as("outsider").get(f"/credentials/new/{new_madrid.slug}/").status_code == 404
    assert (
        client_as("tech_coordinator").get(f"/credentials/settings/{new_madrid.slug}/").status_code
        == 403
    )


def test_record_a_change_from_the_page(
    people, client_as, make_credential, django_assert_max_num_queries
) -> None:
    credential = make_credential(days_ago=200)
    client = client_as("it_staff")
    url = f"/credentials/{credential.pk}/change/"
    response = client.post(
        url,
        {
            "changed_on": timezone.localdate().isoformat(),
            "changed_by": people["it_staff"].pk,
            "note": "Done after hours.",
        },
    )
    assert response.status_code == 302
    with django_assert_max_num_queries(12):
        page = client.get(f"/credentials/{credential.pk}/").content.decode()
    assert "Done after hours." in page
    assert "Overdue" not in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"changed_on": tomorrow, "changed_by": people["it_staff"].pk})
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()


def test_mark_compromised_from_the_page(people, client_as, make_credential, new_madrid) -> None:
    from bookwarden.operations.actions import create_entry

    credential = make_credential()
    incident = create_entry(
        actor=people["it_staff"],
        library=new_madrid,
        kind="intrusion",
        title="Unknown login on the router",
        narrative="A login from abroad.",
        occurred_at=timezone.now(),
    )
    client = client_as("tech_coordinator")
    page = client.get(f"/credentials/{credential.pk}/compromised/").content.decode()
    assert "Unknown login on the router" in page
    response = client.post(f"/credentials/{credential.pk}/compromised/", {"incident": incident.pk})
    assert response.status_code == 302
    assert Credential.objects.get(pk=credential.pk).is_due_now


def test_add_from_the_page(people, client_as, new_madrid, router) -> None:
    response = client_as("tech_coordinator").post(
        f"/credentials/new/{new_madrid.slug}/",
        {
            "system": "Main router",
            "kind": "router",
            "account_name": "admin",
            "manager_kind": "bitwarden",
            "manager_item": "Network / Main router",
            "last_changed_on": "2026-01-01",
            "holders": [people["it_staff"].pk],
            "devices": [router.pk],
        },
    )
    assert response.status_code == 302
    credential = Credential.objects.get()
    assert list(credential.devices.all()) == [router]
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIAL_ADDED).exists()


def test_the_changes_of_a_year_as_csv(people, client_as, make_credential, new_madrid) -> None:
    from bookwarden.credentials import actions

    credential = make_credential(days_ago=200)
    actions.record_rotation(
        actor=people["it_staff"],
        credential=credential,
        changed_on=timezone.localdate(),
        changed_by=people["it_staff"],
    )
    response = client_as("auditor").get(f"/credentials/export/{new_madrid.slug}/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["system", "account", "kind", "changed_on"]
    assert rows[1][0] == "Main router" and rows[1][4] == people["it_staff"].username
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIAL_ROTATIONS_EXPORTED).exists()
    old = client_as("auditor").get(
        f"/credentials/export/{new_madrid.slug}/", {"start": "2020-01-01", "end": "2020-12-31"}
    )
    assert len(list(csv.reader(io.StringIO(old.content.decode())))) == 1
