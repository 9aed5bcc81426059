"""Pages of the disclosure workflow (CR-5a, CC-5, NM-1, NM-2).

Any staff member records a request and sees their own intakes; the custodian of library
records (director or designee: ``open_records_as_custodian``) reviews, decides, fulfils
and closes, and sets the library's own policy.  Every write goes through
:mod:`bookwarden.disclosures.actions`; requests of another library are 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.files import hand_out
from bookwarden.core.forms import add_action_errors
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, has_perm, libraries_with_perm, library_for
from bookwarden.core.roles import Perm

from . import actions
from .forms import CloseForm, CounselForm, DecisionForm, DocumentForm, IntakeForm, PolicyRuleForm
from .letters import refusal_letter_context
from .models import DisclosureRequest, Document, PatronNotice, PolicyRule, Status
from .rules import PackError, load_pack, policy_conflicts, policy_for_library

CUSTODIAN = Perm.OPEN_RECORDS_AS_CUSTODIAN


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
    return obj


def _custodian_request(request: StaffRequest, request_id: int) -> DisclosureRequest:
    obj = get_object_or_404(
        DisclosureRequest.objects.for_user(request.user).select_related("library"),
        pk=request_id,
    )
    if not has_perm(request.user, CUSTODIAN, obj.library_id):
        raise PermissionDenied
    return obj


@login_required
@require_GET
def request_list(request: StaffRequest) -> HttpResponse:
    """The custodian sees every request of their libraries; other staff their own intakes."""
    custodian_of = libraries_with_perm(request.user, CUSTODIAN)
    if not request.user.library_ids():
        raise Http404
    qs = (
        DisclosureRequest.objects.for_user(request.user)
        .filter(Q(library_id__in=custodian_of) | Q(received_by=request.user))
        .select_related("library", "received_by")
    )
    if request.GET.get("flagged") == "1":
        qs = qs.filter(against_rule=True)
    return render(
        request,
        "disclosures/list.html",
        {
            "requests": list(qs[:200]),
            "custodian": bool(custodian_of),
            "custodian_libraries": Library.objects.filter(pk__in=custodian_of),
            "flagged": request.GET.get("flagged") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: StaffRequest) -> HttpResponse:
    libraries = Library.objects.filter(
        pk__in=libraries_with_perm(request.user, Perm.RECORD_REQUESTS)
    )
    if not libraries.exists():
        raise PermissionDenied
    if request.method == "POST":
        slug = request.POST.get("library", "")
        if slug and not libraries.filter(slug=slug).exists():
            raise Http404
        form = IntakeForm(request.POST, request.FILES, libraries=libraries)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = actions.record_request(
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
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(
                    request,
                    "The request is recorded and the custodian of records is told. Do not "
                    "answer the requester yourself, and do not say whether the records exist: "
                    "only the director or a designee answers (CC-5).",
                )
                return redirect("disclosures:detail", request_id=created.pk)
    else:
        form = IntakeForm(libraries=libraries, initial={"library": libraries.first()})
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
        decision, policy_problem = actions.rule_decision(obj)
        stored = obj.rule_decision if obj.status != Status.RECORDED else None
        ctx.update(
            {
                "decision": stored or decision.as_dict(),
                "policy_problem": policy_problem,
                "patrons": list(obj.patrons.order_by("last_name", "first_name")),
                "documents": list(obj.documents.all()),
                "notices": list(PatronNotice.objects.filter(request=obj).select_related("patron")),
                "history": _history(obj),
                "gag_in_force": obj.gag_in_force(),
                "counsel_form": CounselForm(prefix="counsel"),
                "decision_form": DecisionForm(prefix="decide", record_types=obj.record_types),
                "close_form": CloseForm(prefix="close"),
                "document_form": DocumentForm(prefix="doc"),
                "held": any(n.state == "held" for n in PatronNotice.objects.filter(request=obj)),
            }
        )
    return render(request, "disclosures/detail.html", ctx)


def _back(obj: DisclosureRequest) -> HttpResponse:
    return redirect("disclosures:detail", request_id=obj.pk)


def _failed(request: StaffRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_POST
def request_counsel(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = CounselForm(request.POST, prefix="counsel")
    if not form.is_valid():
        messages.error(request, "Name the counsel, when, and the advice.")
        return _back(obj)
    try:
        actions.record_counsel(
            actor=request.user,
            request=obj,
            counsel_name=form.cleaned_data["counsel_name"],
            consulted_at=form.cleaned_data["consulted_at"],
            advice=form.cleaned_data["advice"],
        )
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, "Counsel's advice is recorded.")
    return _back(obj)


@login_required
@require_POST
def request_decide(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = DecisionForm(request.POST, prefix="decide", record_types=obj.record_types)
    if not form.is_valid():
        messages.error(request, "Choose a decision and give its reasons.")
        return _back(obj)
    try:
        actions.decide(
            actor=request.user,
            request=obj,
            verdict=form.cleaned_data["verdict"],
            reasons=form.cleaned_data["reasons"],
            released_types=form.cleaned_data["released_types"],
            justification=form.cleaned_data["justification"],
        )
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, "The decision is recorded.")
    return _back(obj)


@login_required
@require_POST
def request_fulfil(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    try:
        actions.fulfil(actor=request.user, request=obj)
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, "Done: the packet or the letter is ready below.")
    return _back(obj)


@login_required
@require_POST
def request_notify(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    try:
        count = actions.notify_held_patrons(actor=request.user, request=obj)
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, f"{count} patron notice(s) sent or marked as letters.")
    return _back(obj)


@login_required
@require_POST
def request_close(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = CloseForm(request.POST, prefix="close")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.close_request(actor=request.user, request=obj, note=note)
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, "The request is closed.")
    return _back(obj)


@login_required
@require_POST
def document_add(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    form = DocumentForm(request.POST, request.FILES, prefix="doc")
    if not form.is_valid():
        messages.error(request, "Choose a file of at most 20 MB.")
        return _back(obj)
    try:
        actions.add_document(actor=request.user, request=obj, upload=form.cleaned_data["document"])
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, "The document is stored with its fingerprint.")
    return _back(obj)


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


# --- the library's own policy (NM-2) ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy_page(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, CUSTODIAN)
    form = PolicyRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_policy_rule(
                actor=request.user,
                library=library,
                rule_id=data["rule_id"],
                requesters=data["requesters"],
                instruments=data["instruments"],
                records=data["records"],
                outcome=data["outcome"],
                citation=data["citation"],
                bill_sent=data["bill_sent"],
                max_age=data["max_age"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, "The rule is added to the library's policy.")
            return redirect("disclosures:policy", slug=library.slug)
    rules = list(PolicyRule.objects.filter(library=library))
    problem = ""
    conflicts: list[Any] = []
    pack = policy = None
    try:
        pack = load_pack(library.jurisdiction)
        policy = policy_for_library(library)
        if policy is not None and pack is not None:
            conflicts = policy_conflicts(policy, pack)
    except PackError as exc:
        problem = str(exc)
    return render(
        request,
        "disclosures/policy.html",
        {
            "library": library,
            "rules": rules,
            "form": form,
            "conflicts": conflicts,
            "problem": problem,
            "pack": pack,
            "from_file": not rules and policy is not None,
        },
    )


@login_required
@require_POST
def policy_rule_remove(request: StaffRequest, slug: str, rule_id: int) -> HttpResponse:
    library = library_for(request, slug, CUSTODIAN)
    rule = get_object_or_404(PolicyRule.objects.filter(library=library), pk=rule_id)
    actions.remove_policy_rule(actor=request.user, rule=rule)
    messages.success(request, f"Rule {rule.rule_id} is removed.")
    return redirect(reverse("disclosures:policy", kwargs={"slug": library.slug}))
