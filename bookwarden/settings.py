"""Bookwarden settings: every value comes from the environment, read through a few typed helpers.

SQLite under the data folder is the embedded default; ``DATABASE_URL`` selects PostgreSQL.
``BOOKWARDEN_PRODUCTION=1`` turns on production mode, which refuses to start without a
secret key, allowed hosts and secure cookies.  See ``.env.example`` and docs/configuration.md.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    """Read ``NAME`` or, for secrets, the contents of the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE names {file_name}, which cannot be read ({exc.strerror}). "
                "Refusing to start."
            ) from exc
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = env_bool("BOOKWARDEN_PRODUCTION", False)
DEBUG = False if PRODUCTION else env_bool("BOOKWARDEN_DEBUG", True)
DATA_DIR = Path(env_str("BOOKWARDEN_DATA_DIR", str(BASE_DIR / "data")) or "data")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if PRODUCTION and (len(key) < 50 or len(set(key)) < 5):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Production mode needs SECRET_KEY (or SECRET_KEY_FILE). Refusing to start."
        )
    # Development: a random key kept in the data folder, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "dev_secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production mode needs ALLOWED_HOSTS. Refusing to start.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Our apps first, so that their templates override django-allauth's.
    "bookwarden.core",
    "bookwarden.audit",
    "bookwarden.patrons",
    "bookwarden.portal",
    "bookwarden.disclosures",
    "bookwarden.jobs",
    "bookwarden.mail",
    "bookwarden.operations",
    "bookwarden.enforcement",
    "bookwarden.breach",
    "bookwarden.policies",
    "bookwarden.training",
    "bookwarden.people",
    "bookwarden.onboarding",
    "bookwarden.devices",
    "bookwarden.credentials",
    "bookwarden.software",
    "bookwarden.vendors",
    "bookwarden.backups",
    "bookwarden.reports",
    "bookwarden.compliance",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bookwarden.core.middleware.RequestContextMiddleware",
    "bookwarden.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, scoped: the portal speaks the patron's language, every other
    # page the installation's (core/language.py).  After the session, before CommonMiddleware.
    "bookwarden.core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "bookwarden.core.middleware.IdleLockMiddleware",
    "bookwarden.core.middleware.TimeZoneMiddleware",
    "bookwarden.core.middleware.MFARequiredMiddleware",
    # LV-8, CC-4: the monitoring notice, acknowledged before anything else.
    "bookwarden.policies.middleware.MonitoringNoticeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bookwarden.urls"
WSGI_APPLICATION = "bookwarden.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bookwarden.core.context_processors.navigation",
            ],
            # |when, |day, |clock, |ago and |iso in every template (core/when.py).
            "builtins": ["bookwarden.core.templatetags.when"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "bookwarden.sqlite3"),
            # IMMEDIATE: a transaction takes the write lock when it begins, so two writers
            # can never read the same audit chain head (see audit.actions).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts, passwords, MFA, lockout ----------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "bookwarden.core.password_validation.StrengthValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "bookwarden.core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("BOOKWARDEN_SUDO_SECONDS", 300)
# django-axes owns lockout (core.lockout).  allauth's own limits of failures and of sign-ins
# per address would stop a whole branch behind one router, correct passwords included.
ACCOUNT_RATE_LIMITS = {"login_failed": False, "login": False}
MFA_ADAPTER = "bookwarden.core.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bookwarden"
MFA_RECOVERY_CODE_COUNT = 10
# A wrong code counts against the account's lockout, and a locked account's codes are refused.
MFA_FORMS = {
    "authenticate": "bookwarden.core.lockout.SecondFactorForm",
    "reauthenticate": "bookwarden.core.lockout.SecondFactorReauthenticateForm",
}
# Accounts are made by a director, never by sign-up, so the unverified-address takeover that
# allauth guards against cannot happen; without this, opening the e-mail page (which records
# the address as unverified) would stop an MFA-required person from ever setting up TOTP.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# Disclosure rule packs (docs/disclosures.md): a folder of corrected packs that replace the
# shipped ones, and the interim folder of library policy layers (<slug>.yaml).  Empty: the
# folders "packs" and "policies" under the data folder.
BOOKWARDEN_PACK_DIR = env_str("BOOKWARDEN_PACK_DIR", "") or None
BOOKWARDEN_POLICY_DIR = env_str("BOOKWARDEN_POLICY_DIR", "") or None

# Audit-log anchors (docs/threat-model.md, docs/deployment-database.md): the folder where the
# nightly audit-anchor job appends the log's head, and after how many hours without a new
# anchor `audit verify` warns.  Empty: the folder "audit-anchors" under the data folder; in
# production put it on other storage than the database.
AUDIT_ANCHOR_DIR = env_str("BOOKWARDEN_AUDIT_ANCHOR_DIR", "") or None
AUDIT_ANCHOR_MAX_AGE_HOURS = env_int("BOOKWARDEN_AUDIT_ANCHOR_MAX_AGE_HOURS", 48)

