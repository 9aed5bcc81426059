"""Run the test OpenID Connect provider: ``python -m bookwarden.sso.tests.oidc_provider.serve
DATA_DIR PORT USERS_JSON CLIENT_JSON``.

Makes a fresh RSA signing key and database in DATA_DIR, registers the client (Bookwarden)
and the users, then serves on 127.0.0.1:PORT until killed, printing "ready" once it
listens."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    """One thread per connection: a browser keeps idle connections open."""

    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    data, port, users_json, client_json = sys.argv[1:5]
    os.environ["OIDC_PROVIDER_DATA"] = data
    os.environ["OIDC_PROVIDER_PORT"] = port
    os.environ["DJANGO_SETTINGS_MODULE"] = "bookwarden.sso.tests.oidc_provider.settings"

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    Path(data, "signing-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for spec in json.loads(users_json):
        user = User(
            username=spec["username"], email=spec["email"], is_active=spec.get("active", True)
        )
        user.set_password(spec["password"])
        user.save()
    client = json.loads(client_json)
    Application.objects.create(
        name="Bookwarden",
        client_id=client["client_id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", int(port), get_wsgi_application(), _Server, _Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
