"""``bookwarden backup create``: one encrypted file holding the database and the stored files.

The file is written under a temporary name in the same folder (``.NAME.partial``, mode
0600) and renamed when it is complete and synced, so a file with a backup's name is always
whole; a failure removes the temporary file.  Nothing of the backup is written to the disk
unencrypted except, on SQLite, the snapshot taken with the online backup API, which lives in
a private temporary folder (mode 0700) only while it is being encrypted.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import importlib.metadata
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils import timezone

from . import actions
from .container import FILES_PREFIX, ContainerWriter, Manifest
from .crypto import EncryptingWriter, read_key_file
from .database import dump_database
from .models import BackupOrigin, BackupRecord

SUFFIX = ".bwbackup"
PARTIAL = ".partial"
NAME_PREFIX = "bookwarden-backup-"
NAME_TIME = "%Y%m%dT%H%M%SZ"


def backup_name(moment: datetime.datetime) -> str:
    return f"{NAME_PREFIX}{moment.astimezone(datetime.UTC).strftime(NAME_TIME)}{SUFFIX}"


def made_at(name: str) -> datetime.datetime | None:
    """When a backup was made, from its file name (``None``: not a backup's name)."""
    if not (name.startswith(NAME_PREFIX) and name.endswith(SUFFIX)):
        return None
    stamp = name[len(NAME_PREFIX) : -len(SUFFIX)].split("-")[0]
    try:
        return datetime.datetime.strptime(stamp, NAME_TIME).replace(tzinfo=datetime.UTC)
    except ValueError:
        return None


def version() -> str:
    try:
        return importlib.metadata.version("bookwarden")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class _CountingFile:
    """The output file, with the SHA-256 and size of what is written to it."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._out.write(data)


def stored_files(exclude: Path | None = None) -> Iterator[tuple[str, Path]]:
    """Every file under MEDIA_ROOT (disclosure packets, documents, attachments), by its path
    relative to it; symbolic links and anything under ``exclude`` are left out."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    skip = exclude.resolve() if exclude else None
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        if skip and path.resolve().is_relative_to(skip):
            continue
        yield path.relative_to(root).as_posix(), path


@dataclass
class Made:
    record: BackupRecord
    path: Path
    manifest: Manifest


def _new_path(folder: Path, moment: datetime.datetime) -> Path:
    name = backup_name(moment)
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / name.replace(SUFFIX, f"-{n}{SUFFIX}")
    return path


@contextlib.contextmanager
def _partial_file(path: Path) -> Iterator[BinaryIO]:
    """A new file ``.NAME.partial`` (mode 0600) beside ``path``, renamed to ``path`` when the
    block ends normally and removed when it does not."""
    partial = path.with_name(f".{path.name}{PARTIAL}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    with contextlib.suppress(OSError):  # the rename itself, on the disk
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def create_backup(
    folder: Path | str,
    *,
    origin: str = BackupOrigin.COMMAND,
    key_file: Path | str | None = None,
    actor: Any = None,
) -> Made:
    """Make one backup in ``folder`` and record it (CC-8).  Refused, before anything is
    written, without a key (``BackupRefused``)."""
    key = read_key_file(key_file or settings.BACKUP_KEY_FILE)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    started = time.monotonic()
    now = timezone.now()
    path = _new_path(folder, now)
    with (
        tempfile.TemporaryDirectory(prefix="bookwarden-backup-") as work,
        _partial_file(path) as out,
    ):
        counted = _CountingFile(out)
        sealed = EncryptingWriter(counted, key)  # type: ignore[arg-type]
        writer = ContainerWriter(sealed)
        engine, facts = dump_database(writer, Path(work))
        for relative, file_path in stored_files(exclude=folder):
            writer.add_file(FILES_PREFIX + relative, "file", file_path)
        manifest = Manifest(
            engine=engine,
            created_at=now.astimezone(datetime.UTC).isoformat(),
            version=version(),
            database={"server_version": facts.server_version},
            migrations=facts.migrations,
            tables=facts.tables,
            audit_head=facts.audit_head,
        )
        writer.close(manifest)
        sealed.finish()
    backup = actions.record_backup_made(
        actor=actor,
        file_name=path.name,
        folder=str(folder.resolve()),
        size=counted.size,
        sha256=counted.digest.hexdigest(),
        created_at=now,
        seconds=round(time.monotonic() - started, 3),
        origin=origin,
        engine=engine,
        audit_seq=int(facts.audit_head.get("seq") or 0),
        stored_files=len(manifest.files),
    )
    return Made(backup, path, manifest)
