"""The small CSV files other apps take in (training completions, the device inventory): one
way to read them, to name their columns, to take them from a page and from the command
line, with the import's errors (:class:`~bookwarden.patrons.importer.parsing.ImportFailed`,
line, column and reason) shown the same way everywhere.

An app's importer is a function ``(*, actor, library, content, filename) -> summary`` whose
summary has a ``text`` (one line of counts); it raises ``ImportFailed`` and writes nothing
when a row is bad.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

from django import forms
from django.core.exceptions import ValidationError

from bookwarden.core.wording import counted

from .parsing import ImportFailed, RowError

#: The largest file taken in.
MAX_BYTES = 5 * 1024 * 1024
#: At most this many bad rows are printed by the command, or listed on a page.
MAX_PRINTED_ERRORS = 200
MAX_LISTED_ERRORS = 500


class Summary(Protocol):
    @property
    def text(self) -> str: ...


Importer = Callable[..., Summary]


def decode(content: bytes) -> str:
    """The file's text (UTF-8, with or without a byte-order mark), or ``ImportFailed``."""
    if len(content) > MAX_BYTES:
        raise ImportFailed([], reason="the file is larger than 5 MB")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            [RowError(line, "", "not UTF-8 text: save the file as CSV UTF-8")]
        ) from None


def column_index(names: list[str], known: Collection[str]) -> tuple[dict[str, int], list[RowError]]:
    """Where each known column is (names in any case, spaces for underscores), and the
    header's errors: unknown columns, columns named twice.  Missing columns are for the
    caller to name, as only it knows which it needs."""
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for position, raw in enumerate(names):
        name = raw.strip().lower().replace(" ", "_")
        if name not in known:
            errors.append(RowError(1, raw.strip() or f"#{position + 1}", "unknown column"))
        elif name in index:
            errors.append(RowError(1, name, "column named twice"))
        else:
            index[name] = position
    return index, errors


class FileForm(forms.Form):
    """A CSV file to import; ``columns`` (a subclass's) says which columns it holds;
    ``filename`` is the uploaded file's name once valid."""

    file = forms.FileField(label="CSV file")
    columns = ""
    filename = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.columns

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        self.filename = str(upload.name or "")
        return bytes(upload.read())


def import_from_page(
    request: Any, form: FileForm, run: Importer, *, library: Any, success: str
) -> tuple[Summary | None, list[RowError]]:
    """Post ``form`` to ``run`` through :func:`bookwarden.core.forms.submit`: the summary
    (and ``success`` with its counts as the page's message), or nothing and the bad rows,
    with one message on the form saying nothing was imported."""
    from bookwarden.core.forms import add_action_errors, submit

    try:
        done = submit(
            request,
            form,
            lambda data: run(
                actor=request.user, library=library, content=data["file"], filename=form.filename
            ),
            success=lambda s: f"{success} {s.text}",
        )
    except ImportFailed as failed:
        problem = failed.reason or (
            f"{counted(len(failed.errors), 'problem')} in the file. Correct them and import "
            "the whole file again"
        )
        add_action_errors(form, ValidationError(f"Nothing was imported: {problem}."))
        return None, failed.errors
    return (done.result if done else None), []


def import_from_command(command: Any, path: str, library: Any, run: Importer, what: str) -> None:
    """``bookwarden import KIND FILE.csv --library SLUG``: the summary line on stdout; every
    bad row on stderr and exit status 1, nothing imported."""
    from django.core.management.base import CommandError

    with open(path, "rb") as handle:
        content = handle.read(MAX_BYTES + 1)
    try:
        summary = run(
            actor=None, library=library, content=content, filename=path.rsplit("/", 1)[-1]
        )
    except ImportFailed as failed:
        if failed.reason:
            raise CommandError(f"{path} was not imported: {failed.reason}.") from None
        for error in failed.errors[:MAX_PRINTED_ERRORS]:
            command.stderr.write(str(error))
        if len(failed.errors) > MAX_PRINTED_ERRORS:
            command.stderr.write(f"... and {len(failed.errors) - MAX_PRINTED_ERRORS} more")
        raise CommandError(
            f"{counted(len(failed.errors), 'bad row')} in {path}: nothing was imported."
        ) from None
    command.stdout.write(f"Imported {what}: {summary.text}")
