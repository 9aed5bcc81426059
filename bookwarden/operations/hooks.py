"""What other apps ask to hear of the operations log, without the log importing them.

IT-4: when an entry records access by someone who is not library IT staff, the apps that
keep shared logins mark those it names to change now (``credentials`` registers itself
from its AppConfig.ready()).  Listeners run inside the entry's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import LogEntry

OutsideAccessListener = Callable[["LogEntry"], object]
_outside_access: list[OutsideAccessListener] = []


def on_outside_access(listener: OutsideAccessListener) -> OutsideAccessListener:
    if listener not in _outside_access:
        _outside_access.append(listener)
    return listener


def outside_access_recorded(entry: LogEntry) -> None:
    if entry.outside_party:
        for listener in _outside_access:
            listener(entry)
