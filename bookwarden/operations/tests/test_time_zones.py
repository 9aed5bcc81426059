"""Pages show times in the library's own time zone, exports in UTC (issue 10).

The same moment, 18:00 UTC on July 1, is 11:00 AM in a library on Pacific time and 2:00 PM
in one on Eastern time; the CSV export gives it as 2026-07-01T18:00:00Z for both.
"""

from __future__ import annotations

import csv
import datetime
import io

from bookwarden.core.models import Library
from bookwarden.operations import actions

MOMENT = datetime.datetime(2026, 7, 1, 18, 0, tzinfo=datetime.UTC)


def _zones(new_madrid: Library, cresco: Library) -> None:
    Library.objects.filter(pk=new_madrid.pk).update(time_zone="America/Los_Angeles")
    Library.objects.filter(pk=cresco.pk).update(time_zone="America/New_York")


def test_each_library_sees_an_event_at_its_own_local_time(
    new_madrid, cresco, make_entry, client_as
) -> None:
    _zones(new_madrid, cresco)
    ours = make_entry(title="Server room door forced", occurred_at=MOMENT)
    actions.create_entry(
        actor=None,
        library=cresco,
        kind="backup",
        title="Cresco backup",
        narrative="It ran.",
        occurred_at=MOMENT,
    )
    pacific = client_as("director").get("/operations/").content.decode()
    assert "Jul 1, 2026, 11:00 AM" in pacific
    assert "2:00 PM" not in pacific and "18:00" not in pacific
    eastern = client_as("outsider").get("/operations/").content.decode()
    assert "Jul 1, 2026, 2:00 PM" in eastern
    assert "11:00 AM" not in eastern

    # The entry's own page, and the library's setting changed: the page follows it.
    detail = client_as("director").get(f"/operations/{ours.pk}/").content.decode()
    assert "Jul 1, 2026, 11:00 AM" in detail
    Library.objects.filter(pk=new_madrid.pk).update(time_zone="America/Chicago")
    detail = client_as("director").get(f"/operations/{ours.pk}/").content.decode()
    assert "Jul 1, 2026, 1:00 PM" in detail


def test_the_csv_export_stays_in_utc(new_madrid, cresco, make_entry, client_as) -> None:
    _zones(new_madrid, cresco)
    make_entry(title="Server room door forced", occurred_at=MOMENT)
    response = client_as("director").get("/operations/export/")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    (row,) = [r for r in rows if r["title"] == "Server room door forced"]
    assert row["occurred_at"] == "2026-07-01T18:00:00Z"
    assert row["recorded_at"].endswith("Z")
