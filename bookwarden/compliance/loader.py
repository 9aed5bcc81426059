"""Reading a catalog of controls from its YAML (the built-in ones in ``catalog/``, a library's
own from its page), validated at load: any fault stops the load with every error named in
plain words, and nothing is kept (CC-8).

The format (``docs/compliance.md`` describes it in full)::

    framework: bookwarden            # or "ala"; a library's own: "own"
    title: Bookwarden controls
    cite: https://...                # where the text comes from (optional)
    sources:                         # optional: short keys for the policies quoted
      cass: Cass County Public Library Cybersecurity Policy
    checklists:                      # optional (ALA): the checklists the items belong to
      overview: Overview
    controls:
      - id: yearly-training          # lowercase letters, digits and dashes, unique
        title: Every employee completes the yearly security training
        requirements: [CC-10]        # ids of REQUIREMENTS.md
        source: cass                 # a key of ``sources`` or a title
        sentence: "All employees must complete annual cybersecurity training"
        owner: tech_coordinator      # a role
        checks: [training-current]   # registered checks; none: a person answers it
        checklist: overview          # ALA only
        priority: 1                  # ALA only: 1, 2 or 3
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bookwarden.core.roles import Role

from .checks import registered
from .controls import Control

CATALOG_DIR = Path(__file__).parent / "catalog"
FRAMEWORKS = {"bookwarden", "ala", "own"}
REQUIREMENT_ID = re.compile(r"^(CC|IT|NM|CR|LV)-\d+[a-z]?$")
CONTROL_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TOP_KEYS = {"framework", "title", "cite", "sources", "checklists", "controls"}
CONTROL_KEYS = {
    "id",
    "title",
    "requirements",
    "source",
    "sentence",
    "owner",
    "checks",
    "checklist",
    "priority",
    "note",
}
MAX_ID = 80


class CatalogError(ValueError):
    """A catalog that cannot be loaded; ``errors`` names every fault in plain words."""

    def __init__(self, errors: Iterable[str], source: str = "the catalog") -> None:
        self.errors = list(errors)
        self.source = source
        super().__init__(f"{source}: " + " ".join(self.errors))


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    return None


def _control(
    raw: Any, where: str, framework: str, sources: dict[str, str], checklists: dict[str, str]
) -> tuple[Control | None, list[str]]:
    errors: list[str] = []
    if not isinstance(raw, dict):
        return None, [f"{where} is not a control (a list of fields such as id, title)."]
    ident = str(raw.get("id") or "").strip()
    if ident:
        where = f"{where} ({ident})"
    unknown = sorted(set(map(str, raw)) - CONTROL_KEYS)
    if unknown:
        errors.append(
            f"{where} has fields this format does not know: {', '.join(unknown)}. "
            f"The fields are: {', '.join(sorted(CONTROL_KEYS))}."
        )
    if not ident:
        errors.append(f"{where} has no id.")
    elif not CONTROL_ID.match(ident) or len(ident) > MAX_ID:
        errors.append(
            f"{where}: the id must be lowercase letters, digits and dashes "
            f"(at most {MAX_ID}), such as yearly-training."
        )
    title = str(raw.get("title") or "").strip()
    if not title:
        errors.append(f"{where} has no title.")
    requirements = _strings(raw.get("requirements"))
    if requirements is None:
        errors.append(f"{where}: requirements must be a list of ids such as [CC-10].")
        requirements = []
    bad = [r for r in requirements if not REQUIREMENT_ID.match(r)]
    if bad:
        errors.append(
            f"{where}: {', '.join(bad)} "
            + ("is not a requirement id" if len(bad) == 1 else "are not requirement ids")
            + " (such as CC-10 or CR-6a)."
        )
    if framework == "bookwarden" and not requirements:
        errors.append(f"{where} names no requirement.")
    source = str(raw.get("source") or "").strip()
    source = sources.get(source, source)
    checklist = str(raw.get("checklist") or "").strip()
    if framework == "ala" and not source and checklist in checklists:
        # An ALA item comes from its checklist (its title, without the address).
        source = "ALA Library Privacy Checklist: " + checklists[checklist].split(" (http")[0]
    sentence = " ".join(str(raw.get("sentence") or "").split())
    if framework == "bookwarden" and not (source and sentence):
        errors.append(f"{where} must name its policy (source) and the sentence it rests on.")
    owner = str(raw.get("owner") or "").strip()
    if owner not in Role.values:
        errors.append(
            f"{where}: the owner must be one of the roles: {', '.join(Role.values)}"
            + (f" (not {owner})." if owner else ".")
        )
    checks = _strings(raw.get("checks"))
    if checks is None:
        errors.append(f"{where}: checks must be a list of check names, or left out.")
        checks = []
    known = registered()
    unknown_checks = [c for c in checks if c not in known]
    if unknown_checks:
        errors.append(
            f"{where}: no check is called {', '.join(unknown_checks)}. "
            f"The checks are: {', '.join(sorted(known))}."
        )
    priority = raw.get("priority")
    if framework == "ala":
        if checklist not in checklists:
            errors.append(
                f"{where}: the checklist must be one of {', '.join(checklists) or '(none listed)'}."
            )
        if priority not in (1, 2, 3):
            errors.append(f"{where}: the priority must be 1, 2 or 3.")
    elif priority is not None and priority not in (1, 2, 3):
        errors.append(f"{where}: the priority must be 1, 2 or 3, or left out.")
    if errors:
        return None, errors
    return (
        Control(
            id=ident,
            title=title,
            requirements=tuple(requirements),
            source=source,
            sentence=sentence,
            owner_role=owner,
            checks=tuple(checks),
            framework=framework,
            checklist=checklists.get(checklist, checklist).split(" (http")[0],
            checklist_key=checklist,
            priority=priority if isinstance(priority, int) else None,
            note=" ".join(str(raw.get("note") or "").split()),
        ),
        [],
    )


def load_catalog_text(
    text: str,
    *,
    source: str = "the catalog",
    framework: str | None = None,
    taken: Iterable[str] = (),
) -> list[Control]:
    """The controls of a catalog's YAML ``text``, or :class:`CatalogError` naming every fault.
    ``framework`` forces the framework (a library's own controls are always "own");
    ``taken`` are ids already used (the built-in catalog's, for a library's own)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it is not valid YAML"
        raise CatalogError([f"The text cannot be read{at}: {problem}."], source) from None
    if not isinstance(data, dict):
        raise CatalogError(
            ["The text must start with fields such as framework and controls."], source
        )
    errors: list[str] = []
    unknown = sorted(set(map(str, data)) - TOP_KEYS)
    if unknown:
        errors.append(
            f"Fields this format does not know: {', '.join(unknown)}. "
            f"The fields are: {', '.join(sorted(TOP_KEYS))}."
        )
    kind = framework or str(data.get("framework") or "")
    if kind not in FRAMEWORKS:
        errors.append(f"The framework must be one of {', '.join(sorted(FRAMEWORKS))}.")
    sources = data.get("sources") or {}
    checklists = data.get("checklists") or {}
    if not isinstance(sources, dict) or not isinstance(checklists, dict):
        errors.append("sources and checklists must each be a list of key: title.")
        sources, checklists = {}, {}
    raw_controls = data.get("controls")
    if not isinstance(raw_controls, list) or not raw_controls:
        errors.append("There must be a list of controls (controls:, then one - id: ... each).")
        raw_controls = []
    controls: list[Control] = []
    seen = set(taken)
    for number, raw in enumerate(raw_controls, start=1):
        control, faults = _control(
            raw,
            f"Control {number}",
            kind,
            {str(k): str(v) for k, v in sources.items()},
            {str(k): str(v) for k, v in checklists.items()},
        )
        errors.extend(faults)
        if control is None:
            continue
        if control.id in seen:
            errors.append(f"Control {number}: the id {control.id} is already used.")
        seen.add(control.id)
        controls.append(control)
    if errors:
        raise CatalogError(errors, source)
    return controls


def load_catalog_file(path: Path) -> list[Control]:
    return load_catalog_text(path.read_text(encoding="utf-8"), source=path.name)


def builtin_files() -> list[Path]:
    """The built-in catalogs, the Bookwarden controls first."""
    return sorted(CATALOG_DIR.glob("*.yaml"), key=lambda p: (p.name != "bookwarden.yaml", p.name))


@dataclass(frozen=True)
class Checklist:
    key: str
    title: str
    url: str


def checklists_of(framework: str = "ala") -> list[Checklist]:
    """The checklists of a built-in framework, in the order of its file, each with the
    address of its public text."""
    data = yaml.safe_load((CATALOG_DIR / f"{framework}.yaml").read_text(encoding="utf-8"))
    found = []
    for key, text in (data.get("checklists") or {}).items():
        title, _, rest = str(text).partition(" (")
        found.append(Checklist(str(key), title, rest.rstrip(")")))
    return found
