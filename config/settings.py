"""Onsite settings: one module, every knob from the environment (see .env.example)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def parse_database_url(url: str) -> dict[str, object]:
    """sqlite:///relative/path, sqlite:////absolute/path or postgres://user@host:port/name."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else parts.path
        name = Path(path) if Path(path).is_absolute() else BASE_DIR / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # A file, not memory: the live server and concurrency tests use real connections.
            "TEST": {"NAME": str(name.with_name(f"test_{name.name}"))},
            "OPTIONS": {
                # Writers queue behind one another instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "onsite",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(env("DB_CONN_MAX_AGE", "60")),
            "OPTIONS": options,
        }
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parts.scheme!r}")


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
# Production profile (docs/deployment.md): HTTPS-only cookies, redirect, HSTS and the proxy
# header become the defaults, and the site refuses to start with a weak SECRET_KEY.
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION and (DEBUG or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured(
        "PRODUCTION=1 needs DEBUG=0 and a random SECRET_KEY of at least 50 characters."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN
    "template_partials",
    "django_tasks",
    "onsite.core",  # before django_tasks_db: its db_worker command is ours (onsite/core/workers.py)
    "django_tasks_db",
    "onsite.accounts",
    "onsite.org",
    "onsite.audit",
    "onsite.standards",
    "onsite.equipment",
    "onsite.inspections",
    "onsite.rectification",
    "onsite.complaints",
    "onsite.notifications",
    "onsite.programme",
    "onsite.surveys",
    "onsite.engagement",
    "onsite.dashboards",
    "onsite.redtags",
    "onsite.supplies",
    "onsite.vision",
    "onsite.site",
]

MIDDLEWARE = [
    "onsite.core.middleware.client_ip_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onsite.core.middleware.request_id_middleware",
    "onsite.accounts.middleware.keep_new_session_cookie_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onsite.core.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onsite.core.replica.remember_writes_middleware",
    "onsite.accounts.middleware.session_security_middleware",
    "onsite.core.middleware.body_first_middleware",
    "onsite.core.middleware.center_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onsite.core.middleware.probe_keeps_messages_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onsite.core.middleware.security_headers_middleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "onsite.site.context_processors.shell",
            ],
        },
    }
]

