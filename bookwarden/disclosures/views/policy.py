"""The library's own disclosure policy (NM-2): the custodian adds and removes rules in the
pack's format; a rule looser than the statute is shown as a conflict, never applied."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.permissions import StaffRequest, library_for
from bookwarden.core.roles import Perm

from .. import actions
from ..forms import PolicyRuleForm, PubliclyFundedForm
from ..models import PolicyRule, publicly_funded
from ..rules import PackError, load_pack, policy_conflicts, policy_for_library

CUSTODIAN = Perm.OPEN_RECORDS_AS_CUSTODIAN


@login_required
@require_http_methods(["GET", "POST"])
def policy_page(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, CUSTODIAN)
    funded = publicly_funded(library)
    setting_posted = request.method == "POST" and "publicly_funded_form" in request.POST
    form = PolicyRuleForm(request.POST if request.method == "POST" and not setting_posted else None)
    funded_form = PubliclyFundedForm(
        request.POST if setting_posted else None,
        prefix="library",
        initial={"publicly_funded": {True: "yes", False: "no"}.get(funded, "")},  # type: ignore[arg-type]
    )
    if setting_posted and submit(
        request,
        funded_form,
        lambda data: actions.set_publicly_funded(
            actor=request.user, library=library, publicly_funded=data["publicly_funded"]
        ),
        success="The library's setting is saved.",
    ):
        return redirect("disclosures:policy", slug=library.slug)
    if (
        request.method == "POST"
        and not setting_posted
        and submit(
            request,
            form,
            lambda data: actions.add_policy_rule(actor=request.user, library=library, **data),
            success="The rule is added to the library's policy.",
        )
    ):
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
            "funded_form": funded_form,
            "publicly_funded": funded,
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
    submit(
        request,
        None,
        lambda _: actions.remove_policy_rule(actor=request.user, rule=rule),
        success=f"Rule {rule.rule_id} is removed.",
    )
    return redirect("disclosures:policy", slug=library.slug)
