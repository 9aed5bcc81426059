"""The rule packs load and validate; errors name the file, the rule and the problem; a
library corrects a pack without a code change through the override folder (NM-1, CR-1)."""

from __future__ import annotations

import pytest
import yaml

from bookwarden.disclosures.rules import PackError, load_all, load_pack
from bookwarden.disclosures.rules.loader import SHIPPED_DIR, parse_pack
from bookwarden.disclosures.rules.schema import RECORDS
from bookwarden.patrons.records import RECORD_TYPES

from .conftest import decide

REQUIRED = {"US-MO", "US-IA", "US-NY"}


def test_every_shipped_pack_loads() -> None:
    packs, errors = load_all()
    assert errors == []
    assert set(packs) >= REQUIRED
    assert len(packs) >= 8
    for code, pack in packs.items():
        assert pack.jurisdiction == code
        assert "not legal advice" in pack.disclaimer.lower()
        assert pack.statutes and pack.name
        assert list(pack.classification) == list(RECORDS)
        assert set(RECORD_TYPES) <= set(pack.classification)
        for rule in pack.rules:
            assert rule.citation and isinstance(rule.verified, bool)


def test_the_shapes_are_all_exercised() -> None:
    packs, _ = load_all()
    rules = [r for p in packs.values() for r in p.rules]
    assert any(r.conditions.max_age is not None and "parent" in r.requesters for r in rules)
    assert any("collection_agency" in r.requesters for r in rules)
    assert any(r.conditions.min_amount_owed is not None for r in rules)
    assert any(r.outcome == "release_identity_only" for r in rules)
    assert any(r.conditions.issued_by == ("court",) for r in rules)
    assert any(r.conditions.finding and r.outcome == "release" for r in rules)


def _write(tmp_path, mutate, code: str = "US-MO"):
    data = yaml.safe_load((SHIPPED_DIR / f"{code}.yaml").read_text())
    mutate(data)
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _rule(rule_id: str, **changes):
    def mutate(data):
        rule = next(r for r in data["rules"] if r["id"] == rule_id)
        for key, value in changes.items():
            if value is None:
                rule.pop(key, None)
            else:
                rule[key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_rule("MO-3", requester="police"), r"US-MO.yaml: rule MO-3: unknown requester 'police'"),
        (_rule("MO-6", instrument="letter"), r"US-MO.yaml: rule MO-6: unknown instrument 'letter'"),
        (_rule("MO-1", records=["loans", "emails"]),
         r"US-MO.yaml: rule MO-1: unknown record type 'emails'"),
        (_rule("MO-4", citation=None), r"US-MO.yaml: rule MO-4: missing citation"),
        (_rule("MO-4", verified=None), r"US-MO.yaml: rule MO-4: missing verified flag"),
        (_rule("MO-4", verified="yes"), r"US-MO.yaml: rule MO-4: missing verified flag"),
        (_rule("MO-4", verified=True), r"rule MO-4: verified: true needs verified_by"),
        (_rule("MO-2", id="MO-1"), r"US-MO.yaml: rule MO-1: duplicate id"),
        (_rule("MO-5", outcome="allow"), r"US-MO.yaml: rule MO-5: bad outcome 'allow'"),
        (_rule("MO-4", conditions={"judge": "yes"}),
         r"US-MO.yaml: rule MO-4: bad condition key 'judge'"),
        (_rule("MO-4", conditions={"finding": ["vibes"]}), r"rule MO-4: unknown finding 'vibes'"),
        (_rule("MO-4", conditions={"min_age": 18, "max_age": 15}), r"rule MO-4: condition min_age"),
        (_rule("MO-4", conditions={"max_age": "young"}), r"rule MO-4: condition max_age"),
        (_rule("MO-4", colour="red"), r"rule MO-4: unknown key 'colour'"),
        (_rule("MO-7", needs_library_policy=True), r"rule MO-7: needs_library_policy makes no"),
        (_rule("MO-1", id=None), r"US-MO.yaml: rule #1: needs an id"),
        (lambda d: d.update(disclaimer="Trust us."), r"US-MO.yaml: disclaimer: must say"),
        (lambda d: d.update(jurisdiction="US-IA"), r"US-MO.yaml: jurisdiction: is 'US-IA'"),
        (lambda d: d.pop("statutes"), r"US-MO.yaml: statutes"),
        (lambda d: d["classification"].pop("camera_recordings"),
         r"US-MO.yaml: classification.camera_recordings: is missing"),
        (lambda d: d["classification"]["loans"].update(classification="open"),
         r"US-MO.yaml: classification.loans.classification"),
        (lambda d: d["classification"].update(emails={}), r"classification.emails: is not a rec"),
        (lambda d: d.update(rules={}), r"US-MO.yaml: rules: must be a list"),
        (lambda d: d.update(extra=1), r"US-MO.yaml: extra: is not a pack key"),
    ],
)  # fmt: skip
def test_a_bad_pack_names_file_rule_and_problem(tmp_path, mutate, message) -> None:
    with pytest.raises(PackError, match=message):
        parse_pack(_write(tmp_path, mutate))


def test_not_yaml_at_all(tmp_path) -> None:
    path = tmp_path / "US-MO.yaml"
    path.write_text("rules: [")
    with pytest.raises(PackError, match=r"US-MO.yaml: \(file\): not valid YAML"):
        parse_pack(path)


def test_a_verified_rule_records_who_and_when(tmp_path) -> None:
    path = _write(
        tmp_path, _rule("MO-6", verified=True, verified_by="J. Counsel", verified_on="2026-01-05")
    )
    rule = next(r for r in parse_pack(path).rules if r.id == "MO-6")
    assert (rule.verified, rule.verified_by, rule.verified_on) == (True, "J. Counsel", "2026-01-05")


def test_the_override_folder_corrects_a_rule_without_a_code_change(settings, tmp_path) -> None:
    """Copy the pack into BOOKWARDEN_PACK_DIR and edit it: it replaces the shipped one."""
    assert decide("US-MO", "attorney", "subpoena").permitted is False
    folder = tmp_path / "packs"
    folder.mkdir()
    settings.BOOKWARDEN_PACK_DIR = str(folder)
    _write(folder, _rule("MO-6", outcome="needs_information"))
    assert load_pack("US-MO").source == folder / "US-MO.yaml"
    assert decide("US-MO", "attorney", "subpoena").permitted is None
    # A broken override is loud, never silently skipped.
    (folder / "US-MO.yaml").write_text("jurisdiction: US-MO\n")
    with pytest.raises(PackError, match=r"US-MO\.yaml"):
        load_pack("US-MO")
    _, errors = load_all()
    assert [e.source for e in errors] == ["US-MO.yaml"]
    # A new state can be added the same way.
    _write(folder, lambda d: d.update(jurisdiction="US-KS", name="Kansas"), code="US-MO")
    (folder / "US-MO.yaml").rename(folder / "US-KS.yaml")
    assert load_pack("US-KS").name == "Kansas"
