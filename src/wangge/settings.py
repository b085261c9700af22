"""Settings, read from the environment only (see README: "Configuration")."""

import base64
import datetime
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

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


def _cache(url: str) -> dict:
    """The shared cache (rate limits count there, across every process): the database by
    default (table ``wangge_cache``, made by ``wangge migrate``), Redis when given as
    ``redis://host:6379/0`` (``pip install wangge[redis]``), ``locmem://`` for one process
    only (counts are then per process)."""
    if not url or url.startswith("db://"):
        # Far more entries than the default 300: a city's clients each hold a counter.
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": url.removeprefix("db://") or "wangge_cache",
                "OPTIONS": {"MAX_ENTRIES": 200_000}}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(f"WANGGE_CACHE_URL={url!r}: use db://table, redis://host:port/db "
                               "or locmem://")


def _secret_key() -> str:
    """From WANGGE_SECRET_KEY, or generated once into var/ so it survives restarts."""
    if key := os.environ.get("WANGGE_SECRET_KEY"):
        if key.startswith("CHANGE"):
            raise ImproperlyConfigured("WANGGE_SECRET_KEY is still the example's placeholder")
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
    "wangge.worker",  # before django_tasks_db: its db_worker command replaces theirs
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' JavaScript from /static/, not a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "wangge.divisions",
    "wangge.access",
    "wangge.auditlog",
    "wangge.places",
    "wangge.people",
    "wangge.organizations",
    "wangge.populations",
    "wangge.imports",
    "wangge.linkage",
    "wangge.reports",
    "wangge.events",
    "wangge.notifications",
    "wangge.patrols",
    "wangge.open311",
    "wangge.cockpit",
    "wangge.health",
    "wangge.epidemic",
    "wangge.risk",
    "wangge.measures",
    "wangge.resources",
    "wangge.emergency",
    "wangge.care",
    "wangge.alerts",
    "wangge.residents",
    "wangge.notices",
    "wangge.volunteers",
    "wangge.needs",
    "wangge.conventions",
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
    "csp.middleware.CSPMiddleware",
    "wangge.security.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wangge.crypto.UnknownDataKeyMiddleware",
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
                "wangge.notifications.context_processors.inbox",
                "wangge.web.context_processors.tabs",
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
# How long a one-time set-password link (a new account's, or a reset's) stays valid.
WANGGE_PASSWORD_LINK_HOURS = envint("WANGGE_PASSWORD_LINK_HOURS", 24)
PASSWORD_RESET_TIMEOUT = WANGGE_PASSWORD_LINK_HOURS * 3600
WANGGE_IDLE_MINUTES = envint("WANGGE_IDLE_MINUTES", 30)
# Locked per account and, separately, per client address after this many failures in a row,
# for WANGGE_LOCKOUT_MINUTES (0: until the security administrator unlocks it).
AXES_FAILURE_LIMIT = envint("WANGGE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = (datetime.timedelta(minutes=envint("WANGGE_LOCKOUT_MINUTES", 30))
                     if envint("WANGGE_LOCKOUT_MINUTES", 30) else None)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "wangge.foundation.client.client_address"
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
    ("echarts", NODE_MODULES / "echarts" / "dist"),
    # WGS-84 → GCJ-02 for Chinese basemaps (maps.js)
    ("gcoord", NODE_MODULES / "gcoord" / "dist"),
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# HTTPS (README "Production"). WANGGE_HTTPS=1 says the site is served over HTTPS only, behind
# a reverse proxy that terminates TLS: it turns on the redirect, secure cookies and a year of
# HSTS; each can still be set on its own.
HTTPS = envbool("WANGGE_HTTPS")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", HTTPS)
# A form sent with an expired token gets the site's 403 page saying to reload it.
CSRF_FAILURE_VIEW = "wangge.web.errors.csrf_failure"
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", HTTPS)
# The header by which the proxy says the client used HTTPS, e.g. X-Forwarded-Proto; trusted only
# when set, since a client could send it straight to an exposed server.
if proxy_ssl_header := os.environ.get("WANGGE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"


def tile_sources(url: str, subdomains: str) -> list[str]:
    """The origins a tile URL template loads images from, for the Content Security Policy:
    one per subdomain where the host holds ``{s}`` (``https://webrd0{s}.example`` with
    subdomains ``1234`` is four hosts), so the policy names those hosts and nothing wider
    (CSP has no wildcard in the middle of a host name)."""
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"WANGGE_TILE_URL={url!r}: give a full http(s) URL template")
    hosts = ([parts.netloc.replace("{s}", letter) for letter in subdomains]
             if "{s}" in parts.netloc else [parts.netloc])
    if not hosts or any("{" in host or "}" in host for host in hosts):
        raise ImproperlyConfigured(f"WANGGE_TILE_URL={url!r}: only {{s}} (with "
                                   "WANGGE_TILE_SUBDOMAINS) may stand in its host")
    return [f"{parts.scheme}://{host}" for host in hosts]


