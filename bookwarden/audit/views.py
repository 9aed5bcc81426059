"""The audit-log pages: search and filter, one event, CSV export (director, designee and
auditors).  Opening the log, and exporting it, are audit events themselves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bookwarden.core.files import csv_writer
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, libraries_with_perm, perm_required
from bookwarden.core.roles import Perm

from .actions import record
from .chain import format_time
from .filters import AuditFilterForm
from .keyset import PAGE_SIZE, keyset_page, requested_position
from .models import AuditAction, AuditEvent


def _filtered(request: StaffRequest, perm: str) -> tuple[AuditFilterForm, Any]:
    """The filter form and the events it selects, or ``None`` when a filter value is
    refused: then nothing is listed and the page says which value and why."""
    libraries = Library.objects.for_user(request.user, perm)
    form = AuditFilterForm(request.GET or None, libraries=libraries)
    if form.is_bound and not form.is_valid():
        return form, None
    qs: Any = AuditEvent.objects.for_user(request.user, perm).select_related(
        "actor", "library", "subject_user"
    )
    if form.is_bound:
        qs = form.filter(qs)
    return form, qs.order_by("-seq")


def _by_date(form: AuditFilterForm) -> bool:
    """A date filter is given: the page is read in the order of the events' times."""
    return form.is_bound and bool(form.cleaned_data.get("since") or form.cleaned_data.get("until"))


def _filters_record(form: AuditFilterForm) -> dict[str, Any]:
    return form.as_record() if form.is_bound else {}


def _scope_library(request: StaffRequest) -> int | None:
    ids = libraries_with_perm(request.user, Perm.VIEW_AUDIT)
    return ids[0] if len(ids) == 1 else None


@login_required
@perm_required(Perm.VIEW_AUDIT)
@require_GET
def event_list(request: StaffRequest) -> HttpResponse:
    form, qs = _filtered(request, Perm.VIEW_AUDIT)
    position = requested_position(request.GET)
    if qs is None:
        viewed: dict[str, Any] = {"refused_filters": form.refused_fields()}
    else:
        viewed = {"filters": _filters_record(form), **(position or {"page": 1})}
    record(
        AuditAction.AUDIT_VIEWED,
        actor=request.user,
        library=_scope_library(request),
        after=viewed,
    )
    # Keyset pages, read after this view's own event (the newest page shows it): no count
    # of the whole log, whatever its size (issue 16).
    page = None if qs is None else keyset_page(qs, position, by_time=_by_date(form))
    # htmx asks for the whole page when it restores a history entry it has not cached.
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx and not htmx.history_restore_request)
    template = "audit/_results.html" if partial else "audit/list.html"
    query = request.GET.copy()
    for key in ("page", "before", "after"):
        query.pop(key, None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "filter_problems": form.problems() if qs is None else [],
            "query": query.urlencode(),
            "can_export": bool(libraries_with_perm(request.user, Perm.EXPORT_AUDIT)),
            "page_size": PAGE_SIZE,
        },
    )


@login_required
@perm_required(Perm.VIEW_AUDIT)
@require_GET
def event_detail(request: StaffRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        AuditEvent.objects.for_user(request.user).select_related(
            "actor", "library", "subject_user"
        ),
        pk=pk,
    )
    record(AuditAction.AUDIT_VIEWED, actor=request.user, library=event.library_id, target=event)
    return render(request, "audit/detail.html", {"event": event})


CSV_COLUMNS = [
    "seq",
    "time",
    "actor",
    "action",
    "target_type",
    "target_id",
    "library",
    "subject_user",
    "patron_id",
    "purpose",
    "request_id",
    "ip",
    "before",
    "after",
    "prev_hash",
    "hash",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(qs: Any) -> Iterator[str]:
    writer = csv_writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in qs.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                e.seq,
                format_time(e.created_at),
                e.actor.username if e.actor else "",
                e.action,
                e.target_type,
                e.target_id,
                e.library.slug if e.library else "",
                e.subject_user.username if e.subject_user else "",
                e.patron_id or "",
                e.purpose or "",
                e.request_id,
                e.ip or "",
                json.dumps(e.before, sort_keys=True) if e.before is not None else "",
                json.dumps(e.after, sort_keys=True) if e.after is not None else "",
                e.prev_hash,
                e.hash,
            ]
        )


@login_required
@perm_required(Perm.EXPORT_AUDIT)
@reauthentication_required
@require_GET
def event_export(request: StaffRequest) -> HttpResponse | StreamingHttpResponse:
    form, qs = _filtered(request, Perm.EXPORT_AUDIT)
    if qs is None:
        # Refused, not an empty file: an empty export would read as "nothing happened".
        problems = "\n".join(f"- {problem}" for problem in form.problems())
        return HttpResponse(
            f"The audit log was not exported: these filters could not be used.\n{problems}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    # The file holds the rows counted here: not this export's own event, nor events written
    # while the file streams.  (On PostgreSQL, an event of another library being committed
    # at this very moment with a lower seq can still join the file: the count is of what
    # was committed when the export began.)
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    qs = qs.filter(seq__lte=head)
    record(
        AuditAction.AUDIT_EXPORTED,
        actor=request.user,
        library=_scope_library(request),
        after={"filters": _filters_record(form), "rows": qs.count()},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
