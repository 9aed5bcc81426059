"""The outbox page: what was sent, what waits, what failed, and "Send again" for failed
mail.  Subjects and bodies are not shown (they may name a patron): recipients, reason,
status, tries and the last error are enough to fix a mail problem."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookwarden.core.permissions import StaffRequest, perm_required
from bookwarden.core.roles import Perm

from . import actions
from .models import MailStatus, OutboxMessage
from .my_tasks import visible_to


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def outbox(request: StaffRequest) -> HttpResponse:
    qs = OutboxMessage.objects.filter(visible_to(request.user))
    status = request.GET.get("status", "")
    if status in MailStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mail/outbox.html",
        {"page": page, "status": status, "statuses": MailStatus.choices},
    )


@login_required
@require_POST
@perm_required(Perm.RUN_JOBS)
def retry_failed(request: StaffRequest) -> HttpResponse:
    count = actions.retry_failed(actor=request.user)
    messages.success(request, f"{count} failed message(s) will be sent again within a minute.")
    return redirect("mail:outbox")
