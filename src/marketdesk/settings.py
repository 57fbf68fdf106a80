"""MarketDesk settings. Every value comes from the environment through core.env.

Defaults run the embedded demo (SQLite under MARKETDESK_DATA_DIR, DEBUG on). Setting
MARKETDESK_ENV=production switches on the hardened profile documented in
docs/operations.md; it then requires MARKETDESK_SECRET_KEY and MARKETDESK_ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from marketdesk.core import env

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

ENVIRONMENT = env.get_str("MARKETDESK_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DATA_DIR = Path(env.get_str("MARKETDESK_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()

DEBUG = env.get_bool("MARKETDESK_DEBUG", not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.get_str("MARKETDESK_SECRET_KEY")
    ALLOWED_HOSTS = env.get_list("MARKETDESK_ALLOWED_HOSTS")
else:
    # A fixed development key: the demo must start without any configuration.
    SECRET_KEY = env.get_str(
        "MARKETDESK_SECRET_KEY", "marketdesk-development-key-not-for-production-use-0123456789"
    )
    ALLOWED_HOSTS = env.get_list("MARKETDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("MARKETDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "marketdesk.core",
    "marketdesk.accounts",
    "marketdesk.strategy",
    "marketdesk.sop",
    "marketdesk.events",
    "marketdesk.notify",
    "marketdesk.schedule",
    "marketdesk.metrics",
    "marketdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketdesk.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "marketdesk.core.middleware.HtmxVaryMiddleware",
    "marketdesk.core.middleware.TeamTimezoneMiddleware",
]

ROOT_URLCONF = "marketdesk.urls"
WSGI_APPLICATION = "marketdesk.wsgi.application"
ASGI_APPLICATION = "marketdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketdesk.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'marketdesk.sqlite3'}"),
        conn_max_age=env.get_int("MARKETDESK_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the task worker writes; busy timeout avoids
    # "database is locked" under the demo's two processes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.get_list(
    "MARKETDESK_PASSWORD_HASHERS",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
)

# Login throttling (accounts.services.login_attempt): failures per username+IP window.
LOGIN_MAX_FAILURES = env.get_int("MARKETDESK_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env.get_int("MARKETDESK_LOGIN_LOCKOUT_SECONDS", 900)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; display uses the team's zone (core.middleware)
DEFAULT_TEAM_TIME_ZONE = env.get_str("MARKETDESK_DEFAULT_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = Path(env.get_str("MARKETDESK_STATIC_ROOT", str(DATA_DIR / "static")))
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
if not PRODUCTION:
    # Whitenoise warns at every start when the root is missing; the demo collects into it.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Analytics store (DESIGN "The metrics engine", decision 0006) ---
MARKETDESK_FACTS_DIR = Path(env.get_str("MARKETDESK_FACTS_DIR", str(DATA_DIR / "facts"))).resolve()
# "duckdb://" (default): DuckDB over the Parquet facts; another Ibis URL (postgres://…)
# runs the same KPI expressions on that engine.
MARKETDESK_ANALYTICS_URL = env.get_str("MARKETDESK_ANALYTICS_URL", "duckdb://")
MARKETDESK_ANALYTICS_MEMORY = env.get_str("MARKETDESK_ANALYTICS_MEMORY", "2GB")
MARKETDESK_ANALYTICS_THREADS = env.get_int("MARKETDESK_ANALYTICS_THREADS", os.cpu_count() or 2)
# K2: referrer hosts that are "us" (a subdomain counts too); other referrers are external.
MARKETDESK_OWN_DOMAINS = [d.lower().lstrip(".") for d in env.get_list("MARKETDESK_OWN_DOMAINS", [])]
# O14: sites (scheme://host[:port]) whose pages may send tracking events to /collect;
# empty = only pages served by MarketDesk itself (same origin).
MARKETDESK_COLLECT_ORIGINS = env.get_list("MARKETDESK_COLLECT_ORIGINS", [])
# The demo company's metrics facts (`marketdesk demo`): touchpoints generated for two
# years, with the identities, funnel, deals, usage, spend, NPS, social and sales facts that
# go with them; 0 = no facts.
MARKETDESK_DEMO_TOUCHPOINTS = env.get_int("MARKETDESK_DEMO_TOUCHPOINTS", 3_000_000)

TASKS = {
    "default": {
        "BACKEND": env.get_str("MARKETDESK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

MAILERS = {
    "default": {
        "BACKEND": env.get_str(
            "MARKETDESK_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env.get_str("MARKETDESK_SMTP_HOST", "localhost"),
        "port": env.get_int("MARKETDESK_SMTP_PORT", 25),
        "username": env.get_str("MARKETDESK_SMTP_USER", ""),
        "password": env.get_str("MARKETDESK_SMTP_PASSWORD", ""),
        "use_tls": env.get_bool("MARKETDESK_SMTP_TLS", False),
    }
DEFAULT_FROM_EMAIL = env.get_str("MARKETDESK_FROM_EMAIL", "marketdesk@localhost")

# Absolute links in emails and chat messages (notify) start with this address.
MARKETDESK_SITE_URL = env.get_str("MARKETDESK_SITE_URL", "http://127.0.0.1:8000")
# Chat-bot webhooks (notify, docs/notifications.md): the only hosts a webhook may reach.
MARKETDESK_WEBHOOK_HOSTS = env.get_list("MARKETDESK_WEBHOOK_HOSTS", [
    "open.feishu.cn", "open.larksuite.com", "oapi.dingtalk.com", "qyapi.weixin.qq.com",
    "hooks.slack.com",
])
# For local testing only: lets http://127.0.0.1:PORT/ (a local receiver) through the SSRF
# checks. Never in production.
MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = env.get_bool("MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP", False)
if PRODUCTION and MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP:
    raise ImproperlyConfigured(
        "MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP is for local testing only and cannot be "
        "enabled when MARKETDESK_ENV=production."
    )

# Security headers; the hardened values apply in production (check --deploy passes).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.get_bool("MARKETDESK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.get_int("MARKETDESK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.get_bool("MARKETDESK_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get_str("MARKETDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
