"""Every write of the API app (LV-3, CC-7, CC-9): a person's tokens, a library's alert
sources, and an alert turned into an operations-log entry.  Each is atomic, checks first
and records its audit event in the same transaction; secrets are never written anywhere but
into the one answer that shows them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.second_factor import needs_mfa
from bookwarden.operations.actions import create_entry
from bookwarden.operations.models import INCIDENT_KINDS, EntryKind, LogEntry, Severity

from . import secret_keys
from .models import (
    MAX_TOKEN_DAYS,
    AlertSource,
    ApiToken,
    ReceivedAlert,
    Scope,
    default_expiry,
)

#: What an alert may be recorded as: a security incident, or the kinds of the log a
#: monitoring or firewall service reports.  Anything else is a concern to classify.
ALERT_KINDS = (
    *sorted(INCIDENT_KINDS),
    EntryKind.CONCERN,
    EntryKind.FIREWALL_CHANGE,
    EntryKind.NETWORK_INTERRUPTION,
    EntryKind.BACKUP,
    EntryKind.PATCHING,
    EntryKind.SERVER_CHANGE,
    EntryKind.MAINTENANCE,
)


@dataclass(frozen=True)
class Shown:
    """What was made, and its secret, to be shown to its maker once."""

    obj: ApiToken | AlertSource
    secret: str


# --- tokens ---------------------------------------------------------------------------


def _check_token(
    actor: User, name: str, scope: str, libraries: list[Library], expires_on: datetime.date
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Say what the token is for."
    if scope not in Scope.values:
        errors["scope"] = "Choose read only, or read and write."
    mine = set(actor.library_ids())
    if not libraries:
        errors["libraries"] = "Choose at least one library."
    elif any(library.pk not in mine for library in libraries):
        errors["libraries"] = "Choose libraries where you hold a role."
    today = timezone.localdate()
    if expires_on <= today:
        errors["expires_on"] = "Choose a day after today."
    elif expires_on > today + datetime.timedelta(days=MAX_TOKEN_DAYS):
        errors["expires_on"] = "A token lasts a year at most."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_token(
    *,
    actor: User,
    name: str,
    scope: str,
    libraries: Iterable[Library],
    expires_on: datetime.date | None = None,
    second_factor_used: bool,
) -> Shown:
    """LV-3, CC-7: a person makes a token for another system to act as them, limited to read
    or write and to libraries where they hold a role, for 90 days unless they choose (a year
    at most).  Someone whose role needs a second factor must have signed in with it."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("Sign in first.")
    if needs_mfa(actor) and not second_factor_used:
        raise PermissionDenied(
            "Your role needs two-factor login: sign out, sign in again with your code, then "
            "make the token."
        )
    chosen = sorted(set(libraries), key=lambda library: library.pk)
    expires_on = expires_on or default_expiry()
    _check_token(actor, name, scope, chosen, expires_on)
    secret = secret_keys.new_secret()
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        prefix=secret_keys.new_prefix(),
        secret_hash=secret_keys.digest(secret),
        scope=scope,
        expires_on=expires_on,
    )
    token.libraries.set(chosen)
    for library in chosen:  # each library's readers of the log see it
        record(
            AuditAction.API_TOKEN_CREATED,
            actor=actor,
            target=token,
            library=library,
            subject_user=actor,
            after={
                "prefix": token.prefix,
                "scope": scope,
                "libraries": [lib.pk for lib in chosen],
                "expires_on": expires_on,
            },
        )
    return Shown(token, secret_keys.token_text(token.prefix, secret))


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """The token stops working at once.  Only its owner revokes it."""
    if actor is None or token.user_id != actor.pk:
        raise PermissionDenied("Only the person who made a token revokes it.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError("This token is already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    for library_id in token.libraries.values_list("pk", flat=True):
        record(
            AuditAction.API_TOKEN_REVOKED,
            actor=actor,
            target=token,
            library=library_id,
            subject_user=actor,
            after={"prefix": token.prefix},
        )
    return token


# --- alert sources --------------------------------------------------------------------


@transaction.atomic
def create_alert_source(*, actor: User | None, library: Library, name: str) -> Shown:
    """CC-9: the technology coordinator or the director connects a monitoring or firewall
    service; its secret is shown once."""
    require(actor, Perm.MANAGE_ALERT_SOURCES, library)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the service, such as 'Firewall'."})
    secret = secret_keys.new_secret()
    source = AlertSource.objects.create(
        library=library,
        name=name,
        key=secret_keys.new_source_key(),
        secret_hash=secret_keys.digest(secret),
        created_by=actor,
    )
    record(
        AuditAction.API_ALERT_SOURCE_CREATED,
        actor=actor,
        target=source,
        library=library,
        after={"key": source.key},
    )
    return Shown(source, secret)


@transaction.atomic
def revoke_alert_source(*, actor: User | None, source: AlertSource) -> AlertSource:
    """Its alerts are refused from now on."""
    require(actor, Perm.MANAGE_ALERT_SOURCES, source.library_id)
    source = AlertSource.objects.select_for_update().get(pk=source.pk)
    if source.revoked_at is not None:
        raise ValidationError("This alert source is already disconnected.")
    source.revoked_at = timezone.now()
    source.save(update_fields=["revoked_at"])
    record(
        AuditAction.API_ALERT_SOURCE_REVOKED, actor=actor, target=source, library=source.library_id
    )
    return source


def _alert_kind(kind: str, incident: bool) -> str:
    if not kind:
        return EntryKind.INTRUSION if incident else EntryKind.CONCERN
    if kind not in ALERT_KINDS:
        raise ValidationError({"kind": "Unknown kind of alert."})
    if incident and kind not in INCIDENT_KINDS:
        raise ValidationError({"kind": "An incident needs a kind of security incident."})
    return kind


@transaction.atomic
def receive_alert(
    *,
    source: AlertSource,
    alert_id: str,
    title: str,
    description: str = "",
    severity: str = Severity.MEDIUM,
    incident: bool = False,
    kind: str = "",
    occurred_at: datetime.datetime | None = None,
    device: str = "",
) -> tuple[LogEntry, bool]:
    """CC-9, IT-10: an alert of a connected service becomes an entry of its library's
    operations log, recorded by the installation on behalf of the source; a security
    incident notifies those who must hear of it, as the pages do (operations'
    ``create_entry``).  The same alert sent again (same source, same id) returns the entry
    it made, ``(entry, False)``, and writes nothing."""
    source = AlertSource.objects.select_related("library").get(pk=source.pk)
    if source.revoked_at is not None:
        raise PermissionDenied("This alert source is disconnected.")
    alert_id = alert_id.strip()
    if not alert_id:
        raise ValidationError({"alert_id": "Give the alert's own id."})
    if (earlier := _earlier(source, alert_id)) is not None:
        return earlier, False
    kind = _alert_kind(kind, incident)
    try:
        with transaction.atomic():
            received = ReceivedAlert.objects.create(source=source, alert_id=alert_id)
    except IntegrityError:
        # The same alert, sent twice at once: the other request made the entry.
        if (earlier := _earlier(source, alert_id)) is not None:
            return earlier, False
        raise
    narrative = "\n\n".join(
        part
        for part in (
            description.strip() or title.strip(),
            f"Sent by {source.name} (its alert {alert_id}).",
        )
        if part
    )
    entry = create_entry(
        actor=None,
        library=source.library,
        kind=kind,
        title=title.strip()[:200],
        narrative=narrative,
        occurred_at=min(occurred_at or timezone.now(), timezone.now()),
        severity=severity,
        devices=device,
    )
    received.entry = entry
    received.save(update_fields=["entry"])
    source.last_received_at = timezone.now()
    source.save(update_fields=["last_received_at"])
    record(
        AuditAction.API_ALERT_RECEIVED,
        actor=None,
        target=entry,
        library=source.library,
        after={"source": source.pk, "received": received.pk, "incident": entry.is_incident},
    )
    return entry, True


def _earlier(source: AlertSource, alert_id: str) -> LogEntry | None:
    received = (
        ReceivedAlert.objects.filter(source=source, alert_id=alert_id, entry__isnull=False)
        .select_related("entry")
        .first()
    )
    return received.entry if received is not None else None
