"""The outbox page says why each message exists in words ("Breach notice to a patron"),
never the internal reason the app queued it under ("breach.patron_notice")."""

from __future__ import annotations

from bookwarden.core.models import Library
from bookwarden.mail.actions import queue_mail


def test_the_outbox_page_names_the_reason_in_words(people, client_as) -> None:
    library = Library.objects.get(slug="new-madrid")
    for reason in ("breach.patron_notice", "disclosure_notice", "some_new.kind_of_mail"):
        queue_mail(to=["a@example.org"], subject="S", body="B", reason=reason, library=library)
    html = client_as("director").get("/mail/").content.decode()
    assert "Breach notice to a patron" in html
    assert "Notice to a patron that their records were released" in html
    assert "Some new kind of mail" in html  # a reason without a label: words from its name
    for raw in ("breach.patron_notice", "disclosure_notice", "some_new.kind_of_mail"):
        assert raw not in html
