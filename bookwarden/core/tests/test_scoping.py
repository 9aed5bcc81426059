"""Library scoping (DESIGN mechanism 4, CC-6): a person of one library cannot learn that a
record of another library exists.  Cresco's people get 404 for every New Madrid object, the
same 404 as for an object that does not exist, and never a New Madrid name."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.urls import reverse

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core import actions
from bookwarden.core.demo import PERSONAS as DEMO_PERSONAS
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.roles import Role

from .helpers import NEW_MADRID_PERSONAS, OUTSIDERS

MISSING = 999_999  # no object has this id


def new_madrid_words() -> list[str]:
    """Everything that would tell an outsider about New Madrid: its name, its branches,
    and the names and usernames of its people."""
    words = ["New Madrid", "Portageville", "Rhodes Memorial"]
    for p in DEMO_PERSONAS:
        if p.library == "new-madrid":
            words += [p.first_name, p.last_name, p.username]
    return words


def _normalized(response: HttpResponse) -> str:
    """The page without what changes on every request (the masked CSRF token)."""
    body = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def _assert_no_trace(response: HttpResponse, what: str) -> None:
    body = response.content.decode()
    leaked = [w for w in new_madrid_words() if re.search(rf"\b{re.escape(w)}\b", body)]
    assert not leaked, f"{what} shows {leaked}"


def _new_madrid_targets(people, new_madrid) -> list[tuple[str, str, dict[str, str], str]]:
    """(method, URL of a New Madrid object, data, URL of a missing object of the same kind)."""
    slug = new_madrid.slug
    staff = people["staff"]
    staff_role = Membership.objects.get(user=staff, library=new_madrid)
    director_role = Membership.objects.get(user=people["director"], library=new_madrid)

    def url(name: str, **kwargs: object) -> str:
        return reverse(name, kwargs=kwargs)

    targets = [
        ("get", url("library_detail", slug=slug), {}, url("library_detail", slug="nowhere")),
        ("get", url("library_settings", slug=slug), {}, url("library_settings", slug="nowhere")),
        (
            "post",
            url("library_settings", slug=slug),
            {"idle_timeout_minutes": "120"},
            url("library_settings", slug="nowhere"),
        ),
        ("get", url("staff_list", slug=slug), {}, url("staff_list", slug="nowhere")),
        ("get", url("staff_create", slug=slug), {}, url("staff_create", slug="nowhere")),
        (
            "post",
            url("staff_create", slug=slug),
            {
                "username": "x",
                "first_name": "X",
                "last_name": "Y",
                "email": "x@example.org",
                "role": Role.STAFF,
            },
            url("staff_create", slug="nowhere"),
        ),
    ]
    for key in ("director", "staff"):
        user_id = people[key].pk
        targets += [
            (
                "get",
                url("staff_detail", slug=slug, user_id=user_id),
                {},
                url("staff_detail", slug=slug, user_id=MISSING),
            ),
            (
                "post",
                url("role_add", slug=slug, user_id=user_id),
                {"role": Role.DIRECTOR},
                url("role_add", slug=slug, user_id=MISSING),
            ),
        ]
    for membership in (staff_role, director_role):
        targets += [
            (
                "get",
                url("membership_edit", slug=slug, pk=membership.pk),
                {},
                url("membership_edit", slug=slug, pk=MISSING),
            ),
            (
                "post",
                url("membership_edit", slug=slug, pk=membership.pk),
                {"ends_on": ""},
                url("membership_edit", slug=slug, pk=MISSING),
            ),
            (
                "post",
                url("membership_revoke", slug=slug, pk=membership.pk),
                {"reason": "x"},
                url("membership_revoke", slug=slug, pk=MISSING),
            ),
        ]
    return targets


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_the_404_of_nothing_for_every_new_madrid_object(
    who, people, sudo_as, new_madrid
) -> None:
    """Cresco's director and staff, even just reauthenticated (sudo pages open), get 404
    for New Madrid's library, settings, staff list, staff, roles: the very page a missing
    object gives, with no New Madrid name in it; and nothing changes."""
    client = sudo_as(who)
    before = list(Membership.objects.order_by("pk").values())
    for method, url, data, missing_url in _new_madrid_targets(people, new_madrid):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, f"{method.upper()} {url} as {who}"
        _assert_no_trace(response, f"{method.upper()} {url} as {who}")
        missing = getattr(client, method)(missing_url, data)
        assert missing.status_code == 404
        assert _normalized(response) == _normalized(missing), (
            f"{url} answers {who} differently from a missing object: it tells that it exists"
        )
    assert list(Membership.objects.order_by("pk").values()) == before
    assert Library.objects.get(pk=new_madrid.pk).idle_timeout_minutes == 15


def test_audit_events_of_new_madrid_are_404_for_cresco_director(
    people, client_as, new_madrid
) -> None:
    """Cresco's director reads Cresco's audit log, but a New Madrid event, whether a library
    event or an account event of a New Madrid person, is 404 like a missing one."""
    client = client_as("outsider")
    library_event = AuditEvent.objects.filter(
        library=new_madrid, action=AuditAction.ROLE_ASSIGNED
    ).first()
    actions.log_auth_event(AuditAction.LOGIN, user=people["director"], actor=people["director"])
    account_event = AuditEvent.objects.filter(
        action=AuditAction.LOGIN, actor=people["director"]
    ).latest("seq")
    assert library_event is not None and account_event.library_id is None
    missing = client.get(reverse("audit:detail", args=[MISSING]))
    assert missing.status_code == 404
    for event in (library_event, account_event):
        response = client.get(reverse("audit:detail", args=[event.pk]))
        assert response.status_code == 404, event
        _assert_no_trace(response, f"audit event {event}")
        assert _normalized(response) == _normalized(missing)

    listing = client.get(reverse("audit:list"))
    assert listing.status_code == 200
    _assert_no_trace(listing, "Cresco's audit log")
    # The control: Cresco's own events are there.
    assert "kmiller" in listing.content.decode()


def test_audit_event_of_new_madrid_tells_cresco_staff_nothing(
    people, client_as, new_madrid
) -> None:
    """Cresco's staff member may not read any audit log: a New Madrid event gives the same
    refusal as an event that does not exist (403 for the log as a whole, not for the event),
    so it reveals nothing about New Madrid."""
    client = client_as("outsider_staff")
    event = AuditEvent.objects.filter(library=new_madrid).first()
    assert event is not None
    response = client.get(reverse("audit:detail", args=[event.pk]))
    missing = client.get(reverse("audit:detail", args=[MISSING]))
    assert response.status_code == missing.status_code
    assert response.status_code in (403, 404)
    assert _normalized(response) == _normalized(missing)
    _assert_no_trace(response, "audit event for Cresco staff")


def test_new_madrid_people_get_404_for_cresco(people, client_as, sudo_as, cresco) -> None:
    """The other way round: New Madrid's director and auditor learn nothing of Cresco."""
    outsider_role = Membership.objects.get(user=people["outsider"], library=cresco)
    for who in ("director", "auditor"):
        client = client_as(who)
        for url in (
            reverse("library_detail", args=[cresco.slug]),
            reverse("staff_list", args=[cresco.slug]),
            reverse("staff_detail", args=[cresco.slug, people["outsider"].pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404, f"{url} as {who}"
            assert "Karen" not in response.content.decode()
        # A New Madrid staff page cannot be used to reach a Cresco person either.
        response = client.get(reverse("staff_detail", args=["new-madrid", people["outsider"].pk]))
        assert response.status_code == 404
    director = sudo_as("director")
    for url in (
        reverse("library_settings", args=[cresco.slug]),
        reverse("membership_edit", args=[cresco.slug, outsider_role.pk]),
        reverse("membership_edit", args=["new-madrid", outsider_role.pk]),
    ):
        assert director.get(url).status_code == 404, url
    response = director.post(reverse("membership_revoke", args=["new-madrid", outsider_role.pk]))
    assert response.status_code == 404
    assert Membership.objects.get(pk=outsider_role.pk).revoked_at is None


def test_staff_list_shows_only_the_librarys_own_people(people, client_as) -> None:
    body = client_as("director").get(reverse("staff_list", args=["new-madrid"])).content.decode()
    assert "Maria Reyes" in body and "Rick Alvarez" in body
    assert "Karen Miller" not in body and "kmiller" not in body and "pnguyen" not in body


def test_for_user_returns_only_the_persons_libraries(people, new_madrid, cresco) -> None:
    """The one scoping method: Library, Branch and Membership ``.for_user`` (DESIGN 4)."""
    from django.contrib.auth.models import AnonymousUser

    director, outsider = people["director"], people["outsider"]
    assert list(Library.objects.for_user(director)) == [new_madrid]
    assert list(Library.objects.for_user(outsider)) == [cresco]
    assert set(Branch.objects.for_user(director).values_list("slug", flat=True)) == {
        "portageville",
        "new-madrid-memorial",
        "rhodes",
    }
    assert list(Branch.objects.for_user(outsider).values_list("slug", flat=True)) == ["main"]
    assert {m.library_id for m in Membership.objects.for_user(director)} == {new_madrid.pk}
    assert {m.library_id for m in Membership.objects.for_user(outsider)} == {cresco.pk}
    assert Membership.objects.for_user(outsider).filter(user=director).count() == 0
    assert Membership.objects.for_user(director).filter(user__in=[outsider]).count() == 0
    for key in NEW_MADRID_PERSONAS:
        assert list(Library.objects.for_user(people[key])) == [new_madrid], key

    # Nobody, and an account without any role, get nothing.
    nobody = User.objects.create_user("nobody", password=None)
    for user in (AnonymousUser(), nobody):
        assert not Library.objects.for_user(user).exists()
        assert not Branch.objects.for_user(user).exists()
        assert not Membership.objects.for_user(user).exists()

    # A person with roles at both libraries sees both.
    actions.assign_role(actor=None, user=people["staff"], library=cresco, role=Role.VOLUNTEER)
    both = User.objects.get(pk=people["staff"].pk)  # a fresh instance: library ids are cached
    assert set(Library.objects.for_user(both)) == {new_madrid, cresco}
    assert Branch.objects.for_user(both).count() == 4


def test_for_user_follows_revocation(people, new_madrid) -> None:
    """A revoked role stops scoping at once (CC-1)."""
    membership = Membership.objects.get(user=people["staff"], library=new_madrid)
    actions.revoke_role(actor=people["director"], membership=membership)
    staff = User.objects.get(pk=people["staff"].pk)
    assert not Library.objects.for_user(staff).exists()
    assert not Membership.objects.for_user(staff).exists()
