"""The demo's vendors (NM-3, CR-5h): New Madrid's third parties as its privacy policy names
them, MOREnet at its three branches, one review overdue; Cresco has one vendor."""

from __future__ import annotations

from bookwarden.core.my_tasks import tasks_for

from ..datamap import third_parties
from ..demo import build_vendors_demo
from ..models import Vendor


def test_demo_vendors(people, new_madrid, cresco) -> None:
    build_vendors_demo(people)
    names = set(Vendor.objects.filter(library=new_madrid).values_list("name", flat=True))
    assert names == {"Follett Destiny", "MOREnet", "Google Workspace"}
    morenet = Vendor.objects.get(name="MOREnet")
    assert morenet.branches.count() == 3 and not morenet.all_branches
    assert Vendor.objects.get(name="Follett Destiny").bound_by_state_law
    overdue = [
        t.title for t in tasks_for(people["tech_coordinator"]) if t.title.startswith("Vendor")
    ]
    assert overdue == ["Vendor: MOREnet"]
    assert Vendor.objects.filter(library=cresco).count() == 1
    assert [r.vendor.name for r in third_parties(new_madrid)] == [
        "Follett Destiny",
        "Google Workspace",
        "MOREnet",
    ]
