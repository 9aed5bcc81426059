"""The "My tasks" home and the navigation by role: apps register what to show, and each
person sees only what their roles allow."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from bookwarden.core.my_tasks import EXPIRY_NOTICE_DAYS, Task, task_provider, tasks_for
from bookwarden.core.navigation import NavItem, register
from bookwarden.core.roles import Perm
from bookwarden.core.when import day


def _nav_labels(client) -> list[str]:
    return [item["label"] for item in client.get("/").context["nav"]]


def test_navigation_follows_the_roles(client_as) -> None:
    assert _nav_labels(client_as("director")) == [
        "My tasks",
        "New Madrid County Library",
        "Patrons",
        "Disclosures",
        "Policies",
        "Operations",
        "IT",
        "Training",
        "Compliance",
        "Reports",
        "Audit log",
        "Account",
    ]
    assert "Audit log" in _nav_labels(client_as("auditor"))
    assert "Operations" in _nav_labels(client_as("auditor"))
    assert "Compliance" in _nav_labels(client_as("auditor"))
    assert "Reports" in _nav_labels(client_as("auditor"))
    assert _nav_labels(client_as("staff")) == [
        "My tasks",
        "New Madrid County Library",
        "Patrons",
        "Policies",
        "IT",
        "Training",
        "Account",
    ]
    assert "Patrons" not in _nav_labels(client_as("it_staff"))
    assert _nav_labels(client_as("outsider")) == [
        "My tasks",
        "Cresco Public Library",
        "Patrons",
        "Disclosures",
        "Policies",
        "Operations",
        "IT",
        "Training",
        "Compliance",
        "Reports",
        "Audit log",
        "Account",
    ]


def test_what_left_the_menu_is_one_step_away(client_as) -> None:
    """The menu keeps to the pages used every day: a person's checklist is on their home
    page, the leavers on the staff pages, the periodic jobs on the IT page."""
    director = client_as("director")
    assert 'href="/onboarding/' in director.get("/").content.decode()
    assert "/jobs/" in {link["url"] for link in director.get("/it/").context["links"]}
    staff = client_as("staff")
    assert 'href="/onboarding/' in staff.get("/").content.decode()
    assert "/jobs/" not in {link["url"] for link in staff.get("/it/").context["links"]}


def test_an_app_registers_a_navigation_entry_shown_by_permission(client_as) -> None:
    from bookwarden.core import navigation

    item = NavItem("Staff settings", "home", Perm.MANAGE_SETTINGS, order=60)
    register(item)
    try:
        assert "Staff settings" in _nav_labels(client_as("director"))
        assert "Staff settings" not in _nav_labels(client_as("staff"))
    finally:
        navigation._items.remove(item)


def test_director_is_told_when_a_contractors_access_ends_soon(people, client_as) -> None:
    """CC-1: the contractor's access ends in 60 days; the director hears of it in the last
    two weeks, the contractor all along."""
    contractor = people["contractor"]
    (ends_on,) = [m.ends_on for m in contractor.active_memberships()]
    title = "Rick Alvarez's access as contractor"
    assert title not in [t.title for t in tasks_for(people["director"])]
    (own,) = [t for t in tasks_for(contractor) if t.title.startswith("Your access at")]
    assert own.due == ends_on and own.state == f"It ends on {day(ends_on)}."

    soon = ends_on - datetime.timedelta(days=EXPIRY_NOTICE_DAYS - 1)
    with time_machine.travel(
        datetime.datetime.combine(soon, datetime.time(12), tzinfo=timezone.get_current_timezone())
    ):
        people["director"].forget_roles()
        director_tasks = tasks_for(people["director"])
        assert title in [t.title for t in director_tasks]
        page = client_as("director").get("/").content.decode()
        assert "Rick Alvarez" in page
        # Only directors manage roles: the designee is not told.
        assert title not in [t.title for t in tasks_for(people["designee"])]
        # Nor is the other library's director.
        assert title not in [t.title for t in tasks_for(people["outsider"])]


def test_tasks_from_every_provider_urgent_first(people) -> None:
    from bookwarden.core import my_tasks as tasks

    @task_provider
    def urgent(user):
        yield Task("Report the breach", urgent=True)

    try:
        titles = [t.title for t in tasks_for(people["staff"])]
        assert titles[0] == "Report the breach"
        assert "Two-factor sign-in" in titles
    finally:
        tasks._providers.remove(urgent)
