"""What is inside a backup once decrypted: a sequence of parts, then the manifest.

A part is the database (``database``: a PostgreSQL custom-format dump or a SQLite file) or
one stored file (``files/<path under MEDIA_ROOT>``).  Each is written as it is read, in
blocks, so that neither writing nor reading holds a whole part in memory::

    P <len:2> {"name": ..., "kind": ...}     a part begins
    D <len:4> <bytes>                         a block of its data (repeated)
    E                                         the part ends
    M <len:4> {manifest}                      after the last part
    Z                                         the end

The manifest (:class:`Manifest`) comes last because it holds the SHA-256 and size of every
part.  Reading checks each part against it; a part missing, extra or different refuses the
whole file.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Protocol

from .crypto import BackupRefused

FORMAT = 1
DATABASE_PART = "database"
FILES_PREFIX = "files/"
BLOCK = 1024 * 1024
_SHORT = struct.Struct(">H")
_LONG = struct.Struct(">I")


class Sink(Protocol):
    def write(self, data: bytes) -> Any: ...


@dataclass
class Part:
    name: str
    kind: str  # "database" or "file"
    size: int = 0
    sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "size": self.size, "sha256": self.sha256}


@dataclass
class Manifest:
    """What a backup holds, to check a restore against."""

    engine: str
    created_at: str
    version: str
    migrations: list[list[str]]
    tables: dict[str, int]
    audit_head: dict[str, Any]
    parts: list[Part] = field(default_factory=list)
    database: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "engine": self.engine,
            "created_at": self.created_at,
            "version": self.version,
            "database": self.database,
            "migrations": self.migrations,
            "tables": self.tables,
            "audit_head": self.audit_head,
            "parts": [part.as_dict() for part in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            format=int(data["format"]),
            engine=str(data["engine"]),
            created_at=str(data["created_at"]),
            version=str(data["version"]),
            database=dict(data.get("database") or {}),
            migrations=[list(m) for m in data["migrations"]],
            tables={str(k): int(v) for k, v in data["tables"].items()},
            audit_head=dict(data["audit_head"]),
            parts=[Part(**p) for p in data["parts"]],
        )

    @property
    def files(self) -> list[Part]:
        return [part for part in self.parts if part.kind == "file"]


class ContainerWriter:
    """Writes parts into ``sink`` (the encrypting stream), hashing each on the way."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self.parts: list[Part] = []

    def add(self, name: str, kind: str, blocks: Iterable[bytes], *, compress: bool = True) -> Part:
        """One part from ``blocks``; ``compress`` (zlib) unless the data is compressed
        already (a PostgreSQL custom-format dump).  Size and SHA-256 are of the data itself."""
        head = {"name": name, "kind": kind, "zlib": compress}
        header = json.dumps(head).encode("utf-8")
        self._sink.write(b"P" + _SHORT.pack(len(header)) + header)
        part = Part(name, kind)
        digest = hashlib.sha256()
        packer = zlib.compressobj(6) if compress else None
        for block in blocks:
            if not block:
                continue
            digest.update(block)
            part.size += len(block)
            self._data(packer.compress(block) if packer else block)
        if packer:
            self._data(packer.flush())
        self._sink.write(b"E")
        part.sha256 = digest.hexdigest()
        self.parts.append(part)
        return part

    def _data(self, data: bytes) -> None:
        if data:
            self._sink.write(b"D" + _LONG.pack(len(data)))
            self._sink.write(data)

    def add_file(self, name: str, kind: str, path: Path) -> Part:
        with path.open("rb") as src:
            return self.add(name, kind, iter(lambda: src.read(BLOCK), b""))

    def close(self, manifest: Manifest) -> None:
        manifest.parts = self.parts
        body = json.dumps(manifest.as_dict(), sort_keys=True).encode("utf-8")
        self._sink.write(b"M" + _LONG.pack(len(body)) + body)
        self._sink.write(b"Z")


def read_blocks(src: BinaryIO, size: int = BLOCK) -> Iterator[bytes]:
    return iter(lambda: src.read(size), b"")


