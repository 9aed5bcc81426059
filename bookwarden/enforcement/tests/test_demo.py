"""The demo holds one enforcement case at each step, a suspended workstation and a patron
whose computer use is restricted (IT-9, LV-12, CC-3, CC-11)."""

from __future__ import annotations

from bookwarden.enforcement.demo import build_enforcement_demo
from bookwarden.enforcement.models import Stage


def test_one_case_at_each_step(people, patrons, client_as) -> None:
    demo = build_enforcement_demo(people)
    assert [c.stage for c in demo["cases"]] == [
        Stage.DETAILS,
        Stage.INFORM,
        Stage.ISOLATE,
        Stage.HR_DECISION,
        Stage.CONTACT,
        Stage.LOCK,
        Stage.REFER,
    ]
    assert demo["suspension"].workstation == "PUBLIC-PC-07"
    assert demo["restriction"].patron.last_name == "Harlan"
    # Every persona can still sign in: the locked case names an account of its own.
    assert all(p.is_active for p in people.values())
    for case in demo["cases"]:
        assert client_as("director").get(f"/enforcement/{case.pk}/").status_code == 200
    assert client_as("director").get("/enforcement/").status_code == 200
