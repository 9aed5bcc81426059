"""IT-11: human resources sees, per policy and branch, who has signed which version and
when, who has not and who is overdue, and downloads it as CSV."""

from __future__ import annotations

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.policies import actions

from .conftest import days_ago


def test_counts_per_policy_and_branch(make_policy, people, new_madrid, client_as) -> None:
    # They have worked here for a year: the version's date sets the due date.
    Membership.objects.filter(library=new_madrid).update(
        granted_at=timezone.now() - datetime.timedelta(days=365)
    )
    policy = make_policy(effective_days_ago=40, days_to_sign=30)  # due 10 days ago
    version = policy.versions.get()
    for key in ("staff", "director", "tech_coordinator"):
        person = people[key]
        actions.sign_policy(
            actor=person,
            policy=policy,
            library=new_madrid,
            version=version,
            typed_name=person.get_full_name(),
        )
    client = client_as("human_resources")
    url = reverse("policies:overview", args=["new-madrid"])
    page = client.get(url)
    assert page.status_code == 200
    overview = {o.policy.pk: o for o in page.context["policies"]}[policy.pk]
    assert (overview.signed, overview.open, overview.overdue) == (3, 6, 6)

    # Portageville: Ben Johnson works there; the whole library's people count there too.
    portageville = new_madrid.branches.get(slug="portageville")
    page = client.get(url, {"branch": portageville.pk})
    overview = {o.policy.pk: o for o in page.context["policies"]}[policy.pk]
    names = {r.member.user.username for r in overview.rows}
    assert "bjohnson" in names and "ekim" not in names and "mreyes" in names

    export = client.get(reverse("policies:overview_export", args=["new-madrid"]))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    mine = [r for r in rows if r["policy"] == policy.title]
    assert len(mine) == 9
    ben = next(r for r in mine if r["username"] == "bjohnson")
    assert ben["status"] == "signed" and ben["signed_version"] == "1"
    emma = next(r for r in mine if r["username"] == "ekim")
    assert emma["status"] == "overdue" and emma["days_overdue"] == "10"
    assert emma["due_on"] == days_ago(10).isoformat()


def test_who_may_see_it(people, client_as) -> None:
    url = reverse("policies:overview", args=["new-madrid"])
    assert client_as("staff").get(url).status_code == 403
    assert client_as("auditor").get(url).status_code == 200
    assert client_as("outsider").get(url).status_code == 404


def test_due_date_counts_from_joining_the_audience(make_policy, people, new_madrid) -> None:
    """Someone who joins after a version took effect has its days to sign from that day."""
    from bookwarden.policies.audience import owed_by

    policy = make_policy(effective_days_ago=40, days_to_sign=30)
    Membership.objects.filter(user=people["staff"]).update(
        granted_at=timezone.now() - datetime.timedelta(days=5)
    )
    people["staff"].forget_roles()
    item = next(o for o in owed_by(people["staff"], new_madrid) if o.policy.pk == policy.pk)
    assert item.assigned_on == days_ago(5) and item.due_on == days_ago(-25)
