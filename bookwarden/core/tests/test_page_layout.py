"""The frame of every staff page (base.html): messages after a step are a list inside a
status region that screen readers announce (a list item's parent is its list, never the
region), and the footer speaks plain words, without requirement ids."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bookwarden.core.roles import Role

from .helpers import mark_reauthenticated


class _Parents(HTMLParser):
    """For each element with a class, the tag and attributes of its parent."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.parents: dict[str, list[tuple[str, dict[str, str | None]]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name in (dict(attrs).get("class") or "").split():
            if self.stack:
                self.parents.setdefault(name, []).append(self.stack[-1])
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def test_messages_are_a_list_inside_a_status_region(people, client_as) -> None:
    director = mark_reauthenticated(client_as("director"), people["director"])
    response = director.post(
        f"/libraries/new-madrid/staff/{people['volunteer'].pk}/roles/",
        {"role": Role.AUDITOR, "branch": "", "ends_on": ""},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain and 'class="msg msg-success"' in html
    parser = _Parents()
    parser.feed(html)
    [(tag, attrs)] = parser.parents["msg"]
    assert tag == "ul" and "role" not in attrs  # the item's parent is a plain list
    [(tag, attrs)] = parser.parents["messages"]
    assert attrs.get("role") == "status"  # the list sits in the announced region


def test_the_footer_has_no_requirement_ids(client_as) -> None:
    html = client_as("staff").get("/").content.decode()
    footer = html[html.index('<footer class="foot">') :]
    assert "monitored and recorded" in footer
    assert not re.search(r"\b(CC|LV|NM|CR|IT)-\d", footer)
