"""The audit-log pages: who may open them, what each person sees, the filters, the htmx
partial, and that opening the log is itself recorded (LV-3, CC-9, CR-5, NM-4)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bookwarden.audit.actions import record
from bookwarden.audit.context import audit_context
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library

LIST = reverse("audit:list")
OLD_DAY = datetime.datetime(2024, 1, 15, 18, 0, tzinfo=datetime.UTC)  # noon in Missouri


@pytest.fixture
def libraries(people) -> dict[str, Library]:
    return {lib.slug: lib for lib in Library.objects.all()}


@pytest.fixture
def events(people, libraries) -> dict[str, AuditEvent]:
    """A few events of each library on top of the demo's, one of them from January 2024."""
    nm, cresco = libraries["new-madrid"], libraries["cresco"]
    with time_machine.travel(OLD_DAY, tick=False):
        old = record(
            AuditAction.LIBRARY_SETTINGS_CHANGED,
            actor=people["director"],
            target=nm,
            library=nm,
            before={"idle_timeout_minutes": 15},
            after={"idle_timeout_minutes": 10},
        )
    with audit_context(request_id="req-findme", ip="192.0.2.44"):
        findme = record(
            AuditAction.ROLE_REVOKED,
            actor=people["designee"],
            library=nm,
            subject_user=people["volunteer"],
            purpose="Volunteer term over",
        )
    cresco_event = record(
        AuditAction.LIBRARY_SETTINGS_CHANGED,
        actor=people["outsider"],
        target=cresco,
        library=cresco,
        purpose="Cresco only",
    )
    nm_account = record(AuditAction.LOGIN, actor=people["staff"], subject_user=people["staff"])
    cresco_account = record(
        AuditAction.LOGIN, actor=people["outsider_staff"], subject_user=people["outsider_staff"]
    )
    return {
        "old": old,
        "findme": findme,
        "cresco": cresco_event,
        "nm_account": nm_account,
        "cresco_account": cresco_account,
    }


def listed(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def last_viewed() -> AuditEvent:
    return AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED).latest("seq")


# --- Who may open the log ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["director", "designee", "auditor"])
def test_oversight_roles_open_the_log_and_are_recorded(client_as, people, libraries, key) -> None:
    client: Client = client_as(key)
    before = AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED).count()
    for n in (1, 2):
        response = client.get(LIST)
        assert response.status_code == 200
        assert b"<h1>Audit log</h1>" in response.content
        viewed = AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED)
        assert viewed.count() == before + n  # every opening is an event
        event = last_viewed()
        assert event.actor == people[key]
        assert event.library == libraries["new-madrid"]
        assert event.after == {"filters": {}, "page": 1}
        assert event.request_id == response["X-Request-ID"]


@pytest.mark.parametrize("key", ["staff", "volunteer", "it_staff", "contractor", "outsider_staff"])
def test_other_roles_are_refused(client_as, key) -> None:
    client = client_as(key)
    count = AuditEvent.objects.count()
    assert client.get(LIST).status_code == 403
    some_event = AuditEvent.objects.order_by("seq").first()
    assert client.get(reverse("audit:detail", args=[some_event.pk])).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert AuditEvent.objects.count() == count  # a refusal views nothing


