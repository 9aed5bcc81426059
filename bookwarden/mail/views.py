"""The outbox page: what was sent, what waits, what failed, and "Send again" for failed
mail.  Subjects and bodies are not shown (they may name a patron): recipients, reason,
status, tries and the last error are enough to fix a mail problem.

Each person sees the mail they may (issue 9, :meth:`OutboxQuerySet.for_user`): a library's
people with ``view_jobs`` their library's mail; the installation role the installation's own
mail (no library), and of the libraries' mail only how many messages wait, failed or went,
never to whom: it holds no library role.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.permissions import (
    StaffRequest,
    has_installation_perm,
    has_perm_anywhere,
    perm_required,
)
from bookwarden.core.roles import Perm

from . import actions
from .models import MailStatus, OutboxMessage

PER_PAGE = 50


def _libraries_mail() -> dict[str, object]:
    """How the libraries' mail is doing, as counts by status and the oldest message still
    waiting: enough for the person who runs the server to see that delivery is stuck."""
    mail = OutboxMessage.objects.of_libraries()
    counts = dict(mail.values_list("status").annotate(n=Count("pk")).order_by())
    waiting = mail.filter(status=MailStatus.QUEUED).aggregate(oldest=Min("created_at"))
    return {
        "counts": [(label, counts.get(value, 0)) for value, label in MailStatus.choices],
        "oldest_waiting": waiting["oldest"],
    }


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def outbox(request: StaffRequest) -> HttpResponse:
    qs = OutboxMessage.objects.for_user(request.user, Perm.VIEW_JOBS).select_related("library")
    status = request.GET.get("status", "")
    if status in MailStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    installation = has_installation_perm(request.user, Perm.VIEW_JOBS)
    return render(
        request,
        "mail/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": MailStatus.choices,
            "installation": installation,
            "libraries_mail": _libraries_mail() if installation else None,
            "can_resend": has_perm_anywhere(request.user, Perm.RESEND_MAIL),
        },
    )


@login_required
@require_POST
@perm_required(Perm.RESEND_MAIL)
def resend_failed(request: StaffRequest) -> HttpResponse:
    submit(
        request,
        None,
        lambda _: actions.resend_failed(actor=request.user),
        success=lambda count: (
            f"{count} failed message{'s' if count != 1 else ''} will be sent again within a minute."
        ),
    )
    return redirect("mail:outbox")
