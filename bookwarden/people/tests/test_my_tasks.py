"""CC-1: those who record last days see the ones coming within two weeks on My tasks, with
the day their access ends; nobody else does."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.my_tasks import tasks_for
from bookwarden.core.when import day
from bookwarden.people import actions


def test_last_days_coming_soon(people, new_madrid, client_as) -> None:
    staff, volunteer = people["staff"], people["volunteer"]
    today = timezone.localdate()
    soon = actions.record_departure(
        actor=people["human_resources"],
        user=staff,
        library=new_madrid,
        last_day=today + datetime.timedelta(days=5),
    )
    actions.record_departure(
        actor=people["human_resources"],
        user=volunteer,
        library=new_madrid,
        last_day=today + datetime.timedelta(days=40),
    )
    for who in ("human_resources", "director"):
        (task,) = [
            t
            for t in tasks_for(people[who])
            if t.title.endswith("leaves New Madrid County Library")
        ]
        assert task.title == f"{staff} leaves New Madrid County Library"
        assert task.due == soon.last_day and task.info
        assert day(soon.last_day) in task.state
        assert task.url == f"/people/new-madrid/departures/{soon.pk}/"
    assert not [t for t in tasks_for(people["tech_coordinator"]) if "leaves" in t.title]
    assert not [t for t in tasks_for(staff) if "leaves" in t.title]
    # The auditor reads the last day on the staff page, without the link to change it.
    page = client_as("auditor").get(f"/libraries/new-madrid/staff/{staff.pk}/").content.decode()
    assert day(soon.last_day) in page and f"/people/new-madrid/departures/{soon.pk}/" not in page
