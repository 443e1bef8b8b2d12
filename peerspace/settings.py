"""Peerspace settings: one file, read from the environment.

Nothing here needs changing to run locally: `make run` uses SQLite and creates a
local field-encryption key. Production sets the variables listed in README.md.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = env_bool("DEBUG", False)
# The dev key starts "django-insecure-" so `check --deploy` refuses it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-peerspace-local-dev-only"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.environ.get("SITE_NAME", "Peerspace")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    # Only so a migration can move secrets out of these two apps' plain-text
    # tables; our own encrypted devices (peerspace.accounts.models) replace them.
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "peerspace",
    "peerspace.accounts",
    "peerspace.reports",
    "attendance",
    "signposting",
    "safeguarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed here, not by the proxy (docs/deploy.md: compression and
    # BREACH): after SecurityMiddleware's redirects and WhiteNoise's static
    # files (already compressed), before anything that reads the page.
    "peerspace.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the browser's language (Django's
    # place for it); UserLanguageMiddleware below puts her own choice over it.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "peerspace.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "peerspace.middleware.SessionLimitsMiddleware",
    "peerspace.middleware.LoginRequiredMiddleware",
    "peerspace.middleware.UnreadableRecordMiddleware",
    "peerspace.middleware.FirstPasswordMiddleware",
    "peerspace.middleware.TwoFactorMiddleware",
    "peerspace.middleware.KioskLockdownMiddleware",
    "peerspace.middleware.PrivacyHeadersMiddleware",
    "peerspace.middleware.NotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerspace.urls"
WSGI_APPLICATION = "peerspace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerspace.accounts.context_processors.roles",
                "safeguarding.context_processors.urgent_alerts",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL from DATABASE_URL (or DB=postgres).
if os.environ.get("DATABASE_URL") or os.environ.get("DB") == "postgres":
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
            ),
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    # One test database per test run, so two runs on one machine don't collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_peerspace_{os.getpid()}"}
else:
    SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # DEFERRED transactions fail at once when two writers meet;
                # IMMEDIATE ones queue behind the busy timeout instead.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            },
            # Kept open between requests, as for PostgreSQL: opening the file
            # and setting its pragmas cost more than a cheap request itself
            # (the door's unchanged refresh; benchmarks/README.md).
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # A file, not :memory:, so live-server and concurrency tests share
            # it; one per test run, so two runs on one machine don't collide.
            "TEST": {"NAME": str(BASE_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {
        "NAME": "peerspace.accounts.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: keyed on username *and* address, because a venue shares one
# address and one person's typos must not lock out the other facilitator.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Whose address a login attempt comes from. Without a proxy, the connection's
# own: a header the client sent is never believed. Behind BEHIND_PROXY=1 every
# visitor arrives from the proxy's address, so one person's wrong passwords
# would lock everyone out; each proxy adds the address it was connected from
# to the right of X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies the
# client is that many places from the right, and whatever is further left was
# typed by the client. axes reads it through django-ipware, which counts only
# the proxies before the last one (the last is REMOTE_ADDR), hence the - 1,
# and which, not strict, skips anything malformed the client put in front.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1) if BEHIND_PROXY else 0
if BEHIND_PROXY and TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more behind a proxy.")
if BEHIND_PROXY:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Two-factor sign-in (TOTP with recovery codes) for these roles, before any of
# their pages open.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
TWO_FACTOR_ROLES = ["coordinator", "safeguarding"] if TWO_FACTOR_REQUIRED else []
OTP_TOTP_ISSUER = SITE_NAME

# Caches live in each process's memory, never in a shared or on-disk store:
# "door" keeps the who's-here rows (names) for each version of the list
# (attendance/views/door.py), for a few minutes at most.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "door": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "door",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Languages: see docs/translating.md. English (with UK dates and numbers) is
# the default and comes first; each language is named in itself, as a woman
# choosing hers at the kiosk reads it. A group adds its own with
# EXTRA_LANGUAGES, "code:Name" (":rtl" for a right-to-left script), e.g.
# EXTRA_LANGUAGES="so:Soomaali,ps:پښتو:rtl", once it has a catalogue in locale/.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True


def language_entry(item: str) -> tuple[str, str, bool]:
    """(code, name, right-to-left) from "code:Name" or "code:Name:rtl"."""
    parts = [p.strip() for p in item.split(":")]
    if len(parts) < 2 or not all(parts[:2]) or parts[2:] not in ([], ["rtl"]):
        raise ImproperlyConfigured(
            f"EXTRA_LANGUAGES: {item!r} should be code:Name or code:Name:rtl."
        )
    return parts[0].lower(), parts[1], parts[2:] == ["rtl"]


EXTRA_LANGUAGES = [language_entry(item) for item in env_list("EXTRA_LANGUAGES")]
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("ur", "اردو"),
    ("ar", "العربية"),
    *[(code, name) for code, name, _ in EXTRA_LANGUAGES],
]
LANGUAGES_BIDI = [
    "he",
    "ar",
    "ar-dz",
    "ckb",
    "fa",
    "ur",
    *[code for code, _, rtl in EXTRA_LANGUAGES if rtl],
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A made-up language in which every translated string shows as ⟦Ŧŕàñšļàţéđ⟧,
# so English that skipped translation stands out. Built from the English
# catalogue by `manage.py compile_translations`; offered only when developing
# (tests switch it on for themselves).
PSEUDO_LANGUAGE = ("en-xa", "⟦Ƥšéûđö⟧")
PSEUDO_LOCALE_PATH = BASE_DIR / ".pseudo-locale"
if DEBUG:
    LANGUAGES.append(PSEUDO_LANGUAGE)
    LOCALE_PATHS.append(PSEUDO_LOCALE_PATH)
# UK dates and numbers for English and for any language Django has no formats
# for (peerspace/formats/ has Urdu's); each other language its own.
FORMAT_MODULE_PATH = ["peerspace.formats"]
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Our exports are written by peerspace/spreadsheets.py, which escapes every
# formula; this only guards a file written by django-import-export's own formats.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Funder reports print any count from 1 up to one less than this as "fewer
# than ..." so no woman can be recognised; each saved report may change it.
REPORT_SUPPRESSION_THRESHOLD = env_int("REPORT_SUPPRESSION_THRESHOLD", 5)
if not 2 <= REPORT_SUPPRESSION_THRESHOLD <= 20:
    raise ImproperlyConfigured("REPORT_SUPPRESSION_THRESHOLD must be from 2 to 20.")
# Imports are read into memory: keep uploads small and refuse big ones clearly.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
# Open Referral feeds: fetched politely, each response no bigger than an upload.
FEED_DELAY_MS = env_int("FEED_DELAY_MS", 1000)  # between requests to one directory
FEED_TIMEOUT_SECONDS = env_int("FEED_TIMEOUT_SECONDS", 20)
# Plain http and addresses on private networks only when developing (or testing).
FEEDS_ALLOW_INSECURE = env_bool("FEEDS_ALLOW_INSECURE", DEBUG)

# Field encryption: a list of Fernet keys, newest first. The first encrypts, all
# decrypt, so a key can be rotated. Never derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY_FILE = Path(
    os.environ.get("FIELD_ENCRYPTION_KEY_FILE", BASE_DIR / ".field-encryption-key")
)
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS and FIELD_ENCRYPTION_KEY_FILE.exists():
    FIELD_ENCRYPTION_KEYS = [
        line.strip()
        for line in FIELD_ENCRYPTION_KEY_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

# Sessions: shared tablets, so sessions end when the browser closes and after a
# working day at most; idle timeout is SESSION_IDLE_SECONDS.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
# A form posted just after the limits signed someone out is kept for her, up to
# this size (see peerspace/drafts.py); anything bigger is not kept.
DRAFT_MAX_BYTES = env_int("DRAFT_MAX_BYTES", 64 * 1024)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The kiosk answers this many people a minute; past that it asks her to see
# the team, and checks and records nothing (see attendance/views/kiosk.py).
KIOSK_ANSWERS_PER_MINUTE = env_int("KIOSK_ANSWERS_PER_MINUTE", 10)
# A kiosk page with something typed on it clears after this long untouched,
# with a warning first; a "thank you" page clears sooner.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 120)
KIOSK_THANKS_SECONDS = env_int("KIOSK_THANKS_SECONDS", 8)
# The site a tablet works at is remembered in its own long-lived cookie.
SITE_COOKIE_NAME = "peerspace_site"
SITE_COOKIE_AGE = 365 * 24 * 60 * 60

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Behind TLS in production: HTTPS=1 turns on secure cookies, HSTS and redirects.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SITE_COOKIE_SECURE = True
else:
    SITE_COOKIE_SECURE = False
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The door's service worker (attendance/views/offline.py).
        "worker-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Email has to reach a person: an urgent worry is emailed to the safeguarding
# members, and a forgotten password is reset by email. Production (DEBUG=0)
# always uses SMTP, never the console backend that only writes mail (and reset
# links) to the log; `check --deploy` refuses settings that can't send (see
# peerspace/mail.py). Development without EMAIL_HOST writes mail to the console,
# and the pages say that nobody was told.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start, port 465
EMAIL_PORT = env_int(
    "EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# Seconds: a mail server that has gone quiet must not hold a page for minutes.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "peerspace@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env_list("ADMINS")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "forbidden_in_one_line": {"()": "peerspace.http.ForbiddenInOneLine"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["forbidden_in_one_line"],
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    # Django's own console handler (DEBUG only) would print every warning a
    # second time beside the root's: Django's logs reach the console once.
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
