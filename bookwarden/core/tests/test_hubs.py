"""The "IT" page gathers the links of several apps under one menu entry (core.hubs): each
link is shown only to those who hold its permission, and the page and its menu entry only
to those who may follow at least one link."""

from __future__ import annotations

import pytest

from bookwarden.core import hubs
from bookwarden.core.roles import Perm


@pytest.fixture
def a_link_for_the_audit_readers():
    link = hubs.HubLink(
        hub=hubs.IT,
        label="Audit log (test link)",
        url_name="audit:list",
        description="Only for those who read the audit log.",
        perm=Perm.VIEW_AUDIT,
    )
    before = list(hubs._links)
    hubs._links[:] = [link]
    yield link
    hubs._links[:] = before


@pytest.mark.django_db
def test_the_page_and_its_menu_entry_follow_the_links_permissions(
    people, client_as, a_link_for_the_audit_readers
) -> None:
    director = client_as("director").get("/it/")
    assert director.status_code == 200
    page = director.content.decode()
    assert "Audit log (test link)" in page and 'href="/it/"' in page
    staff = client_as("staff").get("/it/")
    assert staff.status_code == 403
    home = client_as("staff").get("/").content.decode()
    assert 'href="/it/"' not in home


@pytest.mark.django_db
def test_with_no_link_registered_nobody_sees_the_page(people, client_as) -> None:
    before = list(hubs._links)
    hubs._links[:] = []
    try:
        assert client_as("director").get("/it/").status_code == 403
        assert 'href="/it/"' not in client_as("director").get("/").content.decode()
    finally:
        hubs._links[:] = before