def test_anonymous_is_sent_to_login(people) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_person_without_any_role_gets_404(db, django_user_model) -> None:
    nobody = django_user_model.objects.create_user("nobody", password="x" * 20)
    client = Client()
    client.force_login(nobody, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert client.get(LIST).status_code == 404


# --- What each library sees ----------------------------------------------------------------


def test_director_sees_own_library_and_own_staff_account_events(client_as, people, events):
    response = client_as("director").get(LIST, {"page": 1})
    shown = {e.pk for e in listed(response)}
    for key in ("old", "findme", "nm_account"):
        assert events[key].pk in shown
    assert events["cresco"].pk not in shown
    assert events["cresco_account"].pk not in shown
    visible = AuditEvent.objects.for_user(people["director"])
    assert not visible.filter(library__slug="cresco").exists()
    assert visible.filter(action=AuditAction.MFA_ADDED, subject_user=people["designee"]).exists()
    assert not visible.filter(subject_user=people["outsider"]).exists()


def test_outsider_sees_nothing_of_new_madrid(client_as, people, libraries, events) -> None:
    """Cresco's director: only Cresco's events and Cresco's staff accounts (CR-5, NM-1)."""
    nm = libraries["new-madrid"]
    nm_people = {p.pk for k, p in people.items() if k not in ("outsider", "outsider_staff")}
    visible = AuditEvent.objects.for_user(people["outsider"])
    assert visible.filter(pk=events["cresco"].pk).exists()
    assert visible.filter(pk=events["cresco_account"].pk).exists()
    assert visible.filter(action=AuditAction.MFA_ADDED, subject_user=people["outsider"]).exists()
    assert not visible.filter(library=nm).exists()
    assert not visible.filter(actor_id__in=nm_people).exists()
    assert not visible.filter(subject_user_id__in=nm_people).exists()
    assert not visible.filter(library__isnull=True, subject_user__isnull=True).exists()

    response = client_as("outsider").get(LIST)
    assert response.status_code == 200
    shown = listed(response)
    assert {e.pk for e in shown} <= set(visible.values_list("pk", flat=True))
    newest = list(visible.order_by("-seq").values_list("pk", flat=True)[:50])
    assert [e.pk for e in shown] == newest  # this view's own event first
    page = response.content.decode()
    for username in ("mreyes", "jokafor", "bjohnson", "ekim", "hbrooks"):
        assert username not in page
    assert "new-madrid" not in page
    assert "New Madrid" not in page
    assert "pnguyen" in page  # Cresco's own staff are there


def test_outsider_gets_404_for_a_new_madrid_event(client_as, events) -> None:
    client = client_as("outsider")
    for key in ("findme", "old", "nm_account"):
        response = client.get(reverse("audit:detail", args=[events[key].pk]))
        assert response.status_code == 404
        assert b"Volunteer term over" not in response.content
    assert client.get(reverse("audit:detail", args=[10**9])).status_code == 404
    assert client.get(reverse("audit:detail", args=[events["cresco"].pk])).status_code == 200


def test_detail_shows_the_event_and_is_recorded(client_as, people, events) -> None:
    event = events["findme"]
    response = client_as("auditor").get(reverse("audit:detail", args=[event.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Volunteer term over", "req-findme", "192.0.2.44", event.hash, event.prev_hash):
        assert text in page
    viewed = last_viewed()
    assert viewed.actor == people["auditor"]
    assert (viewed.target_type, viewed.target_id) == ("audit.auditevent", str(event.pk))
    assert viewed.library_id == event.library_id


# --- Filters ---------------------------------------------------------------------------------


def test_filter_by_action(client_as, events) -> None:
    response = client_as("director").get(LIST, {"action": AuditAction.ROLE_ASSIGNED})
    shown = listed(response)
    assert shown and {e.action for e in shown} == {AuditAction.ROLE_ASSIGNED}
    assert len(shown) == 10  # the ten New Madrid people of the demo
    assert last_viewed().after == {"filters": {"action": "role.assigned"}, "page": 1}


def test_filter_by_actor_username(client_as, people, events) -> None:
    response = client_as("director").get(LIST, {"actor": " JOKAFOR "})
    assert [e.pk for e in listed(response)] == [events["findme"].pk]
    assert last_viewed().after["filters"] == {"actor": "JOKAFOR"}


def test_filter_by_library(client_as, libraries, events) -> None:
    nm, cresco = libraries["new-madrid"], libraries["cresco"]
    client = client_as("director")
    response = client.get(LIST, {"library": nm.pk})
    shown = listed(response)
    assert shown and {e.library_id for e in shown} == {nm.pk}
    assert events["nm_account"].pk not in {e.pk for e in shown}  # no library of its own
    assert last_viewed().after["filters"] == {"library": nm.pk}
    # Another library is not a choice: the form refuses it and nothing is listed.
    refused = client.get(LIST, {"library": cresco.pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert refused.context["page"] is None
    assert "Library: Not one of your libraries." in refused.content.decode()
    assert last_viewed().after == {"refused_filters": ["library"]}


def test_filter_by_date_range(client_as, events) -> None:
    client = client_as("director")
    response = client.get(LIST, {"since": "2024-01-01", "until": "2024-01-31"})
    assert [e.pk for e in listed(response)] == [events["old"].pk]
    assert last_viewed().after["filters"] == {"since": "2024-01-01", "until": "2024-01-31"}
    # A single day, in the library's time zone, includes the whole day.
    day = client.get(LIST, {"since": "2024-01-15", "until": "2024-01-15"})
    assert [e.pk for e in listed(day)] == [events["old"].pk]
    later = client.get(LIST, {"since": "2024-01-16"})
    assert events["old"].pk not in {e.pk for e in listed(later)}
    assert events["findme"].pk in {e.pk for e in listed(later)}
    earlier = client.get(LIST, {"until": "2024-01-14"})
    assert listed(earlier) == []


def test_bad_date_range_shows_an_error_and_no_results(client_as, events) -> None:
    response = client_as("director").get(LIST, {"since": "2024-02-01", "until": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["page"] is None
    page = response.content.decode()
    assert "To: The start date is after the end date." in page
    assert "No events match." not in page
    assert last_viewed().after == {"refused_filters": ["until"]}


def test_unreadable_date_shows_an_error_and_no_results(client_as, events) -> None:
    response = client_as("director").get(LIST, {"since": "last tuesday"})
    assert response.context["form"].errors
    assert response.context["page"] is None
    assert "From: Not a date" in response.content.decode()


def test_search_by_request_id(client_as, events) -> None:
    response = client_as("designee").get(LIST, {"q": "req-findme"})
    assert [e.pk for e in listed(response)] == [events["findme"].pk]
    assert last_viewed().after["filters"] == {"q": "req-findme"}


def test_search_by_purpose_and_by_seq(client_as, events) -> None:
    client = client_as("director")
    assert [e.pk for e in listed(client.get(LIST, {"q": "term over"}))] == [events["findme"].pk]
    by_seq = listed(client.get(LIST, {"q": str(events["old"].seq)}))
    assert events["old"].pk in {e.pk for e in by_seq}


def test_search_cannot_reach_another_librarys_events(client_as, events) -> None:
    client = client_as("director")
    assert listed(client.get(LIST, {"q": "Cresco only"})) == []
    assert listed(client.get(LIST, {"actor": "kmiller"})) == []


def test_filters_combine(client_as, events) -> None:
    response = client_as("director").get(
        LIST, {"action": AuditAction.ROLE_REVOKED, "actor": "jokafor", "q": "req-findme"}
    )
    assert [e.pk for e in listed(response)] == [events["findme"].pk]
    none = client_as("director").get(LIST, {"action": AuditAction.LOGIN, "q": "req-findme"})
    assert listed(none) == []


def test_pages_of_fifty(client_as, libraries, events) -> None:
    for _ in range(60):
        record(AuditAction.BRANCH_CREATED, library=libraries["new-madrid"])
    client = client_as("director")
    first = client.get(LIST, {"action": AuditAction.BRANCH_CREATED})
    assert len(listed(first)) == 50
    oldest_shown = listed(first)[-1].seq
    second = client.get(LIST, {"action": AuditAction.BRANCH_CREATED, "before": oldest_shown})
    assert len(listed(second)) == 63 - 50  # and the demo's three branches
    assert last_viewed().after == {
        "filters": {"action": "branch.created"},
        "before": oldest_shown,
    }
    assert not {e.pk for e in listed(first)} & {e.pk for e in listed(second)}


# --- htmx ------------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results(client_as, events) -> None:
    client = client_as("director")
    response = client.get(LIST, {"q": "req-findme"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "audit/_results.html" in names
    assert "audit/list.html" not in names and "base.html" not in names
    page = response.content.decode()
    assert "<html" not in page and "<form" not in page
    assert "<table>" in page
    assert f'href="{reverse("audit:detail", args=[events["findme"].pk])}"' in page
    assert last_viewed().after["filters"] == {"q": "req-findme"}  # recorded all the same


def test_htmx_history_restore_gets_the_whole_page(client_as, events) -> None:
    """htmx asks for the whole page when it restores a history entry it has not cached."""
    response = client_as("director").get(
        LIST,
        {"q": "req-findme"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    page = response.content.decode()
    assert "<html" in page and 'id="results"' in page
    assert [e.pk for e in listed(response)] == [events["findme"].pk]


def test_full_page_without_htmx(client_as, events) -> None:
    response = client_as("director").get(LIST)
    page = response.content.decode()
    assert "<html" in page and 'id="results"' in page and "<form" in page