# Map: grids are drawn from their own polygons; a tile layer is optional (offline intranets).
# A Chinese basemap (AMap, or Tianditu's and others' GCJ-02 layers) is drawn in GCJ-02, the
# shifted coordinates Chinese law requires of published maps, while our data is WGS-84:
# WANGGE_TILE_GCJ02=1 shifts every marker and polygon to match (docs/architecture.md "Maps").
WANGGE_TILE_URL = os.environ.get("WANGGE_TILE_URL", "")
WANGGE_TILE_SUBDOMAINS = os.environ.get("WANGGE_TILE_SUBDOMAINS", "abc")
WANGGE_TILE_ATTRIBUTION = os.environ.get("WANGGE_TILE_ATTRIBUTION", "")
WANGGE_TILE_GCJ02 = envbool("WANGGE_TILE_GCJ02")
WANGGE_TILE_MAX_ZOOM = envint("WANGGE_TILE_MAX_ZOOM", 18)
# The most event pins one map draws (the most overdue first); the map says when there are more.
WANGGE_MAP_EVENT_PINS = envint("WANGGE_MAP_EVENT_PINS", 1000)

# Content Security Policy (django-csp): scripts and styles from our own static files only, no
# inline script or style, no framing, forms post only here. Map tiles, when an intranet has a
# tile server, come from its hosts alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *tile_sources(WANGGE_TILE_URL, WANGGE_TILE_SUBDOMAINS)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

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

# A worker's SQLite connections wait this many seconds for the write lock before it backs off
# and polls again (an import may hold it for minutes; see docs/imports.md "The task worker").
WANGGE_WORKER_DB_TIMEOUT = envint("WANGGE_WORKER_DB_TIMEOUT", 30)

