"""The encryption of a backup file (CC-8, CR-6a): AES-256-GCM over fixed-size segments.

The construction is Tink's streaming AEAD (AES-GCM-HKDF streaming), built from the
``cryptography`` package's primitives, never by hand:

* the library's key (32 random bytes, in a key file kept away from the server) never
  encrypts anything itself: each file gets its own key, derived with HKDF-SHA256 from the
  library's key and a random 32-byte salt written in the file's header;
* the file is cut into segments of 1 MiB of plaintext; segment ``i`` is sealed with
  AES-256-GCM under the nonce ``prefix || i || last`` (a random 7-byte prefix of the file,
  the 4-byte segment number, one byte that is 1 on the final segment only), and the header
  as associated data.

So a changed byte anywhere fails that segment's tag, segments cannot be reordered or moved
between files (the number and the file's own key are in every nonce), and a file cut short
lacks its final segment.  Memory stays at one segment however large the backup.

Why not Fernet: a Fernet token must be held whole in memory (no streaming), is base64 (a
third larger) and carries no notion of a final segment, so a chunked use of it would need
the same framing as here, around a weaker cipher mode.

The header also carries a short id of the library's key, so that a wrong key is told apart
from a damaged file.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"BWBACKUP"
VERSION = 1
KEY_BYTES = 32
SALT_BYTES = 32
PREFIX_BYTES = 7
KEY_ID_BYTES = 8
SEGMENT = 1024 * 1024  # plaintext bytes per segment
TAG_BYTES = 16
_HEADER = struct.Struct(f">8sB{KEY_ID_BYTES}s{SALT_BYTES}s{PREFIX_BYTES}s")
_LENGTH = struct.Struct(">I")
KEY_LINE = "bookwarden-backup-key-1:"

LOSING_THE_KEY = (
    "Keep a copy of this key away from the server (a password manager or a safe). "
    "Without it no backup can be read: losing the key loses every backup."
)


class BackupRefused(Exception):
    """A backup file that cannot be trusted (wrong key, changed, cut short) or a missing key:
    the message is one plain sentence, and nothing was restored."""


# -- The key ----------------------------------------------------------------------------------


def key_id(key: bytes) -> str:
    """A short name of a key (16 hex digits): says which key made a file, reveals nothing."""
    return hashlib.sha256(b"bookwarden backup key id\0" + key).hexdigest()[: KEY_ID_BYTES * 2]


def make_key_file(path: Path) -> str:
    """Write a new random key to ``path`` (mode 0600; refused if the file exists) and return
    its id."""
    key = secrets.token_bytes(KEY_BYTES)
    made = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = (
        f"# Bookwarden backup key, made {made}, key id {key_id(key)}.\n"
        f"# {LOSING_THE_KEY}\n"
        f"{KEY_LINE}{base64.urlsafe_b64encode(key).decode('ascii')}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupRefused(
            f"{path} already exists: a key file is never overwritten (the backups made with "
            "it would be lost). Choose another name."
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
    os.chmod(path, 0o600)
    return key_id(key)


def read_key_file(path: Path | str | None) -> bytes:
    """The key in ``path``; a clear refusal when there is none or it is not a key file."""
    if not path:
        raise BackupRefused(
            "No backup key: set BOOKWARDEN_BACKUP_KEY_FILE to the key file (make one with: "
            "bookwarden backup key --out FILE). " + LOSING_THE_KEY
        )
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not text"
        raise BackupRefused(f"The backup key file {path} cannot be read: {reason}.") from None
    for line in text.splitlines():
        if line.startswith(KEY_LINE):
            try:
                key = base64.urlsafe_b64decode(line[len(KEY_LINE) :].strip())
            except ValueError:
                break
            if len(key) == KEY_BYTES:
                return key
            break
    raise BackupRefused(f"{path} is not a Bookwarden backup key file.")


# -- Writing ------------------------------------------------------------------------------------


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"bookwarden backup v1"
    ).derive(key)
    return AESGCM(derived)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only stream: what is written is sealed segment by segment into ``out``.
    :meth:`finish` seals the final segment; a stream never finished is a cut-short file."""

    def __init__(self, out: BinaryIO, key: bytes) -> None:
        self._out = out
        salt = secrets.token_bytes(SALT_BYTES)
        self._prefix = secrets.token_bytes(PREFIX_BYTES)
        self._header = _HEADER.pack(MAGIC, VERSION, bytes.fromhex(key_id(key)), salt, self._prefix)
        self._aead = _file_key(key, salt)
        self._buffer = bytearray()
        self._number = 0
        out.write(self._header)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > SEGMENT:
            self._seal(bytes(self._buffer[:SEGMENT]), last=False)
            del self._buffer[:SEGMENT]

    def finish(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        if self._number >= 2**32 - 1:
            raise BackupRefused("The backup is too large for one file.")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), plain, self._header)
        self._out.write(_LENGTH.pack(len(sealed)))
        self._out.write(sealed)
        self._number += 1


# -- Reading ------------------------------------------------------------------------------------


def _read_exact(src: BinaryIO, size: int) -> bytes:
    data = src.read(size)
    return data if data is not None else b""


def decrypt_segments(src: BinaryIO, key: bytes, name: str) -> Iterator[bytes]:
    """The plaintext of ``src``, a segment at a time, each checked before it is given out.
    Raises :class:`BackupRefused` on a wrong key, a changed byte or a file cut short."""
    header = _read_exact(src, _HEADER.size)
    if len(header) < _HEADER.size or not header.startswith(MAGIC):
        raise BackupRefused(f"{name} is not a Bookwarden backup file.")
    _magic, version, file_key_id, salt, prefix = _HEADER.unpack(header)
    if version != VERSION:
        raise BackupRefused(
            f"{name} is a backup of format {version}, which this version cannot read."
        )
    if file_key_id.hex() != key_id(key):
        raise BackupRefused(
            f"{name} was made with another key (key id {file_key_id.hex()}), not with this "
            f"key file (key id {key_id(key)}): nothing was restored."
        )
    aead = _file_key(key, salt)
    number = 0
    while True:
        length_bytes = _read_exact(src, _LENGTH.size)
        if not length_bytes:
            raise BackupRefused(
                f"{name} is cut short (its end is missing): it cannot be trusted, nothing "
                "was restored."
            )
        if len(length_bytes) < _LENGTH.size:
            raise _damaged(name)
        (length,) = _LENGTH.unpack(length_bytes)
        if length < TAG_BYTES or length > SEGMENT + TAG_BYTES:
            raise _damaged(name)
        sealed = _read_exact(src, length)
        if len(sealed) < length:
            raise BackupRefused(
                f"{name} is cut short (its end is missing): it cannot be trusted, nothing "
                "was restored."
            )
        plain, last = _open(aead, prefix, number, sealed, header, name)
        yield plain
        if last:
            if _read_exact(src, 1):
                raise _damaged(name)
            return
        number += 1


def _open(
    aead: AESGCM, prefix: bytes, number: int, sealed: bytes, header: bytes, name: str
) -> tuple[bytes, bool]:
    for last in (False, True):
        try:
            return aead.decrypt(_nonce(prefix, number, last), sealed, header), last
        except InvalidTag:
            continue
    raise _damaged(name)


def _damaged(name: str) -> BackupRefused:
    return BackupRefused(
        f"{name} has been changed or damaged (its encryption check fails): it cannot be "
        "trusted, nothing was restored."
    )
