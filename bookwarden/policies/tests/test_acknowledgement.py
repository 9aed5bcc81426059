"""IT-11: a person's signed acknowledgement, as a page to print and a PDF for the personnel
file: to the signer and to human resources; a name outside Latin-1 does not break it."""

from __future__ import annotations

import re
import zlib

from django.urls import reverse

from bookwarden.policies import actions


def pdf_text(body: bytes) -> str:
    """The text drawn on the PDF's pages: its content streams, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
    out = []
    for raw in streams:
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            out.append(raw.decode("latin-1"))
    return "\n".join(out)


def _signed(make_policy, person, library, name=None):
    policy = make_policy("Staff Computer Use Policy")
    return actions.sign_policy(
        actor=person,
        policy=policy,
        library=library,
        version=policy.versions.get(),
        typed_name=name or person.get_full_name(),
    )


def test_pdf_is_a_pdf_with_the_name(make_policy, people, new_madrid, client_as) -> None:
    signature = _signed(make_policy, people["staff"], new_madrid)
    for who in ("staff", "human_resources", "director"):
        response = client_as(who).get(reverse("policies:acknowledgement_pdf", args=[signature.pk]))
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        body = response.content
        assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "(Ben Johnson)" in text and "Staff Computer Use Policy" in text
    assert f"({signature.fingerprint})" in text
    page = client_as("staff").get(reverse("policies:acknowledgement", args=[signature.pk]))
    assert page.status_code == 200 and signature.fingerprint in page.content.decode()


def test_others_may_not_read_it(make_policy, people, new_madrid, client_as) -> None:
    signature = _signed(make_policy, people["staff"], new_madrid)
    url = reverse("policies:acknowledgement_pdf", args=[signature.pk])
    assert client_as("volunteer").get(url).status_code == 403
    assert client_as("outsider").get(url).status_code == 404


def test_a_name_outside_latin1(make_policy, people, new_madrid) -> None:
    from bookwarden.policies.pdf import acknowledgement_pdf, latin1

    staff = people["staff"]
    staff.first_name, staff.last_name = "Łukasz", "Wójcik 王"
    staff.save()
    signature = _signed(make_policy, staff, new_madrid, name="Łukasz Wójcik 王")
    assert acknowledgement_pdf(signature).startswith(b"%PDF")
    assert latin1("Łukasz Wójcik 王") == "Lukasz Wójcik ?"
