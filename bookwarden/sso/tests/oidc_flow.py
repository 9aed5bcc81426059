"""Driving a whole OpenID Connect sign-in: Bookwarden's side with Django's test client, the
provider's side (its sign-in page, its authorization) with real HTTP requests."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.test import Client
from django.urls import reverse

from .servers import PROVIDER_ID, PROVIDER_PASSWORD, Provider


def sign_in_with_provider(client: Client, provider: Provider, username: str) -> Any:
    """Press "Sign in with ..." on Bookwarden's sign-in page, sign in at the provider as
    ``username``, and follow the provider back to Bookwarden: Bookwarden's answer."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert start.status_code == 302, start
    authorize = start["Location"]
    assert authorize.startswith(provider.base), authorize
    browser = requests.Session()
    to_login = browser.get(authorize, allow_redirects=False, timeout=10)
    assert to_login.status_code == 302, to_login.text
    login_url = urljoin(provider.base, to_login.headers["Location"])
    page = browser.get(login_url, timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    nxt = re.search(r'name="next" value="([^"]*)"', page.text)
    assert csrf and nxt
    signed_in = browser.post(
        login_url,
        data={
            "username": username,
            "password": PROVIDER_PASSWORD,
            "csrfmiddlewaretoken": csrf.group(1),
            "next": nxt.group(1).replace("&amp;", "&"),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, f"the provider refused {username}"
    back = browser.get(
        urljoin(provider.base, signed_in.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.netloc == "testserver", callback
    return client.get(f"{callback.path}?{callback.query}")
