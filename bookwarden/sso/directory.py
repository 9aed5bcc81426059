"""Sign-in with the library's LDAP or Active Directory accounts (docs/sso.md, CC-7).

django-python3-ldap reaches the server (``LDAP_AUTH_*``: addresses, TLS, the bind account);
this backend finds the person with the library's filter (for Active Directory, one that
leaves out disabled accounts), checks the password by binding as them, and matches the
directory's sign-in name to an existing Bookwarden username.  It never creates or changes an
account.  The directory's password never counts as a second factor: allauth asks for the
code afterwards, as after a Bookwarden password.

For everyone but the accounts named in ``BOOKWARDEN_LDAP_LOCAL_PASSWORD_ACCOUNTS`` the
directory decides: a person it does not find (a disabled account) or whose password it
refuses cannot fall back on a Bookwarden password.
"""

from __future__ import annotations

import logging
from typing import Any

import ldap3
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_python3_ldap import ldap
from django_python3_ldap.conf import settings as ldap_settings
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from bookwarden.core.models import User

from . import actions
from .matching import Refused, account_for_username

logger = logging.getLogger(__name__)


def bind_name(fields: dict[str, Any]) -> str:
    """``LDAP_AUTH_FORMAT_USERNAME``: Bookwarden binds with whole names (DNs), as given."""
    return str(fields[User.USERNAME_FIELD])


def find_person(login_name: str) -> tuple[str, str] | None:
    """The DN and sign-in name of the one enabled person the library's filter finds for
    ``login_name``, or None (not there, disabled, or the directory cannot be reached)."""
    rules = settings.SSO_LDAP
    attribute = rules["username_attribute"]
    with ldap.connection() as found:
        if found is None:
            logger.warning("The directory could not be reached or refused the bind account.")
            return None
        try:
            # On the ldap3 connection itself: the library's own lookups (get_user, has_user)
            # create or update Django accounts, which Bookwarden never lets a directory do.
            found._connection.search(
                search_base=ldap_settings.LDAP_AUTH_SEARCH_BASE,
                search_filter=rules["user_filter"].replace(
                    "{username}", escape_filter_chars(login_name)
                ),
                search_scope=ldap3.SUBTREE,
                attributes=[attribute],
            )
        except LDAPException as exc:
            logger.warning("The directory search failed: %s", exc)
            return None
        entries = [e for e in found._connection.response or [] if e.get("type") == "searchResEntry"]
    if len(entries) != 1:
        return None
    values = entries[0]["attributes"].get(attribute)
    name = values[0] if isinstance(values, list) and values else values
    return (entries[0]["dn"], str(name)) if name else None


def password_is_right(dn: str, password: str) -> bool:
    """The directory accepts ``password`` for ``dn`` (a bind as that person)."""
    with ldap.connection(username=dn, password=password) as bound:
        return bound is not None


class DirectoryBackend(ModelBackend):
    """An ``AUTHENTICATION_BACKENDS`` entry, before allauth's, when LDAP is configured."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        if username.casefold() in settings.SSO_LDAP["local_password_accounts"]:
            return None  # a Bookwarden password, checked by allauth's backend
        # An empty password would be an anonymous bind, which "succeeds".
        person = find_person(username) if password else None
        if person is None or not password_is_right(person[0], password):
            raise PermissionDenied  # a failed sign-in, counted towards the lockout
        try:
            user = account_for_username(person[1])
        except Refused as refused:
            actions.record_refusal(refused, method=actions.DIRECTORY)
            raise PermissionDenied from None
        if request is not None and hasattr(request, "session"):
            request.session[actions.DIRECTORY_SIGN_IN] = user.pk
        return user
