"""The shape every app keeps (docs/development.md), checked on the source so that it stays.

* The spine (core, audit, mail, jobs) imports no domain app: domain apps plug into it
  through its registries (demo parts, "My tasks", the menu, periodic jobs).
* Views post forms to actions through ``core.forms.submit``: no view catches an action's
  ValidationError itself.
* Scoping is ``Model.objects.for_user(user, perm)``: no hand-written ``library_id__in``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
SPINE = ("core", "audit", "mail", "jobs")
DOMAIN = (
    "patrons",
    "portal",
    "disclosures",
    "operations",
    "enforcement",
    "breach",
    "policies",
    "training",
    "people",
    "onboarding",
    "devices",
    "credentials",
    "software",
    "vendors",
    "api",
    "reports",
)
#: Where the one scoping method is written.
# policies/models.py: a consortium's policies are seen by the people of its members (CC-6).
SCOPING_HOMES = {"core/models.py", "audit/models.py", "policies/models.py"}


def _sources(apps: tuple[str, ...]) -> list[Path]:
    return sorted(
        path
        for app in apps
        for path in (PACKAGE / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def _imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_spine_imports_no_domain_app() -> None:
    wrong = []
    for path in _sources(SPINE):
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] == "bookwarden" and len(parts) > 1 and parts[1] in DOMAIN:
                wrong.append(f"  {path.relative_to(PACKAGE)} imports {module}")
    assert not wrong, (
        "The spine (core, audit, mail, jobs) must not import a domain app; register through "
        "the spine's registries instead (docs/development.md):\n" + "\n".join(wrong)
    )


def _catches_validation_error(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = ast.unparse(node.type)
            if "ValidationError" in caught:
                lines.append(node.lineno)
    return lines


def test_views_post_forms_through_the_one_helper() -> None:
    wrong = []
    for path in _sources(SPINE + DOMAIN):
        if path.name != "views.py" and path.parent.name != "views":
            continue
        for line in _catches_validation_error(ast.parse(path.read_text(encoding="utf-8"))):
            wrong.append(f"  {path.relative_to(PACKAGE)}:{line}")
    assert not wrong, (
        "A view catches an action's ValidationError itself; post the form with "
        "bookwarden.core.forms.submit instead:\n" + "\n".join(wrong)
    )


def test_scoping_is_never_written_by_hand() -> None:
    wrong = []
    for path in _sources(SPINE + DOMAIN):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in SCOPING_HOMES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if "library_id__in=" in code or "library__in=" in code:
                wrong.append(f"  {relative}:{number}: {line.strip()}")
    assert not wrong, (
        "Scope with Model.objects.for_user(user, perm), not a hand-written library filter:\n"
        + "\n".join(wrong)
    )


#: Ways of writing a date in a template other than the one (core/when.py): ``|when``,
#: ``|day``, ``|clock``, ``|ago`` and ``|iso``.  Django's ``|date:"..."`` with a format of
#: its own, ``|time``, ``timesince`` and a literal ``{% now "..." %}`` format each make a
#: page that no longer matches the others.
OTHER_DATE_WAYS = re.compile(
    r"\|\s*(?:date|time|timesince|timeuntil|naturaltime|naturalday)\b"
    r"|\{%\s*now\s+[\"'](?!(?:SHORT_)?DATE(?:TIME)?_FORMAT[\"'])"
)


def test_templates_write_dates_one_way() -> None:
    """One format for dates and times on every page, in the library's time zone (issue 10):
    templates use ``|when`` / ``|day`` / ``|ago`` (``|iso`` in a ``<time datetime>``)."""
    wrong = [
        f"  {path.relative_to(PACKAGE)}:{n}: {match.group(0)}"
        for path in sorted(PACKAGE.glob("*/templates/**/*"))
        if path.is_file()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in OTHER_DATE_WAYS.finditer(line)
    ]
    assert not wrong, (
        "Write a date as {{ x|day }}, a moment as {{ x|when }}, an age as {{ x|ago }} (from "
        "when the thing happened) and a machine-readable time as {{ x|iso }}, not with "
        "|date, |time or timesince (docs/development.md, 'Dates and times'):\n" + "\n".join(wrong)
    )


#: strftime-style formats that are not page text: file names and the value of a
#: <input type="datetime-local"> (operations.forms.DATETIME_FORMAT is that value's).
MACHINE_FORMATS = {"%Y%m%d-%H%M%S", "%Y-%m-%dT%H:%M", "strftime(DATETIME_FORMAT)"}


def _strftime_formats(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = ast.unparse(node.format_spec)
            if "%" in spec:
                found.append((node.lineno, spec))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "strftime"
        ):
            arg = node.args[0] if node.args else None
            text = arg.value if isinstance(arg, ast.Constant) else ast.unparse(node)
            found.append((node.lineno, str(text)))
    return found


def test_python_writes_dates_for_people_one_way() -> None:
    """Page text, flash messages, "My tasks", mail and letters format dates with
    ``core.when`` (``when``, ``day``), in the library's zone; exports use ``iso_utc``.  The
    command line (management commands) may print what it likes."""
    wrong = [
        f"  {path.relative_to(PACKAGE)}:{line}: {spec}"
        for path in _sources(SPINE + DOMAIN)
        if "commands" not in path.parts
        for line, spec in _strftime_formats(ast.parse(path.read_text(encoding="utf-8")))
        if not any(fmt in spec for fmt in MACHINE_FORMATS)
    ]
    assert not wrong, (
        "Format a date for a person with bookwarden.core.when (when(x), day(x), with "
        "library= in mail), and machine output with iso_utc(x):\n" + "\n".join(wrong)
    )
