"""Every write of the disclosure workflow (DESIGN mechanism 1; CR-5a, CC-5, NM-1, NM-2),
one module per feature:

- :mod:`.requests`: intake, documents, closure, and the rule decision of a request;
- :mod:`.review`: the steps before any release (counsel, identity, the instrument) and
  the emergency override of them;
- :mod:`.decisions`: the custodian's decision and its fulfilment (the packet or the letter);
- :mod:`.notices`: the patron's notice of a disclosure (NM-7);
- :mod:`.policy`: the library's own disclosure policy (NM-2).

Each action runs in one transaction and records its audit event.  Callers use the names
re-exported here: ``from bookwarden.disclosures import actions; actions.decide(...)``.
"""

from .decisions import decide, fulfil, is_against_rule, log_packet_downloaded
from .notices import notice_text, notify_held_patrons
from .policy import add_policy_rule, remove_policy_rule, set_publicly_funded
from .requests import (
    CUSTODIAN,
    MAX_DOCUMENT_BYTES,
    add_document,
    close_request,
    facts_for,
    identify_patrons,
    log_document_viewed,
    record_request,
    rule_decision,
)
from .review import override_steps, record_counsel, verify_identity, verify_instrument

__all__ = [
    "CUSTODIAN",
    "MAX_DOCUMENT_BYTES",
    "add_document",
    "add_policy_rule",
    "close_request",
    "decide",
    "facts_for",
    "fulfil",
    "identify_patrons",
    "is_against_rule",
    "log_document_viewed",
    "log_packet_downloaded",
    "notice_text",
    "notify_held_patrons",
    "override_steps",
    "record_counsel",
    "record_request",
    "remove_policy_rule",
    "rule_decision",
    "set_publicly_funded",
    "verify_identity",
    "verify_instrument",
]
