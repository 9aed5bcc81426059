"""The steps before any release of a request for records, as recorded facts (CR-5a, CC-5).

The rule decision names the steps (:func:`bookwarden.disclosures.rules.evaluate._steps`):
verify the requester's identity, verify the instrument, consult counsel, and the custodian's
decision.  They are requirements, not advice: each one before the decision is done only
when the custodian has recorded it on the request (who, when, how), and a release (a
releasing decision, and the packet) is refused while one is missing, unless the custodian
recorded an emergency override of it with a written justification.  Nothing here writes:
the actions in :mod:`bookwarden.disclosures.actions.review` record the steps.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from bookwarden.core import when as formats

from .models import DisclosureRequest
from .rules.schema import (
    STEP_CONSULT_COUNSEL,
    STEP_CUSTODIAN_DECISION,
    STEP_VERIFY_IDENTITY,
    STEP_VERIFY_INSTRUMENT,
)

#: Each step in plain words.
STEP_LABELS = {
    STEP_VERIFY_IDENTITY: "The requester's identity verified",
    STEP_VERIFY_INSTRUMENT: "The instrument stored and verified",
    STEP_CONSULT_COUNSEL: "Counsel consulted and the advice recorded",
    STEP_CUSTODIAN_DECISION: "The custodian's decision",
}


@dataclass(frozen=True)
class Step:
    """One step of a request: done or not, overridden or not, and what was recorded (or
    what is missing)."""

    key: str
    label: str
    done: bool
    overridden: bool
    detail: str


def _on(when: datetime.datetime) -> str:
    return formats.when(when)


def _recorded(who: object, when: datetime.datetime) -> str:
    return f"recorded by {who or 'the system'} on {_on(when)}"


def _step(request: DisclosureRequest, key: str) -> Step:
    overridden = key in (request.overridden_steps or [])
    if key == STEP_CONSULT_COUNSEL:
        if request.counsel_at is not None:
            done, detail = True, f"{request.counsel_name}, consulted on {_on(request.counsel_at)}"
        else:
            done, detail = False, "counsel's advice not recorded"
    elif key == STEP_VERIFY_IDENTITY:
        if request.identity_verified_at is not None:
            done = True
            detail = _recorded(request.identity_verified_by, request.identity_verified_at)
        else:
            done, detail = False, "the requester's identity not verified"
    elif key == STEP_VERIFY_INSTRUMENT:
        verified_at = request.instrument_verified_at
        done = verified_at is not None and request.instrument_document_id is not None
        if verified_at is not None and done:
            detail = _recorded(request.instrument_verified_by, verified_at)
        elif not request.documents.exists():
            detail = "no document of the instrument is stored"
        else:
            detail = "the instrument not verified"
    elif key == STEP_CUSTODIAN_DECISION:
        done = bool(request.verdict)
        detail = "decided" if done else "the decision below, once the steps above are recorded"
    else:  # a step this version does not know: never counted as done
        done, detail = False, f"{key} is not recorded"
    return Step(key, STEP_LABELS.get(key, key), done, overridden, detail)


def steps_of(request: DisclosureRequest, keys: Iterable[str]) -> list[Step]:
    """The steps ``keys`` (a rule decision's ``steps``) as they stand on ``request``."""
    return [_step(request, key) for key in keys]


def missing_before_release(request: DisclosureRequest, keys: Iterable[str]) -> list[Step]:
    """The steps before the decision that are not recorded (overridden or not)."""
    return [s for s in steps_of(request, keys) if s.key != STEP_CUSTODIAN_DECISION and not s.done]


def blocking(request: DisclosureRequest, keys: Iterable[str]) -> list[Step]:
    """What stops a release now: the missing steps that no emergency override covers."""
    return [s for s in missing_before_release(request, keys) if not s.overridden]


def release_refused_message(missing: list[Step]) -> str:
    return (
        "The records cannot be released yet: the rules require these steps first, and they "
        "are not recorded: "
        + "; ".join(s.detail for s in missing)
        + ". Record them on the request page. Only in an emergency may the custodian record "
        "an override with a written justification; it is flagged in the reports."
    )
