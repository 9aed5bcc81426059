"""Where the current request or command came from, for the audit log.

Middleware sets it per request; commands and jobs set it with :func:`audit_context`.  Actions
never need the request object: they read this, so writes from the command line are recorded
the same way as writes from a page (DESIGN: no signal- or request-bound audit logging).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    request_id: str
    ip: str | None = None


_current: ContextVar[Origin | None] = ContextVar("bookwarden_audit_origin", default=None)


def new_request_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def current_origin() -> Origin:
    origin = _current.get()
    if origin is None:
        origin = Origin(request_id=new_request_id("cli-"))
        _current.set(origin)
    return origin


@contextlib.contextmanager
def audit_context(request_id: str | None = None, ip: str | None = None) -> Iterator[Origin]:
    origin = Origin(request_id=request_id or new_request_id(), ip=ip)
    token = _current.set(origin)
    try:
        yield origin
    finally:
        _current.reset(token)
