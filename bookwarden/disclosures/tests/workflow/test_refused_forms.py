"""A refused form of the request page (CR-5a, CC-5) comes back on the request page with its
errors on the form, what the custodian typed kept and the cursor on the field to correct;
the page names patrons and steps in words, never by number or internal name."""

from __future__ import annotations

from bookwarden.disclosures.models import Status

from .helpers import nm_request, released


def test_a_refused_decision_keeps_the_reasons_and_shows_the_error_at_the_form(
    client_as, people, patrons
) -> None:
    req = nm_request(people, [patrons["reader"]])  # a subpoena: the rules say refuse
    response = client_as("director").post(
        f"/disclosures/{req.pk}/decide/",
        {"decide-verdict": "release_all", "decide-reasons": "The sheriff insists, twice."},
    )
    assert response.status_code == 200  # the page again, not a redirect that loses the text
    page = response.content.decode()
    form = page[page.index(f'action="/disclosures/{req.pk}/decide/"') :]
    form = form[: form.index("</form>")]
    assert "needs a written justification" in form  # the error, on the form itself
    assert "The sheriff insists, twice." in form  # what was typed, kept
    assert "autofocus" in form  # the browser brings the form into view
    req.refresh_from_db()
    assert req.status == Status.RECORDED and req.verdict == ""


def test_the_history_names_the_patron_whose_records_were_opened(client_as, people, patrons) -> None:
    req = released(people, nm_request(people, [patrons["reader"]]))
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    history = page[page.index('id="history"') :]
    assert f"Library records opened · {people['director']} ({patrons['reader']})" in history
    assert "patron #" not in history
