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
from bookwarden.core.wording import counted
from bookwarden.patrons import actions as patron_actions
from bookwarden.patrons.models import Patron

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
    PatronScopeForm,
)
from ..letters import refusal_letter_context, release_letter_context
from ..models import (
    SHOWN_STATUSES,
    DisclosureRequest,
    Document,
    NoticeState,
    PatronNotice,
    PolicyRule,
    Status,
    Verdict,
)
from ..reasoning import pack_version_of, reasoning_of, rule_notes
from ..rules import PackError, load_pack
from ..scopes import PACKET_HOLDS, scope_of
from ..steps import blocking, missing_before_release, steps_of
from ..wording import STEP_BASIS, STEP_WHY, fact_value, finding_of, plain_reason

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
    qs = requests.select_related("library", "received_by").prefetch_related("patrons")
    flagged = request.GET.get("flagged") == "1"
    if flagged:  # against the rule outcome, or released with steps overridden
        qs = qs.filter(Q(against_rule=True) | Q(override_at__isnull=False))
    shown = request.GET.get("status", "")
    if shown in SHOWN_STATUSES:
        qs = qs.filter(SHOWN_STATUSES[shown][1])
    else:
        shown = ""
    return render(
        request,
        "disclosures/list.html",
        {
            "requests": list(qs[:200]),
            "custodian": bool(custodian_libraries),
            "custodian_libraries": custodian_libraries,
            "flagged": flagged,
            "statuses": [(key, label) for key, (label, _) in SHOWN_STATUSES.items()],
            "shown": shown,
        },
    )


def _log_lookup(request: StaffRequest, form: PatronScopeForm, library: Library | None) -> None:
    """A look-up of the library's patrons is a patron search: on record by its number of
    results, never its text (CR-5), like the patron search page."""
    if form.searched and library is not None:
        patron_actions.log_search(actor=request.user, library=library, results=form.found_count)


def _findable(request: StaffRequest) -> Any:
    """The patrons the person may look up for a request (their library's own search), or
    None when they may not find patrons."""
    if not request.user.library_ids(Perm.FIND_PATRONS):
        return None
    return Patron.objects.for_user(request.user, Perm.FIND_PATRONS)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: StaffRequest) -> HttpResponse:
    """Intake.  "Look up" posts the form to find patrons and shows it again with what was
    typed; "Record the request" records it."""
    if not request.user.library_ids(Perm.RECORD_REQUESTS):
        raise PermissionDenied
    libraries = Library.objects.for_user(request.user, Perm.RECORD_REQUESTS)
    patrons = _findable(request)
    if request.method != "POST":
        form = IntakeForm(
            libraries=libraries, patrons=patrons, initial={"library": libraries.first()}
        )
        return render(request, "disclosures/new.html", {"form": form})
    slug = request.POST.get("library", "")
    chosen = libraries.filter(slug=slug).first() if slug else None
    if slug and chosen is None:
        raise Http404
    if patrons is not None and chosen is not None:
        patrons = patrons.filter(library=chosen)  # the request's library only
    form = IntakeForm(request.POST, request.FILES, libraries=libraries, patrons=patrons)
    if "lookup" in request.POST:
        form.show_lookup()
        _log_lookup(request, form, chosen)
        return render(
            request,
            "disclosures/new.html",
            {"form": form, "looked_up": True, "file_dropped": bool(request.FILES)},
        )
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
            stated_purpose=data["stated_purpose"],
            sworn_officer=data["sworn_officer"],
            crime_at_library=data["crime_at_library"],
            particular_suspect=data["particular_suspect"],
            custodial=data["custodial"],
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
    focus_first_error(form)
    return render(
        request, "disclosures/new.html", {"form": form, "file_dropped": bool(request.FILES)}
    )


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
    """The request; for the custodian, its review and decision.  ``?find=`` looks the
    library's patrons up for the form that identifies the patrons the request names."""
    obj = _request_or_404(request, request_id)
    custodian = has_perm(request.user, CUSTODIAN, obj.library_id)
    ctx: dict[str, Any] = {"req": obj, "custodian": custodian, "stated_facts": _stated_facts(obj)}
    if custodian:
        ctx.update(_custodian_context(request, obj))
        if "find" in request.GET:
            form = _identify_form(request, obj, data=request.GET)
            form.show_lookup()
            _log_lookup(request, form, obj.library)
            ctx["identify_form"] = form
    return render(request, "disclosures/detail.html", ctx)


#: The yes/no facts of a request as its page names them.
_FACT_LABELS = (
    ("sworn_officer", "The requester is a sworn officer"),
    ("crime_at_library", "The crime was committed at the library"),
    ("particular_suspect", "A particular person is suspected of a known crime"),
    ("custodial", "The parent or guardian has custody"),
)


