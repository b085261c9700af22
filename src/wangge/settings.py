"""Settings, read from the environment only (see README: "Configuration")."""

import datetime
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("WANGGE_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from error


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """From WANGGE_SECRET_KEY, or generated once into var/ so it survives restarts."""
    if key := os.environ.get("WANGGE_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' JavaScript from /static/, not a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "wangge.divisions",
    "wangge.access",
    "wangge.places",
    "wangge.people",
    "wangge.organizations",
    "wangge.imports",
    "wangge.linkage",
    "wangge.reports",
    "wangge.events",
    "wangge.patrols",
    "wangge.open311",
    "wangge.web",
    "wangge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wangge.access.middleware.idle_timeout",
    "wangge.access.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "wangge.urls"
WSGI_APPLICATION = "wangge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wangge.events.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'wangge.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids "database is locked"
    # when two writers upgrade their read locks at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "access.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# django-axes counts failed sign-ins before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "wangge.access.passwords.PasswordHistoryValidator"},
]
# Accounts (docs/security.md, "Accounts"): the last passwords a user may not choose again,
# the idle timeout, sign-in throttling, the second factor.
WANGGE_PASSWORD_HISTORY = envint("WANGGE_PASSWORD_HISTORY", 5)
WANGGE_IDLE_MINUTES = envint("WANGGE_IDLE_MINUTES", 30)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# from anyone else, REMOTE_ADDR is the client. Shared with the public rate limits.
WANGGE_TRUSTED_PROXIES = envlist("WANGGE_TRUSTED_PROXIES", "")
try:
    WANGGE_TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(proxy, strict=False)
                                     for proxy in WANGGE_TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(f"WANGGE_TRUSTED_PROXIES: {error}") from error
# Locked per account and, separately, per client address after this many failures in a row,
# for WANGGE_LOCKOUT_MINUTES (0: until the security administrator unlocks it).
AXES_FAILURE_LIMIT = envint("WANGGE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = (datetime.timedelta(minutes=envint("WANGGE_LOCKOUT_MINUTES", 30))
                     if envint("WANGGE_LOCKOUT_MINUTES", 30) else None)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "wangge.access.client.client_address"
AXES_LOCKOUT_CALLABLE = "wangge.access.views.locked_out"
# A success does not clear the counts: axes would clear every count of the address too, so a
# guesser with an account of its own could sign in with it between guesses and start afresh.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept, not only the running count
AXES_ENABLE_ADMIN = False  # access/admin.py registers them with the administrators' rules
OTP_TOTP_ISSUER = "wangge"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Front-end packages come from npm at build time (`make assets`); nothing loads from a CDN.
NODE_MODULES = Path(os.environ.get("WANGGE_NODE_MODULES", BASE_DIR.parents[1] / "node_modules"))
STATICFILES_DIRS = [
    BASE_DIR / "static",  # the shared layout's CSS and scripts (wangge is not itself an app)
    ("leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE")

# History is read, never replayed: a revert would bypass validation and the reason.
SIMPLE_HISTORY_REVERT_DISABLED = True
# A reason is as long as it needs to be (an import names its file, sheet, row, department).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background tasks wait in the database until `wangge db_worker` runs them; set
# WANGGE_TASKS=immediate to run them in the request instead (tests, one-off scripts).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("WANGGE_TASKS", "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    },
}

# Map: grids are drawn from their own polygons; a tile layer is optional (offline intranets).
WANGGE_TILE_URL = os.environ.get("WANGGE_TILE_URL", "")
WANGGE_PAGE_SIZE = envint("WANGGE_PAGE_SIZE", 50)
# Uploaded files to import (kept under var/imports/, never served directly).
WANGGE_UPLOAD_MAX_MB = envint("WANGGE_UPLOAD_MAX_MB", 200)

# Events: nearby open reports of the same category within this many metres are offered as
# duplicates; an overdue event climbs one level up again after this many hours.
WANGGE_DUPLICATE_RADIUS_M = envint("WANGGE_DUPLICATE_RADIUS_M", 100)
WANGGE_ESCALATION_HOURS = envint("WANGGE_ESCALATION_HOURS", 24)
WANGGE_PHOTO_MAX_BYTES = envint("WANGGE_PHOTO_MAX_MB", 10) * 2**20
WANGGE_NOTIFICATION_CHANNELS = envlist(
    "WANGGE_NOTIFICATION_CHANNELS",
    "wangge.events.notifications.EmailChannel,wangge.events.notifications.WebhookChannel",
)
WANGGE_WEBHOOK_TIMEOUT = envint("WANGGE_WEBHOOK_TIMEOUT", 10)
# Patrols: the coverage report lists buildings no patrol has visited in this many days.
WANGGE_PATROL_COVERAGE_DAYS = envint("WANGGE_PATROL_COVERAGE_DAYS", 30)
# Residents' public page and Open311 (docs/open311.md). Rates are "count/period" (s, m, h, d),
# counted in the default cache: per phone (a cookie) and per network address (a household's
# router is shared); the address is REMOTE_ADDR unless RATELIMIT_IP_META_KEY names another.
WANGGE_PUBLIC_REPORT_RATE = os.environ.get("WANGGE_PUBLIC_REPORT_RATE", "5/h")
WANGGE_PUBLIC_REPORT_IP_RATE = os.environ.get("WANGGE_PUBLIC_REPORT_IP_RATE", "30/h")
WANGGE_PUBLIC_LOOKUP_RATE = os.environ.get("WANGGE_PUBLIC_LOOKUP_RATE", "120/h")
WANGGE_OPEN311_RATE = os.environ.get("WANGGE_OPEN311_RATE", "600/h")
WANGGE_PUBLIC_MAX_PHOTOS = envint("WANGGE_PUBLIC_MAX_PHOTOS", 3)
# The address printed in building posters' QR codes, when residents reach the site by another
# name than staff do (empty: the address the poster was printed from).
WANGGE_PUBLIC_BASE_URL = os.environ.get("WANGGE_PUBLIC_BASE_URL", "").rstrip("/")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wangge@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
