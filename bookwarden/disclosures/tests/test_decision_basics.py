"""What every decision does (NM-1, NM-2, NM-4, CR-1, CR-5a, CR-5b, CR-5c, CR-5g, CC-5): deny
by default, fail closed on an unknown state, the steps, a lost card, the disclaimer and
unverified rules; and format 2 on a small pack written here: the vocabulary, coverage and
the public-records law, citations on every refusal, unchecked text, versions, and the
explanation with its near misses."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
import time_machine

from bookwarden.disclosures.rules import (
    Facts,
    Pack,
    evaluate,
    load_all,
    load_pack,
    normalize_jurisdiction,
    schema,
)
from bookwarden.disclosures.rules.evaluate import at_most, releases
from bookwarden.patrons.classification import for_jurisdiction

from .conftest import decide
from .small_packs import old_pack_data, pack_data, rule_of, small_pack, write_pack


def test_unknown_state_fails_closed() -> None:
    for state in ("US-ZZ", "", "../US-MO"):
        decision = decide(state, "patron", "written_consent", records=("loans", "searches"))
        assert decision.permitted is False
        assert decision.outcome == "refuse"
        assert "fail closed" in decision.reasons[0]
        assert "custodian_decision" in decision.steps
    assert load_pack("US-ZZ") is None
    unknown = for_jurisdiction("US-ZZ")
    assert not any(c.is_public for c in unknown.values())
    assert "No rule pack for US-ZZ" in unknown["loans"].note


def test_deny_by_default_when_no_rule_matches() -> None:
    # No Illinois rule speaks of a third party bearing the patron's consent: no statute
    # basis was found, so nothing is released (NM-1).
    decision = decide("US-IL", "attorney", "written_consent")
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert any("no basis in statute" in r for r in decision.reasons)
    assert decision.citations == ["75 ILCS 70/1"]


@pytest.mark.parametrize(
    ("requester", "instrument", "steps"),
    [
        ("patron", "written_consent", ["verify_identity", "verify_instrument",
                                       "custodian_decision"]),
        ("patron", "none", ["verify_identity", "custodian_decision"]),
        ("public", "open_records_request", ["verify_instrument", "custodian_decision"]),
        ("court", "court_order", ["verify_instrument", "consult_counsel", "custodian_decision"]),
        ("attorney", "subpoena", ["verify_identity", "verify_instrument", "consult_counsel",
                                  "custodian_decision"]),
        ("law_enforcement", "search_warrant", ["verify_identity", "verify_instrument",
                                               "consult_counsel", "custodian_decision"]),
    ],
)  # fmt: skip
def test_steps(requester, instrument, steps) -> None:
    """CR-5a: counsel on any subpoena, court order or warrant; CC-5: the custodian decides."""
    for state in ("US-MO", "US-IA", "US-NY", "US-ZZ"):
        assert decide(state, requester, instrument).steps == steps


def test_a_card_reported_lost_is_not_consent() -> None:
    """CR-5b: possession of a card counts as consent, unless it was reported lost."""
    assert decide("US-NY", "patron").permitted is True
    decision = decide("US-NY", "patron", card_lost=True)
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert "verify_identity" in decision.steps
    assert "reported lost" in decision.reasons[0]


def test_every_decision_says_not_legal_advice_and_names_unverified_rules() -> None:
    decision = decide("US-NY", "patron")
    text = " ".join(decision.reasons)
    assert "not legal advice" in text
    assert "Rule NY-1 is marked unverified" in text
    assert "(CC-5)" in text


def test_release_reminds_that_disclosure_is_minimal_and_on_record() -> None:
    assert any("(NM-4)" in r for r in decide("US-NY", "patron").reasons)
    assert not any("(NM-4)" in r for r in decide("US-MO", "parent").reasons)


def test_bad_facts_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown requester 'police'"):
        evaluate(Facts("US-MO", "police", "none", ("loans",)))
    with pytest.raises(ValueError, match="unknown record type 'emails'"):
        evaluate(Facts("US-MO", "patron", "none", ("emails",)))
    with pytest.raises(ValueError, match="at least one record type"):
        evaluate(Facts("US-MO", "patron", "none", ()))


@pytest.mark.parametrize(
    ("given", "code"), [("MO", "US-MO"), ("us-ia", "US-IA"), ("US-NY", "US-NY")]
)
def test_state_codes(given, code) -> None:
    assert normalize_jurisdiction(given) == code
    with pytest.raises(ValueError):
        normalize_jurisdiction("Missouri")


def test_every_value_of_the_vocabulary_has_plain_words() -> None:
    """Format 2's vocabulary: each requester, instrument, purpose, finding, issuer, outcome
    and yes/no fact has its words; each fact that may be unknown names its command option."""
    assert "prosecutor" in schema.REQUESTERS
    for values, words in (
        (schema.REQUESTERS, schema.REQUESTER_TEXT),
        (schema.INSTRUMENTS, schema.INSTRUMENT_TEXT),
        (schema.PURPOSES, schema.PURPOSE_TEXT),
        (schema.FINDINGS, schema.FINDING_TEXT),
        (schema.ISSUERS, schema.ISSUER_TEXT),
        (tuple(schema.OUTCOMES), schema.OUTCOME_TEXT),
        (schema.BOOLEAN_CONDITIONS, schema.BOOLEAN_TEXT),
    ):
        assert set(words) == set(values)
        assert all(w and "_" not in w for w in words.values())
    for fact in (*schema.BOOLEAN_CONDITIONS, "age", "amount_owed", "issued_by"):
        assert "(--" in schema.MISSING_TEXT[fact]
    assert {"good_cause", "necessary_to_prosecution"} <= set(schema.FINDINGS)
    assert {"federal_court", "out_of_state_court", "grand_jury"} <= set(schema.ISSUERS)


@pytest.mark.parametrize(
    "partial",
    ["release_overdue_only", "release_contact_and_amount_owed", "release_identity_only",
     "release_parent_identity_only"],
)  # fmt: skip
def test_each_partial_release_is_stricter_than_release_and_not_comparable_to_another(
    partial,
) -> None:
    assert at_most(partial, "release") and not at_most("release", partial)
    assert at_most("needs_information", partial) and at_most("refuse", partial)
    assert not at_most(partial, "needs_information")
    for other in schema.OUTCOMES:
        if other != partial and other.startswith("release_"):
            assert not at_most(partial, other) and not at_most(other, partial)
    assert releases(partial)


# --- format 2: the decision on a small pack written here (NM-1, NM-4, CR-1, CR-5b, CR-5c,
# CR-5g) ----------------------------------------------------------------------------------


@pytest.fixture
def testland(tmp_path) -> Pack:
    return small_pack(tmp_path)


def ask(pack: Pack, requester: str, instrument: str = "none", records=("loans",), **facts):
    if facts.get("amount_owed") is not None:
        facts["amount_owed"] = Decimal(str(facts["amount_owed"]))
    return evaluate(Facts("US-KS", requester, instrument, tuple(records), **facts), pack=pack)


def _entry(decision, record: str = "loans") -> dict:
    return next(e for e in decision.as_dict()["explanation"] if e["record"] == record)


def _miss(decision, rule_id: str, record: str = "loans") -> dict | None:
    misses = _entry(decision, record)["near_misses"]
    return next((m for m in misses if m["rule"] == rule_id), None)


def test_collection_needs_the_purpose_and_the_amount_and_the_age(testland) -> None:
    collect = {"purpose": "fines_and_overdues", "age": 16}
    assert ask(testland, "collection_agency", amount_owed="50.00", **collect).outcome == (
        "release_contact_and_amount_owed"
    )
    below = ask(testland, "collection_agency", amount_owed="49.99", **collect)
    assert below.outcome == "refuse"
    assert _miss(below, "T-2") == {
        "rule": "T-2",
        "outcome": "release_contact_and_amount_owed",
        "citation": "T.S. 1-1(2)(b)",
        "fact": "amount_owed",
        "value": "49.99",
        "needed": "at least 50.00 dollars owed",
    }
    no_purpose = ask(testland, "collection_agency", amount_owed=80, age=16)
    assert no_purpose.outcome == "refuse"
    miss = _miss(no_purpose, "T-2")
    assert (miss["fact"], miss["value"]) == ("purpose", "unstated")
    assert miss["needed"] == "collecting fines or recovering overdue materials"
    # The patron's own rule fails only on who asks: a near miss too.
    assert _miss(no_purpose, "T-1")["fact"] == "requester"
    assert _miss(no_purpose, "T-3") is None  # fails on the purpose and the age
    child = ask(testland, "collection_agency", age=15, purpose="fines_and_overdues")
    assert child.outcome == "release_parent_identity_only"
    assert _entry(child)["rule"]["id"] == "T-3"
    unknown_age = ask(testland, "collection_agency", amount_owed=80, purpose="fines_and_overdues")
    assert unknown_age.outcome == "needs_information"
    assert any("the patron's age (--age)" in r for r in unknown_age.reasons)


def test_the_new_partial_releases_close_with_what_to_give_and_nothing_more(testland) -> None:
    owed = ask(testland, "collection_agency", purpose="fines_and_overdues", age=40, amount_owed=60)
    assert owed.permitted is True
    assert any(r.startswith("Give only the name, contact information and amount owed")
               for r in owed.reasons)  # fmt: skip
    parent = ask(testland, "collection_agency", purpose="fines_and_overdues", age=9)
    assert any(
        r.startswith("Give only the parent's or guardian's identity") for r in parent.reasons
    )
    assert any("(NM-4)" in r for r in parent.reasons)


def test_an_unknown_yes_or_no_fact_is_asked_for_by_name(testland) -> None:
    decision = ask(testland, "law_enforcement", records=("registration",))
    assert decision.outcome == "needs_information" and decision.permitted is None
    text = " ".join(decision.reasons)
    assert "--sworn-officer" in text and "--crime-at-library" in text
    assert _entry(decision, "registration")["missing"] == ["sworn_officer", "crime_at_library"]
    half = ask(testland, "prosecutor", records=("registration",), sworn_officer=True)
    assert _entry(half, "registration")["missing"] == ["crime_at_library"]
    known = ask(testland, "prosecutor", records=("registration",), sworn_officer=True,
                crime_at_library=True)  # fmt: skip
    assert known.outcome == "release_identity_only"
    no = ask(testland, "law_enforcement", records=("registration",), sworn_officer=True,
             crime_at_library=False)  # fmt: skip
    assert no.outcome == "refuse"
    assert _miss(no, "T-4", "registration")["fact"] == "crime_at_library"
    assert _miss(no, "T-4", "registration")["needed"] == "a crime was committed at the library"


def test_a_custodial_parent_and_a_parent_without_custody(testland) -> None:
    assert ask(testland, "parent", age=17, custodial=True).outcome == "release"
    assert ask(testland, "parent", age=17, custodial=False).outcome == "refuse"
    assert ask(testland, "parent", age=17).outcome == "needs_information"
    assert ask(testland, "parent", age=18, custodial=True).outcome == "refuse"


def test_who_issued_an_order_and_its_finding(testland) -> None:
    order = {"instrument": "court_order", "finding": "good_cause"}
    assert ask(testland, "court", issued_by="federal_court", **order).outcome == "release"
    assert ask(testland, "court", **order).outcome == "needs_information"
    grand_jury = ask(testland, "court", issued_by="grand_jury", **order)
    assert grand_jury.outcome == "refuse"
    near = _miss(grand_jury, "T-6")
    assert (near["fact"], near["needed"]) == (
        "issued_by",
        "issued by a court of this state or a federal court",
    )
    assert ask(testland, "court", "court_order", issued_by="court").outcome == "refuse"


def test_a_record_type_outside_the_statute_falls_to_the_public_records_law(testland) -> None:
    """CR-5g: camera recordings are not library records here; counsel decides under the
    public-records law, and the decision says which law governs each record type."""
    decision = ask(
        testland, "public", "open_records_request", records=("loans", "camera_recordings")
    )
    assert decision.outcome == "refuse"
    assert decision.law == {
        "loans": "T.S. 1-1",
        "camera_recordings": "Testland public records law (T.S. chapter 9)",
    }
    camera = _entry(decision, "camera_recordings")
    assert (camera["outcome"], camera["basis"], camera["citation"]) == (
        "needs_information",
        "outside",
        "T.S. 9-7(1)",
    )
    assert camera["text"]["quote"] == "every public record shall be open"
    assert "T.S. 9-7(1)" in decision.citations and "T.S. 1-1(1)" in decision.citations
    assert any("counsel decides under that law" in r for r in decision.reasons)
    # Even the patron's own request: the statute's rules do not reach what it does not cover.
    assert ask(testland, "patron", records=("camera_recordings",)).outcome == "needs_information"


def test_not_covered_and_no_law_named_fails_closed(tmp_path) -> None:
    data = pack_data()
    data.pop("outside")
    pack = small_pack(tmp_path, data)
    decision = ask(pack, "patron", records=("camera_recordings",))
    assert decision.outcome == "refuse"
    assert decision.citations == ["T.S. 1-1(1)"]
    assert _entry(decision, "camera_recordings")["basis"] == "not_covered"


def test_every_refusal_cites_the_confidentiality_section(testland) -> None:
    no_rule = ask(testland, "vendor")
    assert (no_rule.outcome, no_rule.citations) == ("refuse", ["T.S. 1-1(1)"])
    assert _entry(no_rule)["text"] == {
        "quote": "are confidential",
        "source": "https://example.org/statutes/1-1",
        "read_on": "2026-12-02",
    }
    lost = ask(testland, "patron", card_lost=True, records=("loans", "holds"))
    assert (lost.outcome, lost.citations) == ("refuse", ["T.S. 1-1(1)"])
    assert [e["basis"] for e in lost.as_dict()["explanation"]] == ["lost_card", "lost_card"]


def test_a_pack_written_before_format_2_cites_what_it_has(tmp_path) -> None:
    """No confidentiality section: the no-match refusal cites the record type's
    classification, the lost card the first statute; the version is not known."""
    old = small_pack(tmp_path, old_pack_data())
    assert ask(old, "vendor").citations == ["T.S. 1-1(a)"]
    assert ask(old, "patron", card_lost=True).citations == ["T.S. 1-1"]
    assert ask(old, "vendor", records=("camera_recordings",)).citations == ["T.S. 9-7"]
    data = ask(old, "patron").as_dict()
    assert (data["pack_version"], data["pack_effective"]) == (None, None)
    assert data["explanation"][0]["rule"]["text"] is None
    assert any(r.startswith("Rule O-1: its text has not been checked") for r in data["reasons"])


def test_every_outcome_carries_a_citation(testland) -> None:
    """NM-4: every answer, refusals included, names the law it rests on."""
    packs = [testland, *load_all()[0].values()]
    for pack in packs:
        for requester in schema.REQUESTERS:
            for instrument in schema.INSTRUMENTS:
                for record in schema.RECORDS:
                    for lost in (False, True):
                        facts = Facts(pack.jurisdiction, requester, instrument, (record,),
                                      card_lost=lost)  # fmt: skip
                        decision = evaluate(facts, pack=pack)
                        assert decision.citations, (pack.jurisdiction, facts)


def test_a_rule_whose_text_is_unchecked_says_so_apart_from_counsel(testland) -> None:
    checked = ask(testland, "patron")
    assert not any("text has not been checked" in r for r in checked.reasons)
    assert any("Rule T-1 is marked unverified" in r for r in checked.reasons)
    unchecked = ask(testland, "law_enforcement", records=("registration",), sworn_officer=True,
                    crime_at_library=True)  # fmt: skip
    assert any(
        r.startswith("Rule T-4: its text has not been checked against the statute (The text of")
        for r in unchecked.reasons
    )
    assert any("Rule T-4 is marked unverified" in r for r in unchecked.reasons)
    rule = _entry(unchecked, "registration")["rule"]
    assert (rule["text_checked"], rule["verified"]) == (False, False)


def test_the_explanation_names_the_rule_the_facts_and_the_words(testland) -> None:
    decision = ask(testland, "collection_agency", purpose="fines_and_overdues", age=16,
                   amount_owed="50.00", records=("loans", "searches"))  # fmt: skip
    data = decision.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data)[:6] == ["permitted", "outcome", "reasons", "citations", "steps", "conflicts"]
    assert (data["pack_version"], data["pack_effective"]) == ("2026-12-02", "2016-07-01")
    loans = _entry(decision)
    assert loans["rule"]["id"] == "T-2" and loans["basis"] == "rule"
    assert loans["text"]["quote"] == "name, address and the amount owed, for collecting fines"
    assert [(f["fact"], f["value"]) for f in loans["facts_used"]] == [
        ("requester", "collection_agency"),
        ("instrument", "none"),
        ("records", "loans"),
        ("purpose", "fines_and_overdues"),
        ("age", 16),
        ("amount_owed", "50.00"),
    ]
    assert [(m["rule"], m["fact"]) for m in loans["near_misses"]] == [
        ("T-1", "requester"),
        ("T-3", "age"),
        ("T-5", "requester"),  # a parent's rule, which would still need the custody
    ]
    searches = _entry(decision, "searches")
    assert (searches["basis"], searches["rule"]) == ("no_rule", None)
    assert {m["rule"]: m["fact"] for m in searches["near_misses"]}["T-2"] == "records"


def test_the_version_in_effect_on_the_day_decides(settings, tmp_path) -> None:
    """A version dropped in ahead of its effective day is not used before that day."""
    folder = tmp_path / "packs"
    settings.BOOKWARDEN_PACK_DIR = str(folder)
    write_pack(folder, pack_data())
    newer = pack_data(version="2027-07-01", effective="2027-07-01")
    rule_of(newer, "T-2")["conditions"]["min_amount_owed"] = 25
    write_pack(folder, newer, stem="US-KS@2027-07-01")
    facts = Facts("US-KS", "collection_agency", "none", ("loans",), age=30,
                  purpose="fines_and_overdues", amount_owed=Decimal("30"))  # fmt: skip
    before = evaluate(facts, on=datetime.date(2027, 6, 30))
    after = evaluate(facts, on=datetime.date(2027, 7, 1))
    assert (before.outcome, before.pack_version) == ("refuse", "2026-12-02")
    assert (after.outcome, after.pack_version, after.pack_effective) == (
        "release_contact_and_amount_owed",
        "2027-07-01",
        "2027-07-01",
    )
    with time_machine.travel(datetime.datetime(2027, 6, 30, 23, 0, tzinfo=datetime.UTC)):
        # 23:00 UTC on June 30 is still June 30 in the installation's time zone (the US).
        assert load_pack("US-KS").version == "2026-12-02"
        assert evaluate(facts).pack_version == "2026-12-02"
    with time_machine.travel(datetime.datetime(2027, 7, 2, 12, 0, tzinfo=datetime.UTC)):
        assert evaluate(facts).pack_version == "2027-07-01"
        packs, errors = load_all()
        assert errors == [] and packs["US-KS"].version == "2027-07-01"
    assert load_pack("US-KS", on=datetime.date(2015, 1, 1)) is None
