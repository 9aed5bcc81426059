"""The compliance part of the demo: a control marked not applicable, a few ALA answers, the
retention proof, and a year of daily snapshots so that every control's history is full."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.compliance.controls import history
from bookwarden.compliance.demo import ANSWERS, build_compliance_demo
from bookwarden.compliance.models import ChecklistAnswer, ControlSnapshot, NotApplicable
from bookwarden.compliance.views.controls import months_of
from bookwarden.core.demo import DemoWorld
from bookwarden.patrons.models_retention import RetentionProof, RetentionRun


def test_the_demo_has_a_year_of_history(people, new_madrid) -> None:
    written = build_compliance_demo(DemoWorld(people=people))
    assert NotApplicable.objects.get().control_id == "camera-recordings"
    assert ChecklistAnswer.objects.count() == len(ANSWERS)
    assert RetentionProof.objects.get().ok
    assert RetentionRun.objects.get().status == "completed"
    assert written == ControlSnapshot.objects.count()
    days = ControlSnapshot.objects.filter(library=new_madrid, control_id="yearly-training")
    assert days.count() >= 31 + 47  # every day of the last month, then once a week
    months = months_of(history(new_madrid, "yearly-training"), timezone.localdate())
    assert all(m.snapshot is not None for m in months)
    assert min(d.day for d in days) <= timezone.localdate() - datetime.timedelta(days=358)
