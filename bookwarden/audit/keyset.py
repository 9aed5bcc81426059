"""Pages of the audit log by sequence number (keyset pagination), for a log of 100 million
events: a page reads its 50 events from the ``seq`` index (or the library's
``audit_library_seq``) and never counts the table, so every page costs the same, the
first as the millionth (issue 16).  "Older" asks for the events before the last one shown
(``?before=<seq>``), "Newer" for those after the first (``?after=<seq>``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

PAGE_SIZE = 50


def _seq(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


@dataclass
class KeysetPage:
    """One page of events, newest first."""

    object_list: list[Any]
    has_newer: bool
    has_older: bool
    #: What the page was asked for: {} (the newest), {"before": n} or {"after": n}.
    position: dict[str, int] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def is_newest(self) -> bool:
        return not self.position

    @property
    def has_other_pages(self) -> bool:
        return self.has_newer or self.has_older or not self.is_newest

    @property
    def newer_after(self) -> int | None:
        return self.object_list[0].seq if self.object_list else None

    @property
    def older_before(self) -> int | None:
        return self.object_list[-1].seq if self.object_list else None


def requested_position(params: Mapping[str, str]) -> dict[str, int]:
    """The page the query string asks for: {} (the newest; also for a position that is not
    a number), {"before": n} or {"after": n}."""
    before, after = _seq(params.get("before")), _seq(params.get("after"))
    if after is not None:
        return {"after": after}
    if before is not None:
        return {"before": before}
    return {}


def _beyond(qs: Any, seq: int, *, newer: bool, by_time: bool) -> Q:
    """The events past the one numbered ``seq``, towards the newer or the older ones."""
    if by_time:
        at = qs.model.objects.filter(seq=seq).values_list("created_at", flat=True).first()
        if at is not None:
            # The first condition alone is the index's: the walk starts at that moment.
            if newer:
                return Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(seq__gt=seq))
            return Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(seq__lt=seq))
    return Q(seq__gt=seq) if newer else Q(seq__lt=seq)


def keyset_page(
    qs: Any, position: Mapping[str, int], size: int = PAGE_SIZE, *, by_time: bool = False
) -> KeysetPage:
    """The page of ``qs`` (any filters applied) at ``position`` (see
    :func:`requested_position`).

    ``by_time`` (a date filter is given): the events in the order of their time, then of
    their number, which is the log's order (events are appended as they happen), read from
    the index on the time: "before a day" then walks back from that day, where in the order
    of the numbers it would walk down from the newest event to reach it."""
    keys = ("created_at", "seq") if by_time else ("seq",)
    newest_first = [f"-{key}" for key in keys]
    before, after = position.get("before"), position.get("after")
    if after is not None:
        beyond = _beyond(qs, after, newer=True, by_time=by_time)
        rows = list(qs.filter(beyond).order_by(*keys)[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        # Reached from an older page: events at and before ``after`` exist.
        return KeysetPage(rows, has_newer=more, has_older=bool(rows), position={"after": after})
    if before is not None:
        beyond = _beyond(qs, before, newer=False, by_time=by_time)
        rows = list(qs.filter(beyond).order_by(*newest_first)[: size + 1])
        more = len(rows) > size
        return KeysetPage(
            rows[:size], has_newer=bool(rows), has_older=more, position={"before": before}
        )
    rows = list(qs.order_by(*newest_first)[: size + 1])
    return KeysetPage(rows[:size], has_newer=False, has_older=len(rows) > size)
