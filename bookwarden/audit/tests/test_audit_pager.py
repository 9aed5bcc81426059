"""The audit log's pages by sequence number (issue 16): "Older" and "Newer" walk the log
50 events at a time without counting it, filters stay on every page, and no event is
skipped or shown twice (LV-3, CC-9)."""

from __future__ import annotations

import datetime
import re

import time_machine
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookwarden.audit.actions import record
from bookwarden.audit.filters import AuditFilterForm
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library

LIST = reverse("audit:list")


def _links(body: str) -> dict[str, str]:
    """The pager's links by their text, with &amp; read back as &."""
    nav = re.search(r'<nav class="pager".*?</nav>', body, re.S)
    if nav is None:
        return {}
    return {
        text: href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="\?([^"]*)"[^>]*>([^<]+)</a>', nav.group(0))
    }


def _walk(client, first_query: str) -> list[list[int]]:
    """Every page from the newest, following "Older" to the end."""
    pages: list[list[int]] = []
    query = first_query
    while True:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        pages.append([e.seq for e in response.context["page"]])
        links = _links(response.content.decode())
        if "Older" not in links:
            return pages
        query = links["Older"]


def test_older_and_newer_walk_the_filtered_log_without_a_count(client_as, people) -> None:
    nm = Library.objects.get(slug="new-madrid")
    for _ in range(120):
        record(AuditAction.LOGIN, actor=people["staff"], library=nm)
    client = client_as("director")
    expected = list(
        AuditEvent.objects.for_user(people["director"])
        .filter(action=AuditAction.LOGIN)
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    with CaptureQueriesContext(connection) as queries:
        pages = _walk(client, "action=auth.login")
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert [len(p) for p in pages] == [50, 50, len(expected) - 100]
    assert [seq for page in pages for seq in page] == expected  # none skipped, none twice

    # From the last page, "Newer" comes back to the middle page, the filter kept.
    last = client.get(f"{LIST}?action=auth.login&before={pages[1][-1]}")
    links = _links(last.content.decode())
    assert "Older" not in links
    assert links["Newest"] == "action=auth.login"
    back = client.get(f"{LIST}?{links['Newer']}")
    assert [e.seq for e in back.context["page"]] == pages[1]
    assert AuditEvent.objects.latest("seq").after == {
        "filters": {"action": "auth.login"},
        "after": pages[2][0],
    }


def test_with_a_date_filter_the_pages_follow_the_events_times(client_as, people) -> None:
    """A date filter reads the log by time (the index on the time serves "before a day"):
    an event recorded later with an earlier time (a clock set back) takes its place by
    time, and the pages still hold every event once."""
    nm = Library.objects.get(slug="new-madrid")
    for _ in range(70):
        record(AuditAction.LOGIN, actor=people["staff"], library=nm)
    with time_machine.travel(datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC), tick=False):
        set_back = record(AuditAction.LOGIN, actor=people["staff"], library=nm)
    for _ in range(40):
        record(AuditAction.LOGIN, actor=people["staff"], library=nm)
    client = client_as("director")  # signing in is an event too
    expected = list(
        AuditEvent.objects.for_user(people["director"])
        .filter(action=AuditAction.LOGIN)
        .order_by("-created_at", "-seq")
        .values_list("seq", flat=True)
    )
    assert expected[-1] == set_back.seq
    pages = _walk(client, "action=auth.login&since=2020-01-01")
    assert [seq for page in pages for seq in page] == expected
    assert len(pages) == 3

    # "To" alone: the events up to that day.
    response = client.get(LIST, {"action": "auth.login", "until": "2024-12-31"})
    assert [e.seq for e in response.context["page"]] == [set_back.seq]


def test_a_position_that_is_not_a_number_gives_the_newest_page(client_as) -> None:
    client = client_as("director")
    response = client.get(LIST, {"before": "x; DROP"})
    assert response.status_code == 200
    assert response.context["page"].is_newest
    assert AuditEvent.objects.latest("seq").after == {"filters": {}, "page": 1}


def test_the_list_of_actions_is_the_html_of_a_django_select(db) -> None:
    """The audit log's list of actions, written out without a template per option, is the
    same HTML as Django's select: every action, the chosen one selected, labels escaped."""
    form = AuditFilterForm({"action": "auth.login"}, libraries=Library.objects.none())
    assert form.is_valid()
    fast = str(form["action"])
    form.fields["action"].widget = forms.Select(choices=form.fields["action"].choices)
    plain = str(form["action"])

    def norm(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    assert norm(fast) == norm(plain)
    assert fast.count("<option") == len(AuditAction.choices) + 1
    assert '<option value="auth.login" selected>' in fast
