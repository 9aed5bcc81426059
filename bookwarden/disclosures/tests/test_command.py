"""``bookwarden disclosures evaluate`` and ``bookwarden disclosures packs`` (NM-1, CR-5a,
CR-5c, CC-5): one JSON object with exactly the listed keys; clear errors on bad flags."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookwarden.core.models import Library

from .conftest import EXAMPLES

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
