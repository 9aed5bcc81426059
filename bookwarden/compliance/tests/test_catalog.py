"""The catalog of controls (CC-8): the YAML files load and are validated with clear errors;
every requirement id of ../shared/REQUIREMENTS.md has a control; each control quotes its
policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bookwarden.compliance.controls import builtin_catalog
from bookwarden.compliance.loader import CatalogError, checklists_of, load_catalog_text

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
REQUIREMENTS = SHARED / "REQUIREMENTS.md"
POLICIES = SHARED / "policies"
POLICY_FILES = {
    "Cass County Public Library Cybersecurity Policy": "cass-county-cybersecurity-policy.txt",
    "IT Staff Security Policy": "it-staff-security-policy.txt",
    "New Madrid County Library Privacy Policy": "new-madrid-county-privacy-policy.txt",
    "Cresco Public Library Public Records and Confidentiality": (
        "cresco-public-records-and-confidentiality.txt"
    ),
    "Liverpool Public Library Staff Computer Use Policy": (
        "liverpool-staff-computer-use-policy.txt"
    ),
}
#: An id, with letters after a comma naming more of the same number ("CR-6b,c").
REQUIREMENT = re.compile(r"\b((?:CC|IT|NM|CR|LV)-\d+)([a-z]?)((?:,[a-z])*)")

GOOD = """\
framework: own
controls:
  - id: board-minutes
    title: The board minutes record the privacy review
    requirements: [CC-11]
    source: Our bylaws
    sentence: "The board reviews the privacy program every year."
    owner: director
"""


def requirement_ids(text: str) -> set[str]:
    """Every id the requirements name: "CR-6b,c" is CR-6b and CR-6c."""
    found = set()
    for number, letter, more in REQUIREMENT.findall(text):
        found.add(number + letter)
        found.update(number + extra for extra in more.split(",") if extra)
    return found


def test_requirement_ids_are_read_as_written() -> None:
    assert requirement_ids("- CR-6b,c Privacy notice; CC-4, LV-6 No software") == {
        "CR-6b",
        "CR-6c",
        "CC-4",
        "LV-6",
    }


def test_every_requirement_has_a_control() -> None:
    """CC-8: each id of ../shared/REQUIREMENTS.md is answered by at least one Bookwarden
    control; a new requirement without one fails here."""
    if not REQUIREMENTS.exists():
        pytest.skip(f"{REQUIREMENTS} is absent: the requirements live beside the repository")
    wanted = requirement_ids(REQUIREMENTS.read_text(encoding="utf-8"))
    assert len(wanted) > 40
    mapped = {r for c in builtin_catalog() if c.framework == "bookwarden" for r in c.requirements}
    missing = sorted(wanted - mapped)
    assert not missing, f"Requirements without a control: {', '.join(missing)}"
    unknown = sorted(mapped - wanted)
    assert not unknown, f"Controls name requirements that do not exist: {', '.join(unknown)}"


def _plain(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).lower()


def test_each_control_quotes_its_policy() -> None:
    """Each Bookwarden control's sentence is quoted word for word from the policy it names."""
    if not POLICIES.exists():
        pytest.skip(f"{POLICIES} is absent: the policies live beside the repository")
    for control in builtin_catalog():
        if control.framework != "bookwarden":
            continue
        policy = POLICIES / POLICY_FILES[control.source]
        assert _plain(control.sentence) in _plain(policy.read_text(encoding="utf-8")), control.id


def test_the_ala_checklists_have_every_area_and_priority() -> None:
    """The overview and the six areas, each item in priority 1, 2 or 3, each checklist
    citing the public text."""
    lists = checklists_of("ala")
    assert [c.key for c in lists] == [
        "overview",
        "data-exchange",
        "vendors",
        "management-systems",
        "websites",
        "public-computers",
        "k12",
    ]
    assert all(c.url.startswith("https://www.ala.org/") for c in lists)
    items = [c for c in builtin_catalog() if c.framework == "ala"]
    for checklist in lists:
        mine = [c for c in items if c.checklist_key == checklist.key]
        assert mine, checklist.key
        assert {c.priority for c in mine} <= {1, 2, 3}
        assert 1 in {c.priority for c in mine}
    # Some items take evidence from the checks, the others wait for a person's answer.
    assert any(c.checks for c in items) and any(c.answered_by_person for c in items)


def test_a_good_text_loads() -> None:
    (control,) = load_catalog_text(GOOD)
    assert control.id == "board-minutes"
    assert control.answered_by_person
    assert control.requirements == ("CC-11",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("owner: director", "owner: boss"), "the owner must be one of the roles"),
        (("requirements: [CC-11]", "requirements: [XX-1]"), "XX-1 is not a requirement id"),
        (("id: board-minutes", "id: Board Minutes"), "the id must be lowercase letters"),
        (
            ("    owner: director", "    owner: director\n    checks: [no-such-check]"),
            "no check is called no-such-check",
        ),
        (
            ("    owner: director", "    owner: director\n    colour: blue"),
            "fields this format does not know: colour",
        ),
        (("title: The board", "title: ''\n    #"), "has no title"),
        (("controls:", "controls: []\nother:"), "There must be a list of controls"),
        (("    sentence:", "      bad: [indent\n    sentence:"), "cannot be read at line"),
    ],
)
def test_a_bad_text_is_refused_with_a_clear_error(change: tuple[str, str], message: str) -> None:
    """A catalog with a fault loads nothing and names the fault in plain words."""
    with pytest.raises(CatalogError) as refused:
        load_catalog_text(GOOD.replace(*change))
    assert message in " ".join(refused.value.errors)


def test_an_id_of_the_builtin_catalog_is_taken() -> None:
    text = GOOD.replace("id: board-minutes", "id: yearly-training")
    with pytest.raises(CatalogError) as refused:
        load_catalog_text(text, taken=[c.id for c in builtin_catalog()])
    assert "the id yearly-training is already used" in " ".join(refused.value.errors)


def test_a_bad_builtin_file_fails_at_load(tmp_path: Path) -> None:
    """A Bookwarden control must name its requirement, policy and sentence."""
    bad = GOOD.replace("framework: own", "framework: bookwarden").replace(
        '    sentence: "The board reviews the privacy program every year."\n', ""
    )
    with pytest.raises(CatalogError) as refused:
        load_catalog_text(bad, source="bookwarden.yaml")
    assert "must name its policy (source) and the sentence" in str(refused.value)
    assert str(refused.value).startswith("bookwarden.yaml: ")