# The job loop (bookwarden jobs run; docs/jobs.md): how long finished runs are kept, and
# after how long without a heartbeat a running job counts as dead and is retried.
JOBS_KEEP_DAYS = env_int("BOOKWARDEN_JOBS_KEEP_DAYS", 30)
JOBS_STALE_AFTER = env_int("BOOKWARDEN_JOBS_STALE_SECONDS", 600)

# The patron portal's own lockout (card number + PIN): failures per card, and per address
# (someone trying many cards), within the window.
PORTAL_LOCKOUT_FAILURES = env_int("BOOKWARDEN_PORTAL_LOCKOUT_FAILURES", 5)
PORTAL_LOCKOUT_ADDRESS_FAILURES = env_int("BOOKWARDEN_PORTAL_LOCKOUT_ADDRESS_FAILURES", 30)
PORTAL_LOCKOUT_MINUTES = env_int("BOOKWARDEN_PORTAL_LOCKOUT_MINUTES", 15)

# Sign-in lockout (docs/administration.md, "Sign-in lockout"): an account locks after
# LOCKOUT_FAILURES failures for it; an address is limited only after LOCKOUT_ADDRESS_FAILURES
# failures from it, and never for an account with two-factor login.  django-axes records the
# attempts; bookwarden.core.lockout decides what is locked.
LOCKOUT_FAILURES = env_int("BOOKWARDEN_LOCKOUT_FAILURES", 5)
LOCKOUT_ADDRESS_FAILURES = env_int("BOOKWARDEN_LOCKOUT_ADDRESS_FAILURES", 50)
LOCKOUT_MINUTES = env_int("BOOKWARDEN_LOCKOUT_MINUTES", 15)
AXES_HANDLER = "bookwarden.core.lockout.SignInLockoutHandler"
AXES_LOCK_OUT_AT_FAILURE = False  # the handler decides, with the two thresholds above
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOCKOUT_MINUTES)
# Failures are kept per account name (and address and browser); a successful sign-in
# clears that account's failures only, never those of its colleagues at the same address.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that a lockout without the address lets one source try many accounts: the
# address limit above is that guard (core.lockout.SignInLockoutHandler).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# Trying again while locked is refused without counting, so the lock lifts when it said.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "bookwarden.core.lockout.lockout_username"
# Masked in the request data axes keeps: allauth's form names the username box "login".
AXES_SENSITIVE_PARAMETERS = ["username", "login", "ip_address"]
AXES_LOCKOUT_CALLABLE = "bookwarden.core.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = env_int("BOOKWARDEN_PROXY_COUNT", 0) or None

# Idle sessions lock after this many minutes unless a library sets its own (CC-4).
BOOKWARDEN_IDLE_MINUTES = env_int("BOOKWARDEN_IDLE_MINUTES", 15)
# How long the page of an opening of a patron's records shows them to the person who opened
# them (reload, back) before it asks for the purpose again (CR-5).
BOOKWARDEN_RECORD_OPENING_MINUTES = env_int("BOOKWARDEN_RECORD_OPENING_MINUTES", 10)
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers ---------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if PRODUCTION:
    if not (SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE):
        raise ImproperlyConfigured(
            "Production mode needs secure cookies (SESSION_COOKIE_SECURE and "
            "CSRF_COOKIE_SECURE). Refusing to start."
        )
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The health check answers plain HTTP too, for the container's own check and a monitor
    # on the machine itself; it says nothing of any library (bookwarden.core.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env_bool("BOOKWARDEN_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Mail ---------------------------------------------------------------------------------
# Without a mail server, mail is printed to the console, or written one file per message
# into BOOKWARDEN_MAIL_DIR when that is set (the demo does, so that its terminal stays
# readable).
EMAIL_FILE_PATH = env_str("BOOKWARDEN_MAIL_DIR", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend"
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "bookwarden@localhost")