class _Plain:
    """Reads exact byte counts from the decrypted segments."""

    def __init__(self, segments: Iterator[bytes], name: str) -> None:
        self._segments = segments
        self._buffer = bytearray()
        self._name = name

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            try:
                self._buffer += next(self._segments)
            except StopIteration:
                raise _malformed(self._name) from None
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def at_end(self) -> bool:
        if self._buffer:
            return False
        return all(not segment for segment in self._segments)


def _malformed(name: str) -> BackupRefused:
    return BackupRefused(f"{name} does not hold a backup this version can read.")


def safe_relative(name: str, backup_name: str) -> PurePosixPath:
    """A stored file's path under MEDIA_ROOT: relative, without ``..``."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise _malformed(backup_name)
    return path


def extract(segments: Iterator[bytes], into: Path, name: str) -> Manifest:
    """Write every part under ``into`` (``into/database``, ``into/files/...``), check each
    against the manifest, and return the manifest.  Everything is read and checked before it
    returns: a file that is refused leaves only ``into`` behind, for the caller to remove."""
    plain = _Plain(segments, name)
    seen: list[Part] = []
    while True:
        kind = plain.read(1)
        if kind == b"P":
            (length,) = _SHORT.unpack(plain.read(_SHORT.size))
            try:
                head = json.loads(plain.read(length))
                part = Part(str(head["name"]), str(head["kind"]))
                packed = bool(head.get("zlib"))
            except (ValueError, KeyError, TypeError):
                raise _malformed(name) from None
            seen.append(_extract_part(plain, part, into, name, packed))
        elif kind == b"M":
            (length,) = _LONG.unpack(plain.read(_LONG.size))
            try:
                manifest = Manifest.from_dict(json.loads(plain.read(length)))
            except (ValueError, KeyError, TypeError):
                raise _malformed(name) from None
            if plain.read(1) != b"Z" or not plain.at_end():
                raise _malformed(name)
            _check_parts(manifest, seen, name)
            return manifest
        else:
            raise _malformed(name)


def _extract_part(plain: _Plain, part: Part, into: Path, name: str, packed: bool) -> Part:
    if part.name == DATABASE_PART and part.kind == "database":
        target = into / DATABASE_PART
    elif part.name.startswith(FILES_PREFIX) and part.kind == "file":
        target = into.joinpath(*safe_relative(part.name, name).parts)
    else:
        raise _malformed(name)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    unpacker = zlib.decompressobj() if packed else None

    def put(block: bytes) -> None:
        digest.update(block)
        part.size += len(block)
        out.write(block)

    with target.open("xb") as out:
        while True:
            marker = plain.read(1)
            if marker == b"E":
                break
            if marker != b"D":
                raise _malformed(name)
            (length,) = _LONG.unpack(plain.read(_LONG.size))
            block = plain.read(length)
            if unpacker is None:
                put(block)
                continue
            try:
                # Bounded output per call: memory stays flat however well the data packs.
                data = unpacker.decompress(block, BLOCK)
                put(data)
                while unpacker.unconsumed_tail:
                    put(unpacker.decompress(unpacker.unconsumed_tail, BLOCK))
            except zlib.error:
                raise _malformed(name) from None
        if unpacker is not None:
            put(unpacker.flush())
    part.sha256 = digest.hexdigest()
    return part


def _check_parts(manifest: Manifest, seen: list[Part], name: str) -> None:
    listed = {p.name: p for p in manifest.parts}
    found = {p.name: p for p in seen}
    if set(listed) != set(found) or len(found) != len(seen):
        raise BackupRefused(f"{name}: its parts do not match its manifest; nothing was restored.")
    for part_name, part in found.items():
        expected = listed[part_name]
        if (part.size, part.sha256) != (expected.size, expected.sha256):
            raise BackupRefused(
                f"{name}: the part {part_name} does not match its SHA-256 in the manifest; "
                "nothing was restored."
            )
