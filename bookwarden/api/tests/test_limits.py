"""Rate limits per token and per alert source (429 with a wait), JSON errors."""

from __future__ import annotations

from django.urls import reverse

from .conftest import bearer
from .factories import a_token, an_alert_source


def test_each_token_has_its_own_budget(people, settings) -> None:
    settings.API_TOKEN_RATE = "3/minute"
    first = bearer(a_token(people["director"])[1])
    second = bearer(a_token(people["director"])[1])
    url = reverse("api:entries")
    assert [first.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = first.get(url)
    assert limited.status_code == 429
    assert limited.json()["detail"] and int(limited["Retry-After"]) > 0
    assert second.get(url).status_code == 200


def test_each_alert_source_has_its_own_budget(people, new_madrid, settings) -> None:
    settings.API_ALERT_RATE = "2/minute"
    source, secret = an_alert_source(new_madrid)
    client = bearer(secret)
    url = reverse("api:alert", kwargs={"source_key": source.key})
    codes = [
        client.post(url, {"alert_id": str(n), "title": "t"}, "application/json").status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_errors_are_json(people) -> None:
    anonymous = bearer("")
    response = anonymous.get(reverse("api:entries"))
    assert response.status_code == 401 and response.json()["detail"]
    client = bearer(a_token(people["director"])[1])
    response = client.put(reverse("api:entries"), {}, "application/json")
    assert response.status_code == 405 and response.json()["detail"]
    response = client.get(reverse("api:entry", args=[987654]))
    assert response.status_code == 404 and response.json()["detail"]
    response = client.post(reverse("api:concerns", args=["new-madrid"]), "{", "application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_a_token_needs_no_csrf_token_and_a_page_still_does(people, client_as) -> None:
    """CSRF is waived for token and alert-source requests only (no cookie is trusted
    there); the pages that make tokens still need the form's CSRF token."""
    from django.test import Client

    _token, text = a_token(people["staff"])
    strict = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {text}"})
    url = reverse("api:concerns", args=["new-madrid"])
    assert strict.post(url, {"narrative": "x"}, "application/json").status_code == 201
    page = client_as("staff")
    page.handler.enforce_csrf_checks = True
    assert page.post(reverse("api:token_new"), {"name": "x"}).status_code == 403
