"""Files kept as evidence (log attachments, documents of requests for records, copies of
what was given) and files handed out: one way to take them in, one way to give them back,
and one way to write spreadsheet cells.

* :func:`take_in` checks the size, computes the SHA-256 while reading and gives a safe
  file name; the caller stores the file and its fingerprint.
* :func:`hand_out` serves a stored file only if it still matches its recorded SHA-256
  (409 otherwise), as a download that is never cached or sniffed.
* :func:`csv_writer` writes CSV whose every cell goes through :func:`csv_cell`, which keeps
  a spreadsheet from running a cell as a formula (CSV injection).  Every CSV the project
  hands out is written with it.
"""

from __future__ import annotations

import csv
import decimal
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.text import get_valid_filename


@dataclass(frozen=True)
class Incoming:
    sha256: str
    size: int
    name: str


def take_in(content: Any, *, max_bytes: int, field: str, default_name: str) -> Incoming:
    """Check and fingerprint an upload (or any Django File); it is left rewound."""
    digest = hashlib.sha256()
    size = 0
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    if size > max_bytes:
        raise ValidationError({field: f"The file is larger than {max_bytes // (1024 * 1024)} MB."})
    if size == 0:
        raise ValidationError({field: "The file is empty."})
    base = os.path.basename(getattr(content, "name", "") or default_name)
    name = get_valid_filename(base)[:200] if base else ""
    return Incoming(sha256=digest.hexdigest(), size=size, name=name or default_name)


def hand_out(
    stored: Any, sha256: str, filename: str, content_type: str = "application/octet-stream"
) -> HttpResponse:
    """The stored file as a download, or 409 if it no longer matches its fingerprint."""
    with stored.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != sha256:
        return HttpResponse(
            "This file no longer matches the fingerprint recorded when it was stored.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def csv_cell(value: Any) -> str:
    """Text as a spreadsheet shows it, never as a formula.  Numbers stay numbers."""
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _FormulaSafeWriter:
    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> _FormulaSafeWriter:
    """A ``csv.writer`` over ``out`` whose cells can never run as spreadsheet formulas."""
    return _FormulaSafeWriter(out, **options)