WANGGE_PAGE_SIZE = envint("WANGGE_PAGE_SIZE", 50)
# Uploaded files to import (kept under var/imports/, never served directly).
WANGGE_UPLOAD_MAX_MB = envint("WANGGE_UPLOAD_MAX_MB", 200)
# What a spreadsheet may expand to, checked before it is read (docs/imports.md): an xlsx's
# members uncompressed and their compression ratio, then rows, columns and characters a cell.
WANGGE_SHEET_MAX_UNCOMPRESSED_MB = envint("WANGGE_SHEET_MAX_UNCOMPRESSED_MB", 1024)
WANGGE_SHEET_MAX_RATIO = envint("WANGGE_SHEET_MAX_RATIO", 200)
WANGGE_SHEET_MAX_ROWS = envint("WANGGE_SHEET_MAX_ROWS", 1_048_576)
WANGGE_SHEET_MAX_COLUMNS = envint("WANGGE_SHEET_MAX_COLUMNS", 256)
WANGGE_SHEET_MAX_CELL_CHARS = envint("WANGGE_SHEET_MAX_CELL_CHARS", 32_767)
# A department's blank form to fill (docs/reports.md): read whole, with its formatting, so
# bounded far below an import: its file, its sheets, and the rows and columns of its sheet.
WANGGE_FORM_MAX_MB = envint("WANGGE_FORM_MAX_MB", 5)
WANGGE_FORM_MAX_SHEETS = envint("WANGGE_FORM_MAX_SHEETS", 20)
WANGGE_FORM_MAX_ROWS = envint("WANGGE_FORM_MAX_ROWS", 5000)
WANGGE_FORM_MAX_COLUMNS = envint("WANGGE_FORM_MAX_COLUMNS", 200)
# An import warns (without refusing) when a dwelling ends up with more residents than this.
WANGGE_DWELLING_MAX_OCCUPANTS = envint("WANGGE_DWELLING_MAX_OCCUPANTS", 10)
# Retention (docs/imports.md "Retention"; `wangge purge`, daily from cron): an upload and its
# rejects workbook are the department's rows as sent, a second copy of what the records hold,
# kept only while the uploader may need them to fix rejected rows and retry (30 days after the
# import finished); a resident's contact on a public report serves the follow-up call once the
# event is closed, and is cleared 90 days after it closed (the report itself stays).
WANGGE_UPLOAD_RETENTION_DAYS = envint("WANGGE_UPLOAD_RETENTION_DAYS", 30)
WANGGE_PUBLIC_CONTACT_RETENTION_DAYS = envint("WANGGE_PUBLIC_CONTACT_RETENTION_DAYS", 90)
# A running import whose heartbeat is older than this many seconds is taken for dead (at once
# when its worker's process is gone from this host); see docs/imports.md "The task worker".
WANGGE_IMPORT_HEARTBEAT_TIMEOUT = envint("WANGGE_IMPORT_HEARTBEAT_TIMEOUT", 300)

# Events: nearby open reports of the same category within this many metres are offered as
# duplicates; an overdue event climbs one level up again after this many hours.
WANGGE_DUPLICATE_RADIUS_M = envint("WANGGE_DUPLICATE_RADIUS_M", 100)
WANGGE_ESCALATION_HOURS = envint("WANGGE_ESCALATION_HOURS", 24)
WANGGE_PHOTO_MAX_BYTES = envint("WANGGE_PHOTO_MAX_MB", 10) * 2**20
# Pixels a photo may decode to (a JPEG counts at the reduced size it is decoded at), and how
# many photos one request may carry: together they bound a request's memory (docs/events.md).
WANGGE_PHOTO_MAX_PIXELS = envint("WANGGE_PHOTO_MAX_MEGAPIXELS", 40) * 1_000_000
WANGGE_PHOTO_MAX_COUNT = envint("WANGGE_PHOTO_MAX_COUNT", 10)
WANGGE_NOTIFICATION_CHANNELS = envlist(
    "WANGGE_NOTIFICATION_CHANNELS",
    "wangge.notifications.delivery.EmailChannel,wangge.notifications.delivery.WebhookChannel",
)
WANGGE_WEBHOOK_TIMEOUT = envint("WANGGE_WEBHOOK_TIMEOUT", 10)
# Webhooks go only to addresses on the internet (docs/events.md); an intranet bot is allowed
# by its network ("10.20.0.0/16,fd00:1::/64"), or every internal address by ALLOW_PRIVATE=1.
WANGGE_WEBHOOK_ALLOW_PRIVATE = envbool("WANGGE_WEBHOOK_ALLOW_PRIVATE")
WANGGE_WEBHOOK_ALLOWED_NETWORKS = envlist("WANGGE_WEBHOOK_ALLOWED_NETWORKS", "")
try:
    [ipaddress.ip_network(item, strict=False) for item in WANGGE_WEBHOOK_ALLOWED_NETWORKS]
except ValueError as error:
    raise ImproperlyConfigured(f"WANGGE_WEBHOOK_ALLOWED_NETWORKS: {error}") from error