DATABASES = {"default": parse_database_url(env("DATABASE_URL", "sqlite:///var/onsite.sqlite3"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A database restart must not break requests that reuse a pooled connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica for the heavy read-only pages (onsite/core/replica.py); empty = none.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = parse_database_url(env("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Behind PgBouncer in transaction pooling, server-side cursors cannot live (docs/deployment.md).
if env_bool("DB_PGBOUNCER"):
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASE_ROUTERS = ["onsite.core.replica.ReplicaRouter"]
# Lag beyond this, or no answer, and reads go to the primary; checked this often per process.
REPLICA_MAX_LAG_SECONDS = float(env("REPLICA_MAX_LAG_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(env("REPLICA_CHECK_SECONDS", "5"))
# Someone who wrote reads from the primary for this long (read-your-writes).
READ_YOUR_WRITES_SECONDS = int(env("READ_YOUR_WRITES_SECONDS", "60"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Identity (等保 2.0 身份鉴别; docs/security.md). Every number can be tightened per deployment.
PASSWORD_MIN_LENGTH = int(env("PASSWORD_MIN_LENGTH", "8"))
PASSWORD_MIN_CLASSES = int(env("PASSWORD_MIN_CLASSES", "3"))
PASSWORD_HISTORY = int(env("PASSWORD_HISTORY", "5"))
PASSWORD_MAX_AGE_DAYS = int(env("PASSWORD_MAX_AGE_DAYS", "90"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "onsite.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "onsite.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {"NAME": "onsite.accounts.passwords.NotLikeUsernameValidator"},
    {
        "NAME": "onsite.accounts.passwords.PasswordHistoryValidator",
        "OPTIONS": {"count": PASSWORD_HISTORY},
    },
]
LOCKOUT_FAILURES = int(env("LOCKOUT_FAILURES", "5"))  # per username and client IP
LOCKOUT_USERNAME_FAILURES = int(env("LOCKOUT_USERNAME_FAILURES", "20"))  # per username, any IP
LOCKOUT_SECONDS = int(env("LOCKOUT_SECONDS", str(30 * 60)))
SESSION_IDLE_SECONDS = int(env("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_IDLE_SECONDS_ADMIN = int(env("SESSION_IDLE_SECONDS_ADMIN", str(15 * 60)))
SESSION_ABSOLUTE_SECONDS = int(env("SESSION_ABSOLUTE_SECONDS", str(8 * 3600)))
# TOTP second factor: anyone may enrol; with MFA_REQUIRED=1 admin and audit roles must.
MFA_REQUIRED = env_bool("MFA_REQUIRED", False)
MFA_ISSUER = env("MFA_ISSUER", "Onsite")

# Single sign-on through the government's unified identity service (docs/security.md):
# "" (off), "oidc" (OpenID Connect, authorization code with PKCE) or "cas" (CAS 2 or 3).
SSO_PROTOCOL = env("SSO_PROTOCOL").lower()
SSO_LABEL = env(
    "SSO_LABEL"
)  # the button's words; empty: "Sign in with the unified identity service"
# Which Onsite field the identity service's value is matched to: username or staff_number.
SSO_MATCH_FIELD = env("SSO_MATCH_FIELD", "username")
# The claim (OIDC) or attribute (CAS) holding that value; empty: preferred_username for OIDC,
# the CAS user itself for CAS.
SSO_CLAIM = env("SSO_CLAIM")
OIDC_DISCOVERY_URL = env("OIDC_DISCOVERY_URL")  # …/.well-known/openid-configuration
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET")  # empty: a public client (PKCE only)
OIDC_SCOPES = env("OIDC_SCOPES", "openid profile")
CAS_SERVER_URL = env("CAS_SERVER_URL")  # e.g. https://ids.example.gov.cn/cas/
CAS_VERSION = env("CAS_VERSION", "3")
SSO_TIMEOUT_SECONDS = int(env("SSO_TIMEOUT_SECONDS", "10"))
# The CAS server's addresses or networks: only they may post single-logout requests (empty: any).
CAS_LOGOUT_FROM = env_list("CAS_LOGOUT_FROM")
# 0: only the break-glass system admins below may sign in with a local password.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
BREAK_GLASS_USERNAMES = env_list("BREAK_GLASS_USERNAMES")
if SSO_PROTOCOL not in {"", "oidc", "cas"}:
    raise ImproperlyConfigured("SSO_PROTOCOL must be empty, oidc or cas.")
if SSO_MATCH_FIELD not in {"username", "staff_number"}:
    raise ImproperlyConfigured("SSO_MATCH_FIELD must be username or staff_number.")
if SSO_PROTOCOL == "oidc" and not (OIDC_DISCOVERY_URL and OIDC_CLIENT_ID):
    raise ImproperlyConfigured("SSO_PROTOCOL=oidc needs OIDC_DISCOVERY_URL and OIDC_CLIENT_ID.")
if SSO_PROTOCOL == "cas" and not CAS_SERVER_URL:
    raise ImproperlyConfigured("SSO_PROTOCOL=cas needs CAS_SERVER_URL.")
if not LOCAL_PASSWORDS and not (SSO_PROTOCOL and BREAK_GLASS_USERNAMES):
    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS=0 needs SSO_PROTOCOL and at least one BREAK_GLASS_USERNAMES account."
    )
# Audit trail: kept at least 180 days (Cybersecurity Law art. 21), then archived to files.
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", "180"))
AUDIT_ARCHIVE_DIR = Path(env("AUDIT_ARCHIVE_DIR") or BASE_DIR / "var" / "audit-archive")
AUDIT_EXPORT_MAX_ROWS = int(env("AUDIT_EXPORT_MAX_ROWS", "100000"))
BACKUP_DIR = Path(env("BACKUP_DIR") or BASE_DIR / "var" / "backups")
# Photos one user may upload per day (0 = no limit).
PHOTO_DAILY_QUOTA = int(env("PHOTO_DAILY_QUOTA", "300"))
# The photo check's detector, installed by `make vision-model` (docs/vision.md); never downloaded
# here. A relative path is under BASE_DIR; an absolute one wins.
VISION_MODEL_DIR = BASE_DIR / env("VISION_MODEL_DIR", "var/models/human-models-3.0.4")
# Dashboards: exports up to this many rows download at once, bigger ones go to the task
# worker; no export may exceed the maximum (docs/dashboards.md).
DASHBOARDS_INLINE_EXPORT_ROWS = int(env("DASHBOARDS_INLINE_EXPORT_ROWS", "2000"))
DASHBOARDS_EXPORT_MAX_ROWS = int(env("DASHBOARDS_EXPORT_MAX_ROWS", "500000"))
# The dashboard and heat map, rendered once per center, month, floor and language, serve
# every reader for this many seconds (0 = render on every request; docs/performance.md).
DASHBOARD_CACHE_SECONDS = int(env("DASHBOARD_CACHE_SECONDS", "60"))

# Each process keeps its own cache (the rendered dashboards above); nothing in it must be
# shared between processes to be correct.
# One process (make run): its own memory. Several app servers (docs/deployment.md): a shared
# Redis, e.g. CACHE_URL=redis://10.0.0.5:6379/0; a cache that is down reads as empty.
CACHE_URL = env("CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "onsite.core.cache.ForgivingRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "onsite"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Project-wide strings (templates/, config/); each app keeps its own catalogue in onsite/<app>/locale.
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# WhiteNoise warns on every start while collectstatic has never run; an empty folder is fine.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Photos and exports: a local folder, or S3-compatible object storage (MinIO, OSS, COS, OBS…)
# with MEDIA_STORAGE=s3. Files are private either way: only serve_protected_file sends them.
MEDIA_STORAGE = env("MEDIA_STORAGE", "local")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("S3_BUCKET"),
                "endpoint_url": env("S3_ENDPOINT_URL") or None,
                "region_name": env("S3_REGION") or None,
                "access_key": env("S3_ACCESS_KEY_ID"),
                "secret_key": env("S3_SECRET_ACCESS_KEY"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "addressing_style": env("S3_ADDRESSING_STYLE", "path"),
            },
        }
        if MEDIA_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    # Production sets whitenoise.storage.CompressedManifestStaticFilesStorage after
    # collectstatic (docs/deployment.md); dev and tests serve the files as they are.
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `runserver` serve straight from the finders; production uses collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_NUMBER_FILES = int(env("DATA_UPLOAD_MAX_NUMBER_FILES", "30"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A worker beats this often; one silent for TASK_WORKER_DEAD_SECONDS is dead and its running
# task is queued again (onsite/core/workers.py).
TASK_WORKER_BEAT_SECONDS = float(env("TASK_WORKER_BEAT_SECONDS", "10"))
TASK_WORKER_DEAD_SECONDS = float(env("TASK_WORKER_DEAD_SECONDS", "60"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Only behind a proxy that overwrites X-Forwarded-Proto (nginx in docs/deployment.md).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", PRODUCTION) else None
)
CSRF_COOKIE_HTTPONLY = True  # pages carry the token; no script reads the cookie
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For names the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Set to nginx's `internal` location to let it send protected files (X-Accel-Redirect).
PROTECTED_MEDIA_ACCEL_PREFIX = env("PROTECTED_MEDIA_ACCEL_PREFIX")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "onsite@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every render step at INFO; only its problems matter here.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Shown in the page title and the shell.
PRODUCT_NAME = _("Onsite")
CSRF_FAILURE_VIEW = "onsite.core.views.csrf_failure"
NOTIFY_BY_EMAIL = env_bool("NOTIFY_BY_EMAIL", False)
# The site's address as people reach it (no trailing slash): work-chat messages link to it.
SITE_URL = env("SITE_URL").rstrip("/")
