"""The rule packs load and validate; errors name the file, the rule and the problem; a
library corrects a pack without a code change through the override folder (NM-1, CR-1)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import yaml

from bookwarden.disclosures.rules import PackError, load_all, load_pack, loader
from bookwarden.disclosures.rules.loader import SHIPPED_DIR, pack_files, parse_pack
from bookwarden.disclosures.rules.schema import RECORDS
from bookwarden.patrons.records import RECORD_TYPES

from .conftest import decide
from .small_packs import READ_ON, old_pack_data, pack_data, rule_of, small_pack, write_pack

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


# --- format 2 (NM-1, NM-2, CR-1, CR-5g) -----------------------------------------------------


def test_a_format_2_pack_loads_with_its_coverage_text_and_version(tmp_path) -> None:
    pack = small_pack(tmp_path)
    assert (pack.version, pack.effective) == ("2026-12-02", datetime.date(2016, 7, 1))
    statute = pack.statute_entries[0]
    assert (statute.cite, statute.source, statute.read_on) == (
        "T.S. 1-1",
        "https://example.org/statutes/1-1",
        "2026-12-02",
    )
    assert pack.statutes == ("T.S. 1-1 (Library records)",)
    assert pack.covers is not None and "loans" in pack.covers.records
    assert pack.outside is not None and pack.outside.outcome == "needs_information"
    assert pack.confidentiality is not None and pack.confidentiality.citation == "T.S. 1-1(1)"
    rules = {r.id: r for r in pack.rules}
    assert rules["T-2"].purposes == ("fines_and_overdues",)
    assert rules["T-1"].purposes is None
    assert rules["T-2"].conditions.min_amount_owed == Decimal("50")
    assert rules["T-4"].conditions.sworn_officer is True
    assert rules["T-5"].conditions.custodial is True
    assert rules["T-6"].conditions.issued_by == ("court", "federal_court")
    # A quote is "text checked"; unavailable text is not; neither is counsel's verification.
    assert rules["T-1"].text_checked and not rules["T-1"].verified
    assert not rules["T-4"].text_checked
    assert rules["T-4"].text is not None and "could not be read" in rules["T-4"].text.unavailable
    assert pack.unchecked == ["T-4"]


def test_every_record_type_is_classified_from_covers_and_outside(tmp_path) -> None:
    """The patrons' pages read a classification of every record type: what the pack does not
    classify follows from covers (confidential) and outside (the public-records law)."""
    pack = small_pack(tmp_path)
    assert list(pack.classification) == list(RECORDS)
    assert pack.classified == ()
    assert pack.classification["loans"].classification == "confidential"
    assert pack.classification["loans"].citation == "T.S. 1-1(1)"
    camera = pack.classification["camera_recordings"]
    assert (camera.classification, camera.citation) == ("confidential", "T.S. 9-7(1)")
    assert pack.law_for("loans") == "T.S. 1-1"
    assert pack.law_for("camera_recordings") == "Testland public records law (T.S. chapter 9)"
    # The public-records law releasing them makes them public; a given entry wins.
    data = pack_data()
    data["outside"]["outcome"] = "release"
    data["classification"] = {
        "room_bookings": {"classification": "public", "citation": "T.S. 9-7(2)"},
    }
    pack = small_pack(tmp_path, data)
    assert pack.classification["camera_recordings"].classification == "public"
    assert pack.classified == ("room_bookings",)
    assert pack.law_for("room_bookings") == "T.S. 9-7(2)"


def _small(change):
    def mutate(data):
        change(data)
        return data

    return mutate


def _set_rule(rule_id, **changes):
    def change(data):
        rule = rule_of(data, rule_id)
        for key, value in changes.items():
            if value is None:
                rule.pop(key, None)
            else:
                rule[key] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set_rule("T-1", text={"quote": "x", "read_on": "2026-12-02"}),
         r"rule T-1: text.source: must be text and is required"),
        (_set_rule("T-1", text={"quote": "x", "source": "a book", "read_on": "2026-12-02"}),
         r"rule T-1: text.source: must be the address"),
        (_set_rule("T-1", text={"quote": "x" * 301, "source": "https://a.b", "read_on": READ_ON}),
         r"rule T-1: text.quote: is 301 characters"),
        (_set_rule("T-1", text={"quote": "x", "source": "https://a.b", "read_on": "Tuesday"}),
         r"rule T-1: text.read_on: must be a day"),
        (_set_rule("T-1", text={"quote": "x", "source": "https://a.b"}),
         r"rule T-1: text.read_on: must be the day the text was read"),
        (_set_rule("T-1", text={"unavailable": "gone", "quote": "x"}),
         r"rule T-1: text: unavailable stands alone"),
        (_set_rule("T-1", text={"unavailable": ""}), r"rule T-1: text.unavailable: must be text"),
        (_set_rule("T-1", text="the statute"), r"rule T-1: text: must be \{quote"),
        (_set_rule("T-1", text={"quote": "x", "source": "https://a.b", "read_on": "2026-12-02",
                                "page": 4}), r"rule T-1: text.page: is not a text key"),
        (_set_rule("T-2", purpose="curiosity"), r"rule T-2: unknown purpose 'curiosity'"),
        (_set_rule("T-2", conditions={"purpose": "research"}),
         r"rule T-2: purpose is given twice"),
        (_set_rule("T-4", conditions={"sworn_officer": "yes"}),
         r"rule T-4: condition sworn_officer must be true or false"),
        (_set_rule("T-6", conditions={"issued_by": ["sheriff"]}),
         r"rule T-6: unknown issuer 'sheriff'"),
        (_set_rule("T-2", records=["camera_recordings"]),
         r"rule T-2: record type 'camera_recordings' is not in covers.records"),
        (lambda d: d["outside"].update(outcome="maybe"), r"outside.outcome: bad outcome 'maybe'"),
        (lambda d: d["outside"].pop("citation"), r"outside.citation: must be text and is requ"),
        (lambda d: d["covers"].update(records=["loans", "emails"]),
         r"covers: unknown record type 'emails'"),
        (lambda d: d["covers"].update(scope="all"), r"covers.scope: is not a covers key"),
        (lambda d: d["confidentiality"].pop("citation"), r"confidentiality.citation: must be"),
        (lambda d: d.update(classification={"loans": {"classification": "public",
                                                      "citation": "T.S. 9-7"}}),
         r"classification.loans: is classified public but listed in covers.records"),
        (lambda d: d.update(effective="last year"), r"effective: must be a day"),
        (lambda d: d.update(version=True), r"version: must be text"),
        (lambda d: d["statutes"][0].update(source="the library"),
         r"statutes #1.source: must be the address"),
        (lambda d: d["statutes"][0].update(chapter=3), r"statutes #1.chapter: is not a statute"),
        (lambda d: d.pop("covers"), r"classification: must map every record type"),
    ],
)  # fmt: skip
def test_a_bad_format_2_pack_names_the_problem(tmp_path, change, message) -> None:
    data = pack_data()
    change(data)
    with pytest.raises(PackError, match=r"US-KS.yaml: " + message):
        small_pack(tmp_path, data)


def test_a_version_file_must_take_effect_on_the_day_its_name_gives(tmp_path) -> None:
    folder = tmp_path / "packs"
    path = write_pack(folder, pack_data(), stem="US-KS@2027-07-01")
    with pytest.raises(PackError, match=r"US-KS@2027-07-01.yaml: effective: must be 2027-07-01"):
        parse_pack(path)
    path = write_pack(folder, pack_data(effective="2027-07-01"), stem="US-KS@2027-07-01")
    assert parse_pack(path).effective == datetime.date(2027, 7, 1)
    path = write_pack(folder, pack_data(), stem="US-MO@2027-07-01")
    with pytest.raises(PackError, match=r"jurisdiction: is 'US-KS' but the file is US-MO@"):
        parse_pack(path)


def test_a_pack_written_before_format_2_still_loads(tmp_path) -> None:
    pack = small_pack(tmp_path, old_pack_data())
    first = pack.statute_entries[0]
    assert (first.cite, first.title) == ("T.S. 1-1", "library records; the privilege (a) and (b)")
    assert pack.first_statute() == "T.S. 1-1"
    assert pack.statutes == ("T.S. 1-1 (library records; the privilege (a) and (b))", "T.S. 9-7")
    assert pack.version == "" and pack.effective is None and pack.covers is None
    assert pack.rules[0].text is None and pack.unchecked == ["O-1"]
    assert pack.is_covered("loans") and not pack.is_covered("camera_recordings")
    assert pack.law_for("loans") == "T.S. 1-1"
    assert pack.law_for("camera_recordings") == "T.S. 9-7"


def test_an_override_replaces_only_the_file_of_the_same_name(settings, tmp_path, monkeypatch):
    shipped = tmp_path / "shipped"
    write_pack(shipped, pack_data())
    write_pack(shipped, pack_data(version="2027", effective="2027-07-01"), stem="US-KS@2027-07-01")
    monkeypatch.setattr(loader, "SHIPPED_DIR", shipped)
    folder = tmp_path / "override"
    settings.BOOKWARDEN_PACK_DIR = str(folder)
    write_pack(folder, pack_data(version="corrected"))
    assert load_pack("US-KS", on=datetime.date(2027, 6, 30)).version == "corrected"
    assert load_pack("US-KS", on=datetime.date(2027, 7, 1)).version == "2027"
    assert pack_files()["US-KS"].parent == folder
    assert pack_files()["US-KS@2027-07-01"].parent == shipped