# Patrols: the coverage report lists buildings no patrol has visited in this many days.
WANGGE_PATROL_COVERAGE_DAYS = envint("WANGGE_PATROL_COVERAGE_DAYS", 30)
CACHES = {"default": _cache(os.environ.get("WANGGE_CACHE_URL", ""))}
# Daily health monitoring (docs/health.md). A temperature at or above the fever threshold, a
# listed symptom or a positive test opens an event; a test result is asked only in the
# divisions or grids listed (codes, comma-separated; empty: nowhere). Check-ins older than the
# retention period are reduced to counts per grid and day by `wangge purge`.
WANGGE_FEVER_CELSIUS = os.environ.get("WANGGE_FEVER_CELSIUS", "37.3")
WANGGE_CHECKIN_TEST_REQUIRED = envlist("WANGGE_CHECKIN_TEST_REQUIRED", "")
WANGGE_CHECKIN_RETENTION_DAYS = envint("WANGGE_CHECKIN_RETENTION_DAYS", 28)
# Cases and exposures (docs/epidemic.md). Venue visits (personal location data) older than this
# are deleted by `wangge purge`, unless an exposure rests on them. Tracing a case finds its
# co-residents as close contacts: "unit" (the same unit of the building: one stairwell and
# lift), "building" (the whole building) or "none" (the household alone).
WANGGE_VISIT_RETENTION_DAYS = envint("WANGGE_VISIT_RETENTION_DAYS", 28)
WANGGE_BUILDING_CONTACTS = os.environ.get("WANGGE_BUILDING_CONTACTS", "unit")
# How long a phone keeps the pass a resident earns by confirming who they are, and how many
# attempts to confirm it a phone and a network address may make (the shared cache counts).
WANGGE_CHECKIN_PASS_DAYS = envint("WANGGE_CHECKIN_PASS_DAYS", 7)
WANGGE_CHECKIN_IDENTIFY_RATE = os.environ.get("WANGGE_CHECKIN_IDENTIFY_RATE", "10/h")
WANGGE_CHECKIN_IDENTIFY_IP_RATE = os.environ.get("WANGGE_CHECKIN_IDENTIFY_IP_RATE", "300/h")
# Lawful measures (docs/measures.md): an appeal is answered within this many days; a measure
# lifted, ended or refused longer ago than the retention period is reduced to counts per grid,
# kind and month by `wangge purge`; the link a grid worker sends a person to their measure
# lasts this many days.
WANGGE_MEASURE_APPEAL_DAYS = envint("WANGGE_MEASURE_APPEAL_DAYS", 3)
WANGGE_MEASURE_RETENTION_DAYS = envint("WANGGE_MEASURE_RETENTION_DAYS", 180)
WANGGE_MEASURE_LINK_DAYS = envint("WANGGE_MEASURE_LINK_DAYS", 60)
# Emergencies (docs/emergency.md): a team member called who has not answered after this many
# minutes has their deputy called (`wangge callouts`, and each poll of the roll-call); the
# one-tap answer link of a call works for this many hours.
WANGGE_CALLOUT_ANSWER_MINUTES = envint("WANGGE_CALLOUT_ANSWER_MINUTES", 10)
WANGGE_CALLOUT_LINK_HOURS = envint("WANGGE_CALLOUT_LINK_HOURS", 72)
# A drill counts one reachable rescuer or volunteer per this many residents needing help to
# leave, and gives the improvement tasks of its gaps this many days.
WANGGE_DRILL_RESIDENTS_PER_HELPER = envint("WANGGE_DRILL_RESIDENTS_PER_HELPER", 3)
WANGGE_DRILL_IMPROVEMENT_DAYS = envint("WANGGE_DRILL_IMPROVEMENT_DAYS", 30)
# Public alerts (docs/alerts.md): the CAP <sender> of every alert published here, globally
# unique (an Internet domain or address of the publishing authority).
WANGGE_CAP_SENDER = os.environ.get("WANGGE_CAP_SENDER", "alerts@wangge.invalid").strip()
# Emergency materials (docs/resources.md): a line expiring within this many days is told to its
# owner's staff by `wangge stock-alerts`.
WANGGE_EXPIRY_WARNING_DAYS = envint("WANGGE_EXPIRY_WARNING_DAYS", 30)
# The group commit of residents' check-ins (health/writer.py): check-ins a web process holds
# waiting for their commit before it answers 503, at most so many per transaction, and how long
# a request waits for its commit.
WANGGE_CHECKIN_QUEUE = envint("WANGGE_CHECKIN_QUEUE", 512)
WANGGE_CHECKIN_BATCH = envint("WANGGE_CHECKIN_BATCH", 500)
WANGGE_CHECKIN_WAIT_SECONDS = envint("WANGGE_CHECKIN_WAIT_SECONDS", 10)
# How long the writer lets a transaction gather check-ins after the first one arrives (ms).
WANGGE_CHECKIN_GATHER_MS = envint("WANGGE_CHECKIN_GATHER_MS", 15)
# The reverse proxies in front of the server (docs/open311.md): how many there are ("1"), or
# their addresses and networks ("10.0.0.5,172.16.0.0/12"). The client's address is then read
# from X-Forwarded-For, from the right; empty: REMOTE_ADDR, and X-Forwarded-For is ignored.
WANGGE_TRUSTED_PROXIES = os.environ.get("WANGGE_TRUSTED_PROXIES", "").strip()
if WANGGE_TRUSTED_PROXIES and not WANGGE_TRUSTED_PROXIES.isdigit():
    try:
        [ipaddress.ip_network(item, strict=False) for item in envlist("WANGGE_TRUSTED_PROXIES", "")]
    except ValueError as error:
        raise ImproperlyConfigured(f"WANGGE_TRUSTED_PROXIES: {error}") from error
