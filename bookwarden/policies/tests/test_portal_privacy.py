"""NM-7, CR-6b: publishing the privacy policy puts it on the patron portal on its
effective date and not before, keeps earlier versions readable with their dates, and is on
record; a library without one keeps the fixed notice."""

from __future__ import annotations

import datetime

from django.test import Client

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.policies import actions
from bookwarden.policies.models import PolicyKind

URL = "/portal/new-madrid/privacy/"


def test_privacy_policy_appears_on_its_effective_date(people, new_madrid, time_machine) -> None:
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))
    policy = actions.add_policy(
        actor=people["director"],
        library=new_madrid,
        title="Privacy Policy",
        kind=PolicyKind.PATRON_PRIVACY,
    )
    actions.add_version(
        actor=people["director"],
        policy=policy,
        text="We keep **little**.",
        effective_on=datetime.date(2026, 3, 1),
    )
    head = audit_head()
    actions.add_version(
        actor=people["director"],
        policy=policy,
        text="We keep *even less*.",
        effective_on=datetime.date(2026, 4, 1),
        summary="Less kept.",
    )
    assert len(events_since(head, AuditAction.PRIVACY_POLICY_PUBLISHED)) == 1

    page = Client().get(URL).content.decode()
    assert "<strong>little</strong>" in page and "even less" not in page

    time_machine.move_to(datetime.datetime(2026, 3, 31, 23, tzinfo=datetime.UTC))
    assert "even less" not in Client().get(URL).content.decode()

    time_machine.move_to(datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC))
    page = Client().get(URL).content.decode()
    assert "<em>even less</em>" in page
    assert "Earlier versions" in page
    assert "Version 1: in effect from Mar 1, 2026 to Apr 1, 2026" in page
    assert "<strong>little</strong>" in page  # still readable


def test_without_a_privacy_policy_the_fixed_notice_stays(people) -> None:
    page = Client().get(URL).content.decode()
    assert "Your privacy at New Madrid County Library" in page
    assert "Your choices" in page


def test_raw_html_in_a_policy_is_shown_as_text(people, new_madrid) -> None:
    policy = actions.add_policy(
        actor=None, library=new_madrid, title="Privacy Policy", kind=PolicyKind.PATRON_PRIVACY
    )
    actions.add_version(
        actor=None,
        policy=policy,
        text="<script>alert(1)</script> [x](javascript:alert(1))",
        effective_on=datetime.date(2020, 1, 1),
    )
    page = Client().get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
