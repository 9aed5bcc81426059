"""Real servers on loopback for the sign-in tests: OpenLDAP's slapd with a small directory
shaped like Active Directory, and an OpenID Connect provider (django-oauth-toolkit in its own
Django process).  Never a mock of the protocol."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SUFFIX = "dc=library,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
BIND_DN = f"cn=bookwarden,ou=services,{SUFFIX}"
BIND_PASSWORD = "bind-account-secret-7"
DIRECTORY_PASSWORD = "directory-password-42"

#: The directory: sAMAccountName, and userAccountControl (514 = a disabled account).
DIRECTORY_PEOPLE = (
    ("bjohnson", 512),  # New Madrid's staff member
    ("mreyes", 512),  # New Madrid's director (has an authenticator app)
    ("ekim", 514),  # the volunteer, disabled in the directory
    ("nobody", 512),  # no Bookwarden account
    ("norole", 512),  # a Bookwarden account with no role (the test makes it)
)

#: Attributes of Active Directory that the filter of docs/sso.md uses, with the matching
#: rules OpenLDAP needs (AD's own OIDs).
AD_SCHEMA = """
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.782 NAME 'objectCategory'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL
  MAY ( sAMAccountName $ userAccountControl $ objectCategory ) )
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped at start (exit {process.returncode})")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening on port {port}")


@contextmanager
def _running(command: list[str], port: int, what: str, **kwargs: object) -> Iterator[None]:
    process = subprocess.Popen(command, **kwargs)  # type: ignore[call-overload]
    try:
        _wait_for_port(port, process, what)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- OpenLDAP -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Directory:
    url: str


def _directory_ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Library\ndc: library",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services",
        f"dn: {BIND_DN}\nobjectClass: inetOrgPerson\ncn: bookwarden\nsn: bookwarden\n"
        f"userPassword: {BIND_PASSWORD}",
    ]
    for name, control in DIRECTORY_PEOPLE:
        entries.append(
            f"dn: cn={name},{PEOPLE}\nobjectClass: user\ncn: {name}\nsn: {name}\n"
            f"sAMAccountName: {name}\nuserAccountControl: {control}\n"
            f"objectCategory: person\nmail: {name}@new-madrid.example.org\n"
            f"userPassword: {DIRECTORY_PASSWORD}"
        )
    return "\n\n".join(entries) + "\n"


def _slapd_conf(folder: Path) -> str:
    schema = Path("/etc/ldap/schema")
    return "\n".join(
        [
            f"include {schema / 'core.schema'}",
            f"include {schema / 'cosine.schema'}",
            f"include {schema / 'inetorgperson.schema'}",
            f"include {folder / 'ad.schema'}",
            f"pidfile {folder / 'slapd.pid'}",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            "database mdb",
            "maxsize 10485760",
            f'suffix "{SUFFIX}"',
            f'rootdn "cn=admin,{SUFFIX}"',
            f"directory {folder / 'data'}",
            # People bind with their password; only the bind account reads the directory.
            "access to attrs=userPassword by anonymous auth by * none",
            f'access to * by dn.exact="{BIND_DN}" read by * none',
            "",
        ]
    )


@contextmanager
def openldap(folder: Path) -> Iterator[Directory]:
    """slapd on a free loopback port, with the directory above loaded by slapadd."""
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    if not (os.access(slapd, os.X_OK) and os.access(slapadd, os.X_OK)):
        pytest.fail(
            "The LDAP tests need OpenLDAP's slapd and slapadd, which are not installed: "
            "run `make slapd` (or: sudo apt-get install slapd ldap-utils).",
            pytrace=False,
        )
    (folder / "data").mkdir(parents=True)
    (folder / "ad.schema").write_text(AD_SCHEMA)
    conf = folder / "slapd.conf"
    conf.write_text(_slapd_conf(folder))
    (folder / "directory.ldif").write_text(_directory_ldif())
    subprocess.run(
        [slapadd, "-f", str(conf), "-l", str(folder / "directory.ldif")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    with _running(
        [slapd, "-f", str(conf), "-h", url + "/", "-d", "0"],
        port,
        "slapd",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ):
        yield Directory(url)


# --- The OpenID Connect provider -----------------------------------------------------------

PROVIDER_ID = "testidp"
CLIENT_ID = "bookwarden-test-client"
CLIENT_SECRET = "client-secret-for-the-tests-only"
PROVIDER_PASSWORD = "provider-password-42"
CALLBACK = f"http://testserver/accounts/oidc/{PROVIDER_ID}/login/callback/"
#: The browser test's live server: a loopback address, so any port (RFC 8252).
LOOPBACK_CALLBACK = f"http://127.0.0.1/accounts/oidc/{PROVIDER_ID}/login/callback/"

#: The provider's users: user name, e-mail.  "-mfa" users get amr=["pwd", "mfa"] (the
#: provider says it checked a second factor), "unverified..." users an unverified address.
PROVIDER_USERS = (
    ("bjohnson", "bjohnson@new-madrid.example.org"),
    ("mreyes", "mreyes@new-madrid.example.org"),
    ("mreyes-mfa", "mreyes@new-madrid.example.org"),
    ("stranger", "stranger@new-madrid.example.org"),
    ("unverified-bjohnson", "bjohnson@new-madrid.example.org"),
    ("norole", "norole@new-madrid.example.org"),
    ("bjohnson-elsewhere", "bjohnson@gmail.example.com"),
)


@dataclass(frozen=True)
class Provider:
    base: str  # http://127.0.0.1:PORT

    @property
    def server_url(self) -> str:
        return f"{self.base}/o"


@contextmanager
def oidc_provider(folder: Path) -> Iterator[Provider]:
    """django-oauth-toolkit's OpenID Connect provider, in its own process on loopback."""
    folder.mkdir(parents=True)
    port = free_port()
    users = [
        {"username": name, "email": email, "password": PROVIDER_PASSWORD}
        for name, email in PROVIDER_USERS
    ]
    client = {
        "client_id": CLIENT_ID,
        "secret": CLIENT_SECRET,
        "redirect_uris": [CALLBACK, LOOPBACK_CALLBACK],
    }
    log = (folder / "provider.log").open("wb")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    command = [
        sys.executable,
        "-m",
        "bookwarden.sso.tests.oidc_provider.serve",
        str(folder),
        str(port),
        json.dumps(users),
        json.dumps(client),
    ]
    what = "the OpenID Connect provider"
    with log, _running(command, port, what, stdout=log, stderr=log, env=env):
        yield Provider(f"http://127.0.0.1:{port}")