# Residents' public page and Open311 (docs/open311.md). Rates are "count/period" (s, m, h, d),
# counted in the shared cache: per phone (a cookie; a client without one counts per address
# at the same rate) and per network address (a household's router is shared).
WANGGE_PUBLIC_REPORT_RATE = os.environ.get("WANGGE_PUBLIC_REPORT_RATE", "5/h")
WANGGE_PUBLIC_REPORT_IP_RATE = os.environ.get("WANGGE_PUBLIC_REPORT_IP_RATE", "30/h")
WANGGE_PUBLIC_LOOKUP_RATE = os.environ.get("WANGGE_PUBLIC_LOOKUP_RATE", "120/h")
WANGGE_OPEN311_RATE = os.environ.get("WANGGE_OPEN311_RATE", "600/h")
WANGGE_PUBLIC_MAX_PHOTOS = envint("WANGGE_PUBLIC_MAX_PHOTOS", 3)
# Residents' accounts (docs/residents.md): the one-time sign-in code goes to the phone on the
# person's record through this sender (a class with ``send(phone=, text=)``; the default writes
# it to the log, for development only: `check --deploy` warns, wangge.W001; ``HttpSender``
# posts it to the SMS gateway at WANGGE_RESIDENT_CODE_URL), lasts this many
# minutes and is spent after this many wrong tries. Codes asked for and tries are limited per
# phone number and per network address; a grid worker's sign-in link lasts this many hours.
WANGGE_RESIDENT_CODE_SENDER = os.environ.get("WANGGE_RESIDENT_CODE_SENDER",
                                             "wangge.residents.senders.LogSender")
