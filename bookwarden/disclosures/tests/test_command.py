"""``bookwarden disclosures evaluate`` and ``bookwarden disclosures packs`` (NM-1, NM-4,
CR-5a, CR-5b, CR-5c, CR-5g, CC-5): one JSON object with exactly the listed keys (as before
format 2), or with ``--explain`` the decision explained; the new fact options and ``--on``;
clear errors on bad flags."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from bookwarden.core.models import Library

from .conftest import EXAMPLES
from .small_packs import pack_data, rule_of, write_pack

KEYS = ["permitted", "outcome", "reasons", "citations", "steps", "conflicts"]


def run(*args: str) -> dict:
    out = StringIO()
    call_command("disclosures", "evaluate", *args, stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == KEYS
    return data


def test_evaluate_prints_one_json_object() -> None:
    data = run("--state", "MO", "--requester", "patron", "--instrument", "written_consent",
               "--record", "loans")  # fmt: skip
    assert data["permitted"] is True
    assert data["outcome"] == "release"
    assert data["citations"] == ["RSMo 182.817.1(1)"]
    assert "custodian_decision" in data["steps"]
    assert data["conflicts"] == []
    assert all(isinstance(r, str) for r in data["reasons"])


def test_state_codes_and_record_lists() -> None:
    a = run("--state", "US-MO", "--requester", "law_enforcement", "--instrument",
            "court_order", "--record", "loans,holds", "--record", "searches")  # fmt: skip
    assert a["permitted"] is None  # no finding stated
    assert "consult_counsel" in a["steps"]
    b = run("--state", "mo", "--requester", "law_enforcement", "--instrument", "court_order",
            "--finding", "prosecution", "--record", "all")  # fmt: skip
    assert b["permitted"] is True


def test_every_flag() -> None:
    camera = ["--record", "camera_recordings"]
    assert run("--state", "IA", "--requester", "public", *camera)["permitted"] is True
    assert run("--state", "FL", "--requester", "parent", "--record", "loans",
               "--age", "15")["outcome"] == "release_overdue_only"  # fmt: skip
    assert run("--state", "WI", "--requester", "law_enforcement", "--record", "loans",
               "--amount-owed", "50.00")["outcome"] == "release_overdue_only"  # fmt: skip
    assert run("--state", "NJ", "--requester", "attorney", "--instrument", "subpoena",
               "--record", "loans", "--issued-by", "court")["permitted"] is True  # fmt: skip
    assert run("--state", "NY", "--requester", "patron", "--record", "loans",
               "--card-lost")["permitted"] is False  # fmt: skip
    assert run("--state", "ZZ", "--requester", "patron", "--record", "loans")["permitted"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--state", "MO", "--requester", "police", "--record", "loans"],
         "--requester 'police' is not known"),
        (["--state", "MO", "--requester", "patron", "--instrument", "fax", "--record", "loans"],
         "--instrument 'fax' is not known"),
        (["--state", "MO", "--requester", "patron", "--record", "loans,emails"],
         "--record 'emails' is not known"),
        (["--state", "MO", "--requester", "patron", "--record", "loans", "--finding", "yes"],
         "--finding 'yes' is not known"),
        (["--state", "MO", "--requester", "patron", "--record", "loans", "--age", "ten"],
         "--age 'ten' is not a whole number"),
        (["--state", "MO", "--requester", "patron", "--record", "loans", "--amount-owed", "x"],
         "--amount-owed 'x' is not a sum of dollars"),
        (["--state", "Missouri", "--requester", "patron", "--record", "loans"],
         "--state: 'Missouri' is not a state"),
        (["--requester", "patron", "--record", "loans"], "give --state"),
    ],
)  # fmt: skip
def test_bad_flags_are_command_errors(args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("disclosures", "evaluate", *args, stdout=StringIO())


@pytest.mark.django_db
def test_library_flag_applies_its_policy(settings, tmp_path) -> None:
    """CR-5c through the command: the Cresco policy, release_overdue_only after a bill."""
    Library.objects.create(name="Cresco Public Library", slug="cresco", jurisdiction="US-IA")
    Library.objects.create(name="New Madrid", slug="new-madrid", jurisdiction="US-MO")
    settings.BOOKWARDEN_POLICY_DIR = str(tmp_path)
    for slug in ("cresco", "new-madrid"):
        (tmp_path / f"{slug}.yaml").write_text((EXAMPLES / f"{slug}.yaml").read_text())
    args = ["--library", "cresco", "--requester", "parent", "--record", "loans", "--age", "12"]
    assert run(*args)["permitted"] is False
    data = run(*args, "--bill-sent")
    assert (data["permitted"], data["outcome"]) == (True, "release_overdue_only")
    data = run("--library", "new-madrid", "--requester", "collection_agency", "--record",
               "loans", "--bill-sent")  # fmt: skip
    assert data["permitted"] is False
    assert data["conflicts"][0]["policy_rule"] == "NMCL-overdue"
    assert data["conflicts"][0]["rule"] == "MO-7"
    with pytest.raises(CommandError, match="no library has that slug"):
        run("--library", "nowhere", "--requester", "parent", "--record", "loans")
    with pytest.raises(CommandError, match="--state US-NY but cresco is in US-IA"):
        run("--library", "cresco", "--state", "NY", "--requester", "parent", "--record", "loans")


@pytest.mark.django_db
def test_packs_lists_and_validates(settings, tmp_path) -> None:
    settings.BOOKWARDEN_POLICY_DIR = str(tmp_path)
    (tmp_path / "new-madrid.yaml").write_text((EXAMPLES / "new-madrid.yaml").read_text())
    out = StringIO()
    call_command("disclosures", "packs", stdout=out)
    text = out.getvalue()
    assert "US-MO  Missouri: 10 rules, 10 unverified" in text
    assert "CONFLICT Policy rule NMCL-overdue" in text
    assert "All packs and policies are valid" in text
    (tmp_path / "new-madrid.yaml").write_text("library: new-madrid\nrules:\n  - id: X\n")
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("disclosures", "packs", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "INVALID new-madrid.yaml: rule X: missing requester" in err.getvalue()


def test_the_console_command_prints_only_json(tmp_path) -> None:
    env_args = [sys.executable, "-m", "bookwarden", "disclosures", "evaluate", "--state",
                "NY", "--requester", "attorney", "--instrument", "subpoena", "--record",
                "loans"]  # fmt: skip
    result = subprocess.run(
        env_args,
        capture_output=True,
        text=True,
        check=False,
        env={"BOOKWARDEN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == KEYS
    assert data["permitted"] is True
    assert "consult_counsel" in data["steps"]


# --- format 2: the new facts, --on and --explain, on a small pack in the override folder ------


@pytest.fixture
def testland(settings, tmp_path):
    folder = tmp_path / "packs"
    settings.BOOKWARDEN_PACK_DIR = str(folder)
    write_pack(folder, pack_data())
    newer = pack_data(version="2027-07-01", effective="2027-07-01")
    rule_of(newer, "T-2")["conditions"]["min_amount_owed"] = 25
    write_pack(folder, newer, stem="US-KS@2027-07-01")
    return folder


def test_the_new_fact_options(testland) -> None:
    base = ["--state", "KS", "--record", "registration"]
    officer = [*base, "--requester", "law_enforcement"]
    assert run(*officer)["outcome"] == "needs_information"
    assert "--sworn-officer" in " ".join(run(*officer)["reasons"])
    assert run(*officer, "--sworn-officer", "--crime-at-library")["outcome"] == (
        "release_identity_only"
    )
    assert run(*officer, "--sworn-officer", "--no-crime-at-library")["outcome"] == "refuse"
    assert run("--state", "KS", "--requester", "prosecutor", "--record", "registration",
               "--sworn-officer", "--crime-at-library")["permitted"] is True  # fmt: skip
    parent = [*base, "--requester", "parent", "--age", "17"]
    assert run(*parent, "--custodial")["outcome"] == "release"
    assert run(*parent, "--no-custodial")["outcome"] == "refuse"
    collect = [*base, "--requester", "collection_agency", "--age", "30", "--amount-owed", "30"]
    assert run(*collect, "--purpose", "fines_and_overdues", "--on", "2027-06-30")["outcome"] == (
        "refuse"
    )
    assert run(*collect, "--purpose", "fines_and_overdues", "--on", "2027-07-01")["outcome"] == (
        "release_contact_and_amount_owed"
    )
    assert run(*collect, "--on", "2027-07-01")["outcome"] == "refuse"  # no purpose stated
    order = ["--state", "KS", "--requester", "court", "--instrument", "court_order", "--record",
             "loans", "--finding", "good_cause"]  # fmt: skip
    assert run(*order, "--issued-by", "federal_court")["permitted"] is True
    assert run(*order, "--issued-by", "grand_jury")["permitted"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--purpose", "curiosity"], "--purpose 'curiosity' is not known"),
        (["--on", "next week"], "--on 'next week' is not a day"),
        (["--issued-by", "sheriff"], "--issued-by 'sheriff' is not known"),
    ],
)
def test_bad_new_options_are_command_errors(args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("disclosures", "evaluate", "--state", "MO", "--requester", "patron",
                     "--record", "loans", *args, stdout=StringIO())  # fmt: skip


def test_explain_prints_the_law_the_rule_its_words_and_the_near_misses(testland) -> None:
    out = StringIO()
    call_command("disclosures", "evaluate", "--state", "KS", "--requester", "collection_agency",
                 "--purpose", "fines_and_overdues", "--age", "16", "--amount-owed", "49.99",
                 "--record", "loans,camera_recordings", "--on", "2027-01-01", "--explain",
                 stdout=out)  # fmt: skip
    text = out.getvalue()
    assert text.startswith("Outcome: refuse (the records must not be released)")
    assert "Rule pack version: 2026-12-02, in effect from 2016-07-01" in text
    assert "Loans: refuse\n    Law: T.S. 1-1\n    Decided by: no rule (T.S. 1-1(1))" in text
    assert '    Text: "are confidential"\n      read at https://example.org/statutes/1-1' in text
    assert (
        "    Near miss: rule T-2 (release_contact_and_amount_owed) fails only on amount_owed: "
        "given 49.99, it needs at least 50.00 dollars owed"
    ) in text
    assert "Security camera recordings: needs_information\n" in text
    assert "    Law: Testland public records law (T.S. chapter 9)" in text
    assert "Citations: T.S. 1-1(1); T.S. 9-7(1)" in text
    out = StringIO()
    call_command("disclosures", "evaluate", "--state", "KS", "--requester", "collection_agency",
                 "--purpose", "fines_and_overdues", "--age", "16", "--amount-owed", "50",
                 "--record", "loans", "--explain", stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "    Rule T-2 (T.S. 1-1(2)(b)): text checked, not verified by counsel" in text
    assert "      amount_owed = 50 (needs at least 50.00 dollars owed)" in text
    assert "      purpose = fines_and_overdues (needs collecting fines or recovering" in text
    assert '    Text: "name, address and the amount owed, for collecting fines"' in text


@pytest.mark.django_db
def test_packs_lists_versions_and_unchecked_text(testland) -> None:
    out = StringIO()
    with time_machine.travel(datetime.datetime(2027, 1, 1, 12, tzinfo=datetime.UTC)):
        call_command("disclosures", "packs", stdout=out)
    text = out.getvalue()
    assert "US-KS  Testland: 6 rules, 6 unverified (T-1, T-2, T-3, T-4, T-5, T-6), 1 with text " \
        "not checked" in text  # fmt: skip
    assert "US-KS version 2026-12-02, in effect since 2016-07-01" in text
    assert "US-KS version 2027-07-01, takes effect on 2027-07-01" in text
