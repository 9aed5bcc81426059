"""The dashboard's pages (issue 17, CC-8, CC-6): each chart's SVG, its table and its CSV
carry the same numbers; who sees what (another library's data never appears, no patron's
records); the query count is pinned and does not grow with the data."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.reports import controls_state

from .history import at, build_history, incident

#: The dashboard's own queries (the request's, the trends' and the history's), whatever the
#: number of libraries, people or records; the controls' evaluation adds its own (bounded
#: by the compliance app, counted apart below).
DASHBOARD_QUERIES = 27


class ChartReader(HTMLParser):
    """Per chart (its section's id): the values drawn, by series class, and the table."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, dict] = {}
        self._chart: dict | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "section" and "chart-block" in (a.get("class") or ""):
            self._chart = {"drawn": {}, "rows": [], "head": [], "legend": []}
            self.charts[a["id"]] = self._chart
        if self._chart is None:
            return
        if tag == "span" and "swatch" in (a.get("class") or ""):
            self._chart["legend"].append(a["class"].split()[1])
        if tag == "svg":
            self._chart["kind"] = "bar" if "chart-bar" in a["class"] else "line"
        if tag in ("rect", "circle") and "data-value" in a:
            css = next(c for c in a["class"].split() if c.startswith("series-"))
            self._chart["drawn"].setdefault(css, []).append(float(a["data-value"]))
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None and self._chart is not None:
            if not self._chart["head"]:
                self._chart["head"] = self._row
            else:
                self._chart["rows"].append(self._row)
            self._row = None
        if tag == "section":
            self._chart = None


def _number(text: str) -> float | None:
    text = text.rstrip("%")
    return None if text in ("\u2013", "") else float(text)


@pytest.fixture
def history(people):
    return build_history(people)


def test_each_chart_draws_the_numbers_of_its_table_and_csv(client_as, history) -> None:
    """Issue 17: the picture, the table beside it (screen readers) and the CSV agree."""
    client = client_as("auditor")
    page = client.get("/reports/new-madrid/").content.decode()
    reader = ChartReader()
    reader.feed(page)
    assert len(reader.charts) == 8
    drawn_anything = 0
    for dom_id, chart in reader.charts.items():
        series = chart["head"][1:]
        columns = [[_number(row[i + 1]) for row in chart["rows"]] for i in range(len(series))]
        assert len(chart["rows"]) == 12, dom_id
        for i, column in enumerate(columns):
            drawn = chart["drawn"].get(chart["legend"][i] if chart["legend"] else "series-0", [])
            # Bars are drawn for counts above zero; a line has a point for every known value.
            if chart["kind"] == "bar":
                assert drawn == [v for v in column if v], (dom_id, series[i])
            else:
                assert drawn == [v for v in column if v is not None], (dom_id, series[i])
            drawn_anything += len(drawn)
        key = dom_id.removeprefix("chart-")
        download = client.get(f"/reports/new-madrid/numbers/{key}.csv")
        assert download["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode())))
        assert rows[0] == ["month", *series]
        for table_row, csv_row in zip(chart["rows"], rows[1:], strict=True):
            assert [_number(c) for c in table_row[1:]] == [
                None if c == "" else float(c) for c in csv_row[1:]
            ], dom_id
    assert drawn_anything > 10


def test_the_page_is_read_only_counts_and_never_a_patron(client_as, history) -> None:
    """NM-4, CR-6a: the requests' named patrons and requesters never appear."""
    for who in ("auditor", "director"):
        page = client_as(who).get("/reports/").content.decode()
        assert "Compliance at a glance: New Madrid County Library" in page
        assert "Secret Patronname" not in page and "Pat Requester" not in page


def test_who_may_see_the_dashboard(client_as, history) -> None:
    """CC-2: the board member and the directors see it; staff do not; another library's
    people get 404 for New Madrid's pages."""
    assert client_as("staff").get("/reports/").status_code == 403
    assert client_as("outsider").get("/reports/new-madrid/").status_code == 404
    assert client_as("outsider").get("/reports/new-madrid/numbers/training.csv").status_code == 404
    assert client_as("auditor").get("/reports/new-madrid/numbers/nothing.csv").status_code == 404
    cresco = client_as("outsider").get("/reports/").content.decode()
    assert "Cresco Public Library" in cresco and "New Madrid" not in cresco


def test_a_person_of_two_libraries_sees_them_together(people, client_as, history) -> None:
    """CC-6: the dashboard adds up both libraries and links to each."""
    Membership.objects.create(user=people["auditor"], library=history.cresco, role=Role.AUDITOR)
    page = client_as("auditor").get("/reports/").content.decode()
    assert "These figures add up 2 libraries" in page
    assert 'href="/reports/cresco/"' in page and 'href="/reports/new-madrid/"' in page
    numbers = client_as("auditor").get("/reports/numbers/incidents.csv").content.decode()
    assert "Intrusion" in numbers.splitlines()[0]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_query_count_is_pinned_and_does_not_grow_with_the_data(
    people, client_as, history
) -> None:
    """Issue 17 (performance): a bounded number of queries, whatever the data."""
    client = client_as("director")
    few = _count(client, "/reports/new-madrid/")
    for n in range(15):
        incident(history.nm, "phishing", at(history.m(1 + n % 11), 1 + n), n % 4 or None)
    for who in ("staff", "volunteer", "it_staff"):
        Membership.objects.create(user=people[who], library=history.cresco, role=Role.STAFF)
    more = _count(client, "/reports/new-madrid/")
    with CaptureQueriesContext(connection) as evaluation:
        controls_state.current([history.nm])
    assert more == few <= DASHBOARD_QUERIES + len(evaluation)
    csv_queries = _count(client, "/reports/new-madrid/numbers/training.csv")
    assert csv_queries <= 12


def test_the_reports_count_the_librarys_controls_not_the_checklists_items(
    new_madrid, client_as
) -> None:
    """CC-8: "the controls today" are the library's controls (every requirement's); the ALA
    checklists' items are evaluated beside them but counted on their own page."""
    from bookwarden.compliance.controls import catalog
    from bookwarden.reports import controls_state

    own = [c for c in catalog(new_madrid) if c.framework != "ala"]
    assert len(own) < len(catalog(new_madrid))  # the checklists are loaded too
    (state,) = controls_state.current([new_madrid])
    assert len(state.results) == len(own)
    assert sum(count for _, _, count in state.count_rows()) == len(own)
    assert {c.id for c in controls_state.catalog_of(new_madrid)} == {c.id for c in own}


def test_many_libraries_are_counted_from_the_days_record_when_each_has_one(
    people, client_as, history
) -> None:
    """Issue 17 (performance), CC-6: the view of several libraries shows counts only, so it
    reads them from the day's record of every control when each library has one, and
    evaluates the controls now when one has none; one library's page is always evaluated
    now, since it lists what fails."""
    from bookwarden.compliance.models import ControlSnapshot
    from bookwarden.compliance.snapshots import write_snapshots

    Membership.objects.create(user=people["auditor"], library=history.cresco, role=Role.AUDITOR)
    client = client_as("auditor")
    live = client.get("/reports/").context["dash"]
    assert all(state.as_of is None for state in live.controls)

    write_snapshots(libraries=[history.nm, history.cresco])
    today = timezone.localdate()
    recorded = client.get("/reports/").context["dash"]
    assert {state.as_of for state in recorded.controls} == {today}
    assert recorded.totals == live.totals  # the same counts, read from the record
    assert (
        "As recorded by the daily check of every control on"
        in client.get("/reports/").content.decode()
    )
    # A record that says otherwise is what the page shows: it reads the record.
    ControlSnapshot.objects.filter(library=history.cresco, day=today).update(status="failing")
    failing = dict((key, n) for key, _, n in client.get("/reports/").context["dash"].totals)
    assert failing["failing"] >= len(controls_state.catalog_of(history.cresco))

    ControlSnapshot.objects.filter(library=history.cresco, day=today).delete()
    assert all(s.as_of is None for s in client.get("/reports/").context["dash"].controls)
    one = client.get("/reports/new-madrid/").context["dash"]
    assert one.controls[0].as_of is None
