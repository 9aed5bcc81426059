"""The interface the dashboard and reports read (CC-8): every control of the catalog gets a
result at every library asked about."""

from __future__ import annotations

from bookwarden.compliance.checks import Status
from bookwarden.compliance.controls import catalog, evaluate


def test_every_control_has_a_result_at_every_library(new_madrid, cresco) -> None:
    """CC-8, CC-6: one call gives each library the result of each control."""
    results = evaluate([new_madrid, cresco])
    ids = [c.id for c in catalog(new_madrid)]
    for library in (new_madrid, cresco):
        assert [r.control.id for r in results[library.pk]] == ids
        for r in results[library.pk]:
            assert r.status in Status.values
            assert r.checks and all(c.summary for c in r.checks)