# --- Static files, i18n ---------------------------------------------------------------------
STATIC_URL = "/static/"
# The container collects them when the image is built, outside the data volume.
STATIC_ROOT = Path(env_str("BOOKWARDEN_STATIC_ROOT") or DATA_DIR / "static")
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (attachments of the operations log): never served by a public URL; a view
# that checks the reader's permission streams them.
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Staff pages speak LANGUAGE_CODE.  The patron portal, the mail to patrons and the letters
# to them also speak Spanish (docs/translations.md): the portal follows the browser
# (Accept-Language) until the patron chooses, and a signed-in patron's choice is kept
# (Patron.preferred_language) for their mail and letters.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
#: Where a page speaks the patron's language rather than the installation's.
PATRON_LANGUAGE_PATHS = ("/portal/",)
# The portal's language switch keeps the choice in this cookie, sent only to the portal:
# a staff page never reads it.
LANGUAGE_COOKIE_PATH = "/portal/"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The installation's time zone: the default for a new library's own (Library.time_zone),
# and the zone of pages that are about no library.  Times are stored in UTC.
TIME_ZONE = env_str("TIME_ZONE") or "America/Chicago"
USE_I18N = True
USE_TZ = True
# One format for dates and times on every page, mail and letter (core/when.py): "Dec 2,
# 2026" and "Dec 2, 2026, 4:19 PM".  bookwarden/formats/ holds the same, so that they
# win over Django's English formats.  Exports and machine output use ISO 8601 in UTC.
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, g:i A"
TIME_FORMAT = "g:i A"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i A"
FORMAT_MODULE_PATH = ["bookwarden.formats"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Backups (docs/backups.md) -------------------------------------------------------------
# The key file that encrypts every backup (made with `bookwarden backup key --out FILE`; keep
# a copy away from the server: losing it loses every backup), the folder of the nightly
# backup job (unset: backups are not configured, and the job says so), and after how many
# days the job deletes a backup (a backup holds records that retention has since removed).
BACKUP_KEY_FILE = env_str("BOOKWARDEN_BACKUP_KEY_FILE", "") or None
BACKUP_DIR = env_str("BOOKWARDEN_BACKUP_DIR", "") or None
BACKUP_KEEP_DAYS = env_int("BOOKWARDEN_BACKUP_KEEP_DAYS", 30)
if BACKUP_KEEP_DAYS < 1:
    raise ImproperlyConfigured("BOOKWARDEN_BACKUP_KEEP_DAYS must be at least 1.")

# --- The REST API and alerts into the operations log (docs/api.md) --------------------------
# Tokens a person makes on their account page (bookwarden.api.authentication), a rate limit
# per token and per alert source (in the cache: per process with the default local-memory
# cache), JSON errors, and the OpenAPI schema at /api/schema/.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "django_filters", "bookwarden.api"]
API_TOKEN_RATE = env_str("BOOKWARDEN_API_TOKEN_RATE", "600/minute")
API_ALERT_RATE = env_str("BOOKWARDEN_API_ALERT_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["bookwarden.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["bookwarden.api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["bookwarden.api.throttles.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_TOKEN_RATE, "alert_source": API_ALERT_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "bookwarden.api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bookwarden.api.errors.json_errors",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bookwarden API",
    "DESCRIPTION": "Tokens, endpoints and the alerts webhook: see docs/api.md.  Patron "
    "library records are never in the API.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bookwarden.api.schema.describe_path_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EntryKindEnum": "bookwarden.operations.models.EntryKind",
        "ReportKindEnum": "bookwarden.operations.actions.REPORT_KINDS",
        "AlertKindEnum": "bookwarden.api.serializers.ALERT_KIND_CHOICES",
        "DeviceKindEnum": "bookwarden.devices.models.DeviceKind",
        "EntryStatusEnum": "bookwarden.operations.models.EntryStatus",
        "EntryStatusFilterEnum": "bookwarden.api.filters.ENTRY_STATUS_FILTER",
    },
}
# --- Sign-in with the library's accounts (docs/sso.md) -------------------------------------
# OpenID Connect providers (Google Workspace, Microsoft Entra ID, any other) through allauth's
# socialaccount, and an LDAP or Active Directory server through django-python3-ldap, each
# only when its BOOKWARDEN_OIDC_* or BOOKWARDEN_LDAP_* variables are set
# (bookwarden.sso.config reads them).  An outside identity only proves who someone is: it is
# matched to an existing account, never creates one, and grants no role.
from bookwarden.sso import config as _sso_config  # noqa: E402

INSTALLED_APPS.insert(INSTALLED_APPS.index("allauth"), "bookwarden.sso")
INSTALLED_APPS += ["allauth.socialaccount", "allauth.socialaccount.providers.openid_connect"]
SOCIALACCOUNT_ADAPTER = "bookwarden.sso.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # bookwarden.sso.matching matches, every time
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
SSO_OPENID_CONNECT: dict = {}
SSO_LDAP: dict = {}
_sso_oidc = _sso_config.openid_connect_settings(env_str, env_list)
if _sso_oidc:
    SOCIALACCOUNT_PROVIDERS = _sso_oidc["SOCIALACCOUNT_PROVIDERS"]
    SSO_OPENID_CONNECT = _sso_oidc["SSO_OPENID_CONNECT"]
    # The sign-in button posts to Bookwarden, which sends the browser on to the provider:
    # form-action must allow the provider's address for the browser to follow.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += _sso_oidc["form_action_origins"]
_sso_ldap = _sso_config.ldap_settings(env_str, env_list, env_bool)
if _sso_ldap:
    globals().update(_sso_ldap)
    # Before allauth's: for people found in the directory, the directory's password decides.
    AUTHENTICATION_BACKENDS.insert(1, "bookwarden.sso.directory.DirectoryBackend")
