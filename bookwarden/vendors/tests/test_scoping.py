"""Who sees and keeps the register (NM-3, CR-5h): readers with view_it_inventory see their
library's vendors only; another library's vendor is 404; a reader who may not keep the
register gets 403 on its forms."""

from __future__ import annotations

from django.urls import reverse

from .. import actions


def test_another_librarys_vendor_is_404_and_lists_stay_apart(
    people, new_madrid, cresco, client_as
) -> None:
    actions.add_vendor(actor=None, library=new_madrid, name="Ours", service="x")
    theirs = actions.add_vendor(actor=None, library=cresco, name="Theirs", service="x")
    director = client_as("director")
    for name in ("detail", "edit", "review", "terms"):
        assert director.get(reverse(f"vendors:{name}", args=[theirs.pk])).status_code == 404
    assert director.post(reverse("vendors:remove", args=[theirs.pk])).status_code == 404
    assert director.get(reverse("vendors:add", args=[cresco.slug])).status_code == 404
    listing = director.get(reverse("vendors:list")).content.decode()
    assert "Ours" in listing and "Theirs" not in listing
    outsider = client_as("outsider").get(reverse("vendors:list")).content.decode()
    assert "Theirs" in outsider and "Ours" not in outsider


def test_readers_read_and_only_keepers_write(people, new_madrid, client_as) -> None:
    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Ours", service="x")
    it_staff = client_as("it_staff")
    page = it_staff.get(reverse("vendors:detail", args=[vendor.pk]))
    assert page.status_code == 200
    assert reverse("vendors:edit", args=[vendor.pk]) not in page.content.decode()
    assert it_staff.get(reverse("vendors:edit", args=[vendor.pk])).status_code == 403
    assert it_staff.post(reverse("vendors:remove", args=[vendor.pk])).status_code == 403
    assert client_as("staff").get(reverse("vendors:detail", args=[vendor.pk])).status_code == 403
    assert client_as("staff").get(reverse("vendors:list")).status_code == 403
