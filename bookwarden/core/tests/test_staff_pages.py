"""The staff list and a person's staff page (CC-1, LV-3) as a director reads them: one date
format, and no role chosen in advance on "Give another role" (a slip of the button must not
make someone a director)."""

from __future__ import annotations

from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.core.when import day

from .helpers import mark_reauthenticated


def test_access_end_dates_are_in_the_one_date_format(people, client_as) -> None:
    membership = Membership.objects.get(user=people["contractor"], role=Role.CONTRACTOR)
    assert membership.ends_on is not None
    shown = day(membership.ends_on)  # "Dec 2, 2026"
    director = client_as("director")
    staff_list = director.get("/libraries/new-madrid/staff/").content.decode()
    assert shown in staff_list
    page = director.get(f"/libraries/new-madrid/staff/{people['contractor'].pk}/")
    assert shown in page.content.decode()
    assert shown in client_as("contractor").get("/").content.decode()  # "My roles"


def test_give_another_role_starts_with_no_role_chosen(people, client_as) -> None:
    director = mark_reauthenticated(client_as("director"), people["director"])
    url = f"/libraries/new-madrid/staff/{people['volunteer'].pk}/"
    html = director.get(url).content.decode()
    select = html[html.index('name="role"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>Choose a role</option>' in select
    before = Membership.objects.filter(user=people["volunteer"]).count()
    director.post(url + "roles/", {"role": "", "branch": "", "ends_on": ""})
    assert Membership.objects.filter(user=people["volunteer"]).count() == before
