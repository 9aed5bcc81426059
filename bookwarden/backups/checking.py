"""``bookwarden backup verify FILE`` and the monthly restore drill (CC-8, LV-3).

A check decrypts the whole file (every segment's tag, the final segment, every part's
SHA-256 against the manifest) into a private temporary folder, restores the database into a
scratch database (:func:`bookwarden.backups.database.scratch_database`), walks the restored
audit log's hash chain (the same walk as ``bookwarden audit verify``, and every anchor of the
anchor folder up to the backup's newest event), and compares every table's row count and
the log's head with the manifest.  The scratch database and the folder are removed
whatever happens, and the result is recorded in the installation's own database: a
``BackupCheck`` row and a ``backup.checked`` event.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from bookwarden.audit.anchors import AnchorFileError, read_anchors
from bookwarden.audit.verify import verify_chain

from . import actions
from .container import DATABASE_PART, Manifest, extract
from .crypto import BackupRefused, decrypt_segments, read_key_file
from .database import facts_of_current_database, scratch_database, use_database
from .models import BackupCheck, CheckKind

#: How many differing tables a refusal names.
NAMED = 5


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as src:
        for block in iter(lambda: src.read(1024 * 1024), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def decrypt_into(path: Path, key: bytes, work: Path) -> Manifest:
    """Every part of ``path`` under ``work``, each checked; the manifest."""
    with path.open("rb") as src:
        return extract(decrypt_segments(src, key, path.name), work, path.name)


@dataclass
class Restored:
    """What the check of a restored scratch database found."""

    audit_events: int
    tables: int


def check_restored_database(manifest: Manifest, name: str) -> Restored:
    """On the database Django's ``default`` points at (the scratch one): the audit log's
    chain and anchors, its head, and every table's row count, against the manifest."""
    facts = facts_of_current_database()
    differences = [
        f"{table} has {facts.tables.get(table, 'no table')} rows, the manifest says {count}"
        for table, count in sorted(manifest.tables.items())
        if facts.tables.get(table) != count
    ] + [
        f"{table} is not in the manifest"
        for table in sorted(set(facts.tables) - set(manifest.tables))
    ]
    if differences:
        more = len(differences) - NAMED
        raise BackupRefused(
            f"{name}: the restored row counts differ from the manifest ("
            + "; ".join(differences[:NAMED])
            + (f"; and {more} more" if more > 0 else "")
            + ")."
        )
    head_seq = int(manifest.audit_head.get("seq") or 0)
    try:
        anchors = [a for a in read_anchors() if a.seq <= head_seq]
    except AnchorFileError as exc:
        raise BackupRefused(f"The audit anchor folder cannot be read: {exc}") from None
    chain = verify_chain(anchors=anchors)
    if not chain.ok:
        raise BackupRefused(f"{name}: the audit log in the backup fails its check: {chain.reason}.")
    if chain.head_seq != head_seq or (head_seq and chain.head_hash != manifest.audit_head["hash"]):
        raise BackupRefused(
            f"{name}: the audit log restored ends at event #{chain.head_seq}, not at the "
            f"manifest's #{head_seq}."
        )
    return Restored(audit_events=chain.events, tables=len(facts.tables))


def verify_backup(
    path: Path | str,
    *,
    kind: str = CheckKind.VERIFY,
    key_file: Path | str | None = None,
    actor: Any = None,
) -> BackupCheck:
    """Check one backup file and record the result (a failed check is recorded too, and
    returned with ``ok=False``).  A missing key file raises ``BackupRefused`` unrecorded."""
    path = Path(path)
    key = read_key_file(key_file or settings.BACKUP_KEY_FILE)
    started = time.monotonic()
    fields: dict[str, Any] = {"kind": kind, "file_name": path.name, "ok": False, "failure": ""}
    try:
        fields["sha256"], fields["size"] = file_sha256(path)
        with tempfile.TemporaryDirectory(prefix="bookwarden-verify-") as work:
            manifest = decrypt_into(path, key, Path(work))
            fields["stored_files"] = len(manifest.files)
            with (
                scratch_database(manifest.engine, Path(work) / DATABASE_PART) as scratch,
                use_database(scratch),
            ):
                restored = check_restored_database(manifest, path.name)
        fields.update(ok=True, audit_events=restored.audit_events, tables=restored.tables)
    except BackupRefused as exc:
        fields["failure"] = str(exc)
    except OSError as exc:
        fields["failure"] = f"{path.name} cannot be read: {exc.strerror or exc}."
    fields["seconds"] = round(time.monotonic() - started, 3)
    try:
        return actions.record_backup_check(actor=actor, **fields)
    except DatabaseError:
        # A server whose database is not set up yet (before a restore): nothing to record in.
        return BackupCheck(**fields)
