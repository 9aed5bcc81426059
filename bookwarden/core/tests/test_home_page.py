"""The home page ("My tasks") on the whole demo: one list in three groups (urgent now, due
soon, for information) with their counts at the top, one item per thing, each saying in plain
words what to do and by when; a fixed number of queries however many tasks there are."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from bookwarden.core.models import Library, User
from bookwarden.core.my_tasks import INFO, SOON, SOON_DAYS, URGENT, Task, grouped_tasks
from bookwarden.core.when import day

#: Every persona of the demo, and one person with no role at all.
PERSONAS = (
    "director",
    "designee",
    "assistant_director",
    "tech_coordinator",
    "it_staff",
    "human_resources",
    "staff",
    "volunteer",
    "contractor",
    "auditor",
    "outsider",
    "outsider_staff",
    "server_admin",
)


def _main_text(html: str) -> str:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="task">.*?</li>', html, flags=re.S)


def test_the_directors_home_groups_one_item_per_thing(full_demo, client_as) -> None:
    html = client_as("director").get("/").content.decode()
    groups = {g.key: g for g in grouped_tasks(full_demo["director"])}
    # The counts at a glance, at the top, linking to their groups.
    summary = html.split('class="task-summary"', 1)[1].split("</ul>", 1)[0]
    for key, label in ((URGENT, "Urgent now"), (SOON, "Due soon"), (INFO, "For information")):
        count = groups[key].count
        assert f'href="#{key}">{label} <strong>{count}</strong>' in summary
        assert f'<h2 id="{key}">{label} <span class="task-group-count">({count})</span>' in html
    assert groups[URGENT].count and groups[SOON].count
    # One item per thing: each incident once, with who has acknowledged it.
    titles = [t.title for g in groups.values() for t in g.tasks]
    assert len(titles) == len(set(titles))
    incidents = [t for t in titles if t.startswith("Security incident #")]
    assert len(incidents) >= 3
    for title in incidents:
        assert html.count(f">{title}<") == 1, title
    waiting = [t for t in groups[URGENT].tasks if t.todo.startswith("Read it and acknowledge")]
    assert waiting and all("told have acknowledged it; not yet" in t.state for t in waiting)
    assert all(" you." in t.state for t in waiting)  # she is one of those not yet
    # No grid of cards, no requirement ids.
    assert 'class="cards"' not in html and "IT-9" not in html


def test_the_coordinators_enforcement_items_each_say_their_own_step(full_demo) -> None:
    tasks = [
        t
        for g in grouped_tasks(full_demo["tech_coordinator"])
        for t in g.tasks
        if t.key.startswith("enforcement:")
    ]
    assert len(tasks) >= 5
    assert len({t.todo for t in tasks}) == len(tasks)
    assert not any("it manager" in t.todo for t in tasks)
    (lock,) = [t for t in tasks if t.todo.startswith("Lock the account of Ben Johnson")]
    assert lock.urgent


@pytest.mark.parametrize("key", PERSONAS)
def test_every_home_is_in_plain_words(full_demo, client_as, key) -> None:
    html = client_as(key).get("/").content.decode()
    text = _main_text(html)
    requirement_id = r"(?<![\w-])[A-Z]{2}-\d+[a-z]?\b"  # CC-9, CR-5b (not a device's name)
    assert not re.search(requirement_id, text), re.search(requirement_id + ".{0,40}", text)
    assert "(s)" not in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "an internal name shows"
    assert not re.search(r"\b(it manager|director \(custodian)", text)
    assert "My roles" in text
    for item in _items(html):  # each item: the thing as a link, then what to do or its state
        assert re.search(r'<p class="task-title"><a href="[^"]+">', item), item
        assert 'class="task-todo"' in item or 'class="task-state"' in item, item


def test_a_person_without_a_role_is_told_so_in_plain_words(db, client) -> None:
    user = User.objects.create_user("nobody", "nobody@example.org", "x")
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    text = _main_text(client.get("/").content.decode())
    assert "You hold no role at any library yet. Ask your director to give you one." in text
    assert "Find a patron" not in text and "Report a concern" not in text


def test_the_desk_starts_with_finding_a_patron(people, client_as) -> None:
    html = client_as("staff").get("/").content.decode()
    assert 'class="home actions-first"' in html
    assert 'action="/patrons/" role="search"' in html
    assert html.index("Find a patron") < html.index('id="urgent"')


def test_grouping_by_urgency_and_due_date() -> None:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    assert Task("a", "Do it.", urgent=True, due=today + 30 * day).group(today) == URGENT
    assert Task("a", "Do it.", due=today).group(today) == URGENT
    assert Task("a", "Do it.", due=today - day).group(today) == URGENT
    assert Task("a", "Do it.", due=today + SOON_DAYS * day).group(today) == SOON
    assert Task("a", "Do it.").group(today) == SOON  # something to do, no date
    assert Task("a", "Do it.", due=today + (SOON_DAYS + 1) * day).group(today) == INFO
    assert Task("a", state="All told have acknowledged it.", info=True).group(today) == INFO


def test_two_tasks_about_one_thing_are_one_item(people) -> None:
    from bookwarden.core import my_tasks

    today = timezone.localdate()

    @my_tasks.task_provider
    def two(user):
        yield Task("Later", "Read the later one.", due=today + datetime.timedelta(days=3))
        yield Task("Thing #1", "", key="thing:1", state="2 of 3 have read it.", info=True)
        yield Task("Thing #1", "Read it now.", urgent=True, key="thing:1", state="High.")
        yield Task("Earlier", "Read the earlier one.", due=today + datetime.timedelta(days=1))

    try:
        tasks = [t for t in my_tasks.tasks_for(people["staff"]) if "Two-factor" not in t.title]
    finally:
        my_tasks._providers.remove(two)
    assert [t.title for t in tasks] == ["Thing #1", "Earlier", "Later"]
    merged = tasks[0]
    assert merged.urgent and not merged.info
    assert (merged.todo, merged.state) == ("Read it now.", "High. 2 of 3 have read it.")
    assert not merged.due_in_todo  # one todo, one date: the item says "By ..." itself


def test_two_todos_with_their_own_dates_each_say_by_when() -> None:
    """An incident to acknowledge now and to close by a date: the date belongs to the
    closing, so the item does not put "By <closing date>" after both sentences."""
    soon = timezone.localdate() + datetime.timedelta(days=7)
    merged = Task("Incident #1", "Acknowledge it now.", urgent=True, key="entry:1").merge(
        Task("Incident #1", "Close the entry.", due=soon, key="entry:1")
    )
    assert merged.todo == f"Acknowledge it now. Close the entry by {day(soon)}."
    assert merged.due_in_todo and merged.due == soon and merged.urgent


def _more_tasks(people: dict[str, User]) -> None:
    """More of every kind of task: incidents told to everyone, overdue entries, cases."""
    from bookwarden.enforcement.demo import case_at
    from bookwarden.enforcement.models import Step
    from bookwarden.operations import actions as operations

    library = Library.objects.get(slug="new-madrid")
    long_ago = timezone.now() - datetime.timedelta(days=40)
    for n in range(4):
        operations.create_entry(
            actor=people["it_staff"],
            library=library,
            kind="malware",
            title=f"More malware {n}",
            narrative="Found by the scanner.",
            occurred_at=long_ago,
        )
        operations.create_entry(
            actor=None,
            library=library,
            kind="server_change",
            title=f"Old change {n}",
            narrative="A change.",
            occurred_at=long_ago,
            recorded_at=long_ago,
        )
    for step in (Step.ISOLATE, Step.CONTACT, Step.LOCK):
        case_at(people, step)


# + courses to complete (one query), sessions to take attendance at (training.my_tasks)
# + the monitoring notice (one query; its signatures once per session, here on the first
# page), the policies to sign (versions, chosen branches, signatures) and, for the
# director, the policies to review (policies.my_tasks).
# director: + the account review when due and the last days to come (people.my_tasks)
# both: + software requests to decide and decisions to see; the technology coordinator:
# + licenses expiring (software.my_tasks)
# tech_coordinator: + devices to patch (the patch targets, the devices) and branches whose
# public computers are not checked this week (the branches, their checks) (devices.my_tasks)
# both: + the vendors whose privacy review is due (vendors.my_tasks)
# tech_coordinator: + when the job loop last ran (jobs.my_tasks)
# both: + their API tokens that stop working soon (api.my_tasks)
# both: + the controls that failed in last night's snapshot (compliance.my_tasks)
@pytest.mark.parametrize(("key", "queries"), [("director", 31), ("tech_coordinator", 30)])
def test_the_home_page_query_count_is_pinned(
    full_demo, client_as, django_assert_num_queries, key, queries
) -> None:
    """The session, the user, their roles, their second factor, then one query (or two) per
    kind of task, however many tasks of that kind there are."""
    client = client_as(key)
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200
    before = len(grouped_tasks(full_demo[key])[0].tasks)
    _more_tasks(full_demo)
    full_demo[key].forget_roles()
    assert len(grouped_tasks(full_demo[key])[0].tasks) > before
    client = client_as(key)
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200
