"""Pages of a request for records, from intake to closure (CR-5a, CC-5, NM-1).

Any staff member records a request and sees their own intakes; the custodian of library
records (director or designee: ``open_records_as_custodian``) reviews, decides, fulfils
and closes.  Every write goes through :mod:`bookwarden.disclosures.actions`, posted with
:func:`bookwarden.core.forms.submit`; requests of another library are 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.files import hand_out
from bookwarden.core.forms import focus_first_error, submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, has_perm
from bookwarden.core.roles import Perm
from bookwarden.core.when import show_times_for

from .. import actions
from ..forms import (
    CloseForm,
    CounselForm,
    DecisionForm,
    DocumentForm,
    IdentityForm,
    InstrumentForm,
    IntakeForm,
    OverrideForm,
)
from ..letters import refusal_letter_context
from ..models import DisclosureRequest, Document, PatronNotice, Status, Verdict
from ..steps import blocking, missing_before_release, steps_of

CUSTODIAN = Perm.OPEN_RECORDS_AS_CUSTODIAN
INTAKE_DONE = (
    "The request is recorded and the custodian of records is told. Do not answer the "
    "requester yourself, and do not say whether the records exist: only the director or a "
    "designee answers."
)


def _request_or_404(request: StaffRequest, request_id: int) -> DisclosureRequest:
    """A request of one of the person's libraries (else 404); the custodian's, or the
    intake of the person who recorded it (else 403)."""
    obj = get_object_or_404(
        DisclosureRequest.objects.for_user(request.user).select_related(
            "library", "received_by", "decided_by"
        ),
        pk=request_id,
    )
    if not has_perm(request.user, CUSTODIAN, obj.library_id) and not (
        obj.received_by_id == request.user.pk
        and has_perm(request.user, Perm.RECORD_REQUESTS, obj.library_id)
    ):
        raise PermissionDenied
    show_times_for(obj.library)
    return obj


def _custodian_request(request: StaffRequest, request_id: int) -> DisclosureRequest:
    obj = get_object_or_404(
        DisclosureRequest.objects.for_user(request.user).select_related("library"),
        pk=request_id,
    )
    if not has_perm(request.user, CUSTODIAN, obj.library_id):
        raise PermissionDenied
    show_times_for(obj.library)
    return obj


@login_required
@require_GET
def request_list(request: StaffRequest) -> HttpResponse:
    """The custodian sees every request of their libraries; other staff their own intakes."""
    if not request.user.library_ids():
        raise Http404
    custodian_libraries = list(Library.objects.for_user(request.user, CUSTODIAN))
    requests = DisclosureRequest.objects.for_user(
        request.user, CUSTODIAN
    ) | DisclosureRequest.objects.for_user(request.user).filter(received_by=request.user)
    qs = requests.select_related("library", "received_by")
    flagged = request.GET.get("flagged") == "1"
    if flagged:  # against the rule outcome, or released with steps overridden
        qs = qs.filter(Q(against_rule=True) | Q(override_at__isnull=False))
    return render(
        request,
        "disclosures/list.html",
        {
            "requests": list(qs[:200]),
            "custodian": bool(custodian_libraries),
            "custodian_libraries": custodian_libraries,
            "flagged": flagged,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: StaffRequest) -> HttpResponse:
    if not request.user.library_ids(Perm.RECORD_REQUESTS):
        raise PermissionDenied
    libraries = Library.objects.for_user(request.user, Perm.RECORD_REQUESTS)
    if request.method != "POST":
        form = IntakeForm(libraries=libraries, initial={"library": libraries.first()})
        return render(request, "disclosures/new.html", {"form": form})
    slug = request.POST.get("library", "")
    if slug and not libraries.filter(slug=slug).exists():
        raise Http404
    form = IntakeForm(request.POST, request.FILES, libraries=libraries)
    done = submit(
        request,
        form,
        lambda data: actions.record_request(
            actor=request.user,
            library=data["library"],
            requester_name=data["requester_name"],
            requester_agency=data["requester_agency"],
            requester_type=data["requester_type"],
            requester_contact=data["requester_contact"],
            instrument=data["instrument"],
            instrument_reference=data["instrument_reference"],
            finding=data["finding"],
            issued_by=data["issued_by"] or "",
            patrons=data.get("patrons", []),
            patrons_as_named=data["patrons_as_named"],
            record_types=data["record_types"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            deadline=data["deadline"],
            bill_sent=data["bill_sent"],
            amount_owed=data["amount_owed"],
            gag_order=data["gag_order"],
            gag_reference=data["gag_reference"],
            gag_until=data["gag_until"],
            notes=data["notes"],
            document=data["document"],
        ),
        success=INTAKE_DONE,
    )
    if done:
        return redirect("disclosures:detail", request_id=done.result.pk)
    return render(request, "disclosures/new.html", {"form": form})


def _history(obj: DisclosureRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(library_id=obj.library_id)
        .filter(
            Q(target_type="disclosures.disclosurerequest", target_id=str(obj.pk))
            | Q(action=AuditAction.RECORDS_OPENED, purpose=obj.purpose)
        )
        .select_related("actor")
        .order_by("seq")
    )


@login_required
@require_GET
def request_detail(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _request_or_404(request, request_id)
    custodian = has_perm(request.user, CUSTODIAN, obj.library_id)
    ctx: dict[str, Any] = {"req": obj, "custodian": custodian}
    if custodian:
        ctx.update(_custodian_context(obj))
    return render(request, "disclosures/detail.html", ctx)


def _custodian_context(obj: DisclosureRequest) -> dict[str, Any]:
    """What the custodian sees: the rule decision, the steps before a release (each
    recorded or missing), the forms, the notices as the outbox has them, the history."""
    fresh, policy_problem = actions.rule_decision(obj)
    stored = obj.rule_decision if obj.status != Status.RECORDED else None
    decision = stored or fresh.as_dict()
    step_keys = decision.get("steps", [])
    notices = list(PatronNotice.objects.filter(request=obj).select_related("patron", "message"))
    before_release = obj.status in (Status.RECORDED, Status.DECIDED)
    patrons = list(obj.patrons.order_by("last_name", "first_name"))
    names = {patron.pk: str(patron) for patron in patrons}
    return {
        "decision": decision,
        "policy_problem": policy_problem,
        "patrons": patrons,
        "documents": list(obj.documents.all()),
        "steps": steps_of(obj, step_keys),
        "blocking": blocking(obj, step_keys) if before_release else [],
        "may_override": before_release
        and obj.verdict != Verdict.REFUSE
        and not obj.overridden
        and bool(missing_before_release(obj, step_keys)),
        "before_release": before_release,
        "notices": notices,
        # Each event with the name of the patron whose records it opened (the audit log
        # holds the patron's number only).
        "history": [
            (event, names.get(event.patron_id, "a patron no longer named in the request"))
            for event in _history(obj)
        ],
        "gag_in_force": obj.gag_in_force(),
        "counsel_form": CounselForm(prefix="counsel"),
        "identity_form": IdentityForm(prefix="identity"),
        "instrument_form": InstrumentForm(prefix="instrument", request=obj),
        "override_form": OverrideForm(prefix="override"),
        "decision_form": DecisionForm(prefix="decide", record_types=obj.record_types),
        "close_form": CloseForm(prefix="close"),
        "document_form": DocumentForm(prefix="doc"),
        "held": any(n.state == "held" for n in notices),
    }


def _back(obj: DisclosureRequest) -> HttpResponse:
    return redirect("disclosures:detail", request_id=obj.pk)


def _again(request: StaffRequest, request_id: int, name: str, form: Any) -> HttpResponse:
    """The request's page again after a refused form: the errors on that form, next to what
    the person typed (kept), with the cursor on the first field to correct."""
    focus_first_error(form)
    obj = _request_or_404(request, request_id)  # as stored: the refused action changed nothing
    ctx = {"req": obj, "custodian": True, **_custodian_context(obj), name: form}
    return render(request, "disclosures/detail.html", ctx)


@login_required
@require_POST
def request_counsel(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = CounselForm(request.POST, prefix="counsel")
    if submit(
        request,
        form,
        lambda data: actions.record_counsel(actor=request.user, request=obj, **data),
        success="Counsel's advice is recorded.",
    ):
        return _back(obj)
    return _again(request, request_id, "counsel_form", form)


@login_required
@require_POST
def request_identity(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = IdentityForm(request.POST, prefix="identity")
    if submit(
        request,
        form,
        lambda data: actions.verify_identity(actor=request.user, request=obj, **data),
        success="The requester's identity is recorded as verified.",
    ):
        return _back(obj)
    return _again(request, request_id, "identity_form", form)


@login_required
@require_POST
def request_instrument(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = InstrumentForm(request.POST, prefix="instrument", request=obj)
    if submit(
        request,
        form,
        lambda data: actions.verify_instrument(actor=request.user, request=obj, **data),
        success="The instrument is recorded as verified.",
    ):
        return _back(obj)
    return _again(request, request_id, "instrument_form", form)


@login_required
@require_POST
def request_override(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = OverrideForm(request.POST, prefix="override")
    if submit(
        request,
        form,
        lambda data: actions.override_steps(actor=request.user, request=obj, **data),
        success="The emergency override is recorded and flagged.",
    ):
        return _back(obj)
    return _again(request, request_id, "override_form", form)


@login_required
@require_POST
def request_decide(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = DecisionForm(request.POST, prefix="decide", record_types=obj.record_types)
    if submit(
        request,
        form,
        lambda data: actions.decide(actor=request.user, request=obj, **data),
        success="The decision is recorded.",
    ):
        return _back(obj)
    return _again(request, request_id, "decision_form", form)


@login_required
@require_POST
def request_fulfil(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    submit(
        request,
        None,
        lambda _: actions.fulfil(actor=request.user, request=obj),
        success="Done: the packet or the letter is ready below.",
    )
    return _back(obj)


@login_required
@require_POST
def request_notify(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    submit(
        request,
        None,
        lambda _: actions.notify_held_patrons(actor=request.user, request=obj),
        success=lambda count: f"{count} patron notice(s) sent or marked as letters.",
    )
    return _back(obj)


@login_required
@require_POST
def request_close(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = CloseForm(request.POST, prefix="close")
    if submit(
        request,
        form,
        lambda data: actions.close_request(actor=request.user, request=obj, **data),
        success="The request is closed.",
    ):
        return _back(obj)
    return _again(request, request_id, "close_form", form)


@login_required
@require_POST
def document_add(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = DocumentForm(request.POST, request.FILES, prefix="doc")
    if submit(
        request,
        form,
        lambda data: actions.add_document(actor=request.user, request=obj, upload=data["document"]),
        success="The document is stored with its fingerprint.",
    ):
        return _back(obj)
    return _again(request, request_id, "document_form", form)


@login_required
@require_GET
def document_download(request: StaffRequest, request_id: int, document_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    document: Document = get_object_or_404(obj.documents.all(), pk=document_id)
    response = hand_out(document.file, document.sha256, document.filename)
    if response.status_code == 200:
        actions.log_document_viewed(actor=request.user, document=document)
    return response


@login_required
@require_GET
def packet_download(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    if not obj.packet:
        raise Http404
    response = hand_out(
        obj.packet, obj.packet_sha256, f"disclosure-{obj.pk}.zip", "application/zip"
    )
    if response.status_code == 200:
        actions.log_packet_downloaded(actor=request.user, request=obj)
    return response


@login_required
@require_GET
def refusal_letter(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    if obj.letter_at is None:
        raise Http404
    return render(request, "disclosures/letter.html", refusal_letter_context(obj))