WANGGE_RESIDENT_CODE_URL = os.environ.get("WANGGE_RESIDENT_CODE_URL", "").strip()
WANGGE_RESIDENT_CODE_MINUTES = envint("WANGGE_RESIDENT_CODE_MINUTES", 10)
WANGGE_RESIDENT_CODE_TRIES = envint("WANGGE_RESIDENT_CODE_TRIES", 5)
WANGGE_RESIDENT_CODE_RATE = os.environ.get("WANGGE_RESIDENT_CODE_RATE", "5/h")
WANGGE_RESIDENT_CODE_IP_RATE = os.environ.get("WANGGE_RESIDENT_CODE_IP_RATE", "30/h")
WANGGE_RESIDENT_CHECK_RATE = os.environ.get("WANGGE_RESIDENT_CHECK_RATE", "10/h")
WANGGE_RESIDENT_CHECK_IP_RATE = os.environ.get("WANGGE_RESIDENT_CHECK_IP_RATE", "60/h")
WANGGE_RESIDENT_LINK_HOURS = envint("WANGGE_RESIDENT_LINK_HOURS", 72)
# Notices (docs/residents.md): the most persons one notice may reach (counted before anything
# is written).
WANGGE_NOTICE_MAX_RECIPIENTS = envint("WANGGE_NOTICE_MAX_RECIPIENTS", 1_000_000)
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

# The access and security log (auditlog, docs/audit.md). Entries are kept at least 180 days
# (Cybersecurity Law art. 21: six months); `wangge audit prune` removes older ones.
WANGGE_ACCESS_LOG_RETENTION_DAYS = envint("WANGGE_ACCESS_LOG_RETENTION_DAYS", 365)
if WANGGE_ACCESS_LOG_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"WANGGE_ACCESS_LOG_RETENTION_DAYS={WANGGE_ACCESS_LOG_RETENTION_DAYS} is below the "
        "180 days (six months) the Cybersecurity Law requires")
# A user's day is flagged above this many records read, or above this many times their own
# median day.
WANGGE_ACCESS_LOG_DAILY_LIMIT = envint("WANGGE_ACCESS_LOG_DAILY_LIMIT", 500)
WANGGE_ACCESS_LOG_VOLUME_FACTOR = envint("WANGGE_ACCESS_LOG_VOLUME_FACTOR", 5)
# The key of searched numbers' digests (defaults to SECRET_KEY; set it to keep digests
# comparable across a change of SECRET_KEY).
WANGGE_ACCESS_LOG_KEY = os.environ.get("WANGGE_ACCESS_LOG_KEY", "")


def _data_keys() -> tuple[str, str, bool]:
    """The keys of ID numbers and phones at rest (crypto.py): WANGGE_DATA_KEYS
    (``id:base64key,...``, the first encrypts) and WANGGE_DATA_INDEX_KEY (the blind index's),
    from the environment, or generated once into var/data_keys for development; and whether
    both came from the environment (``check --deploy`` requires it, wangge.E001)."""
    keys = os.environ.get("WANGGE_DATA_KEYS", "")
    index_key = os.environ.get("WANGGE_DATA_INDEX_KEY", "")
    if keys.startswith("CHANGE") or index_key.startswith("CHANGE"):
        raise ImproperlyConfigured("WANGGE_DATA_KEYS or WANGGE_DATA_INDEX_KEY is still the "
                                   "example's placeholder")
    if keys and index_key:
        return keys, index_key, True
    key_file = VAR_DIR / "data_keys"
    if not key_file.exists():
        def new_key() -> str:
            return base64.b64encode(secrets.token_bytes(32)).decode()

        key_file.write_text(f"dev:{new_key()}\n{new_key()}\n")
        key_file.chmod(0o600)
    stored_keys, stored_index_key = key_file.read_text().split()
    return keys or stored_keys, index_key or stored_index_key, False


WANGGE_DATA_KEYS, WANGGE_DATA_INDEX_KEY, WANGGE_DATA_KEYS_FROM_ENVIRONMENT = _data_keys()
# Entries the database could not take at once wait here to be chained (never lost).
WANGGE_ACCESS_LOG_SPOOL = Path(os.environ.get("WANGGE_ACCESS_LOG_SPOOL",
                                              VAR_DIR / "access-log-spool.jsonl"))