def _stated_facts(obj: DisclosureRequest) -> list[tuple[str, str]]:
    """The yes/no facts that were answered at intake, in words."""
    return [
        (label, fact_value(name, getattr(obj, name)))
        for name, label in _FACT_LABELS
        if getattr(obj, name) is not None
    ]


def _pack_name(jurisdiction: str) -> str:
    try:
        pack = load_pack(jurisdiction)
    except PackError:
        return jurisdiction
    return pack.name if pack is not None else jurisdiction


def _identify_form(request: StaffRequest, obj: DisclosureRequest, data: Any = None) -> Any:
    patrons = _findable(request)
    return PatronScopeForm(
        data,
        library=obj.library,
        patrons=None if patrons is None else patrons.filter(library=obj.library_id),
    )


def _custodian_context(request: StaffRequest, obj: DisclosureRequest) -> dict[str, Any]:
    """What the custodian sees: the rule decision, the steps before a release (each
    recorded or missing), the forms, the notices as the outbox has them, the history."""
    fresh, policy_problem = actions.rule_decision(obj)
    stored = obj.rule_decision if obj.status != Status.RECORDED else None
    decision = stored or fresh.as_dict()
    step_keys = decision.get("steps", [])
    citations = "; ".join(decision.get("citations", []))
    notices = list(PatronNotice.objects.filter(request=obj).select_related("patron", "message"))
    before_release = obj.status in (Status.RECORDED, Status.DECIDED)
    patrons = list(obj.patrons.order_by("last_name", "first_name"))
    names = {patron.pk: str(patron) for patron in patrons}
    pack_version, pack_effective = pack_version_of(decision)
    return {
        "decision": decision,
        "reasoning": reasoning_of(
            decision,
            notes=rule_notes(obj.library.jurisdiction, decision),
            policy_rules={
                rule.rule_id: (rule.note, rule.quote)
                for rule in PolicyRule.objects.filter(library_id=obj.library_id)
            }
            if decision.get("explanation")
            else {},
        ),
        "pack_version": pack_version,
        "pack_effective": pack_effective,
        "pack_name": _pack_name(obj.library.jurisdiction) if pack_version else "",
        "scope_ahead": PACKET_HOLDS.get(scope_of(decision.get("outcome", "")), "")
        if scope_of(decision.get("outcome", ""))
        else "",
        "policy_problem": policy_problem,
        "patrons": patrons,
        "documents": list(obj.documents.all()),
        "steps": [
            (step, STEP_WHY.get(step.key, ""), STEP_BASIS.get(step.key) or citations)
            for step in steps_of(obj, step_keys)
        ],
        "reasons": [plain_reason(r) for r in decision.get("reasons", [])],
        "conflicts": [plain_reason(c["why"]) for c in decision.get("conflicts", [])],
        "finding": finding_of(obj.library.jurisdiction, obj.finding),
        "blocking": blocking(obj, step_keys) if before_release else [],
        "may_override": before_release
        and obj.verdict != Verdict.REFUSE
        and not obj.overridden
        and bool(missing_before_release(obj, step_keys)),
        "before_release": before_release,
        "notices": notices,
        "letters_needed": any(n.state == NoticeState.LETTER_NEEDED for n in notices),
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
        "identify_form": _identify_form(request, obj),
        "held": any(n.state == "held" for n in notices),
    }


def _back(obj: DisclosureRequest) -> HttpResponse:
    return redirect("disclosures:detail", request_id=obj.pk)


def _again(request: StaffRequest, request_id: int, name: str, form: Any) -> HttpResponse:
    """The request's page again after a refused form: the errors on that form, next to what
    the person typed (kept), with the cursor on the first field to correct."""
    focus_first_error(form)
    obj = _request_or_404(request, request_id)  # as stored: the refused action changed nothing
    ctx = {"req": obj, "custodian": True, **_custodian_context(request, obj), name: form}
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
def request_identify(request: StaffRequest, request_id: int) -> HttpResponse:
    """The custodian names the library's patrons the request means."""
    obj = _custodian_request(request, request_id)
    form = _identify_form(request, obj, data=request.POST)
    if submit(
        request,
        form,
        lambda data: actions.identify_patrons(
            actor=request.user, request=obj, patrons=data["patrons"]
        ),
        success="The patrons are identified; the rule decision is worked out again.",
    ):
        return _back(obj)
    return _again(request, request_id, "identify_form", form)


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
        success=lambda count: f"{counted(count, 'patron notice')} sent or marked as letters.",
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
def requester_letter(request: StaffRequest, request_id: int) -> HttpResponse:
    """The letter to the requester: the refusal letter once produced, or the cover letter
    of the packet once the packet is produced (404 before)."""
    obj = _custodian_request(request, request_id)
    if obj.letter_at is not None:
        return render(request, "disclosures/letter.html", refusal_letter_context(obj))
    if obj.packet_at is not None:
        return render(request, "disclosures/release_letter.html", release_letter_context(obj))
    raise Http404
