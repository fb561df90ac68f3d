"""Django settings of the LTI tool, from the environment, read through :mod:`lti.config` only.

Every other module reads these settings (``django.conf.settings``), never the environment.
``KOULA_PORT`` is how ``koula serve --port`` tells the settings its port (for the default
``BASE_URL``).
"""

from __future__ import annotations

import dj_database_url

from lti import config

DEBUG = config.flag("KOULA_DEBUG")
SECRET_KEY = config.secret_key()
BASE_URL = config.base_url(config.whole("KOULA_PORT", 8000))
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": dj_database_url.parse(config.database_url(), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded database serves requests and the score worker at once: write transactions
    # take the lock up front (no deadlocked upgrade), readers never block writers (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "lti.apps.LtiConfig",
]
MIDDLEWARE = [
    "lti.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lti.views.headers.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Sessions, authentication and messages, for the admin site only (the tool's pages use none).
    "lti.views.admin_only.AdminOnlyMiddleware",
    "lti.views.errors.LtiErrorMiddleware",
]
# Django's admin looks for those three in MIDDLEWARE; AdminOnlyMiddleware runs them for it.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]
ROOT_URLCONF = "lti.urls"
WSGI_APPLICATION = "lti.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
# The tool lives in platforms' iframes: cookies it sets during login must cross sites.
SESSION_COOKIE_SAMESITE = "None"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# More sites allowed to frame the tool's pages than the registered platforms (lti/views/headers.py),
# space-separated origins: e.g. Open edX's learning MFE, which frames the LMS that frames Koula.
KOULA_FRAME_ANCESTORS = config.text("KOULA_FRAME_ANCESTORS")
# Logs: JSON lines on standard error, each with the request id or the worker's context
# (lti.logs); KOULA_LOG_FORMAT=text for plain lines.
KOULA_LOG_LEVEL = config.text("KOULA_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "lti.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "lti.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "text" if config.text("KOULA_LOG_FORMAT") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": KOULA_LOG_LEVEL},
    "loggers": {"django.request": {"level": "ERROR"}},
}
# Redis (KOULA_REDIS_URL) holds the caches shared by every process: platform keys, access
# tokens, used nonces; without it each process keeps its own (and nonces stay in the database).
KOULA_REDIS_URL = config.redis_url()
KOULA_REDIS_PREFIX = config.redis_prefix()
KOULA_REDIS_TIMEOUT = config.number("KOULA_REDIS_TIMEOUT", 2)
if KOULA_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KOULA_REDIS_URL,
            "KEY_PREFIX": KOULA_REDIS_PREFIX,
            "OPTIONS": {
                "socket_timeout": KOULA_REDIS_TIMEOUT,
                "socket_connect_timeout": KOULA_REDIS_TIMEOUT,
            },
        }
    }
# Score delivery: "thread" (a loop in `koula serve` or `koula worker`) or "celery".
KOULA_WORKER = config.worker_mode()
# Seconds a stopping process gives the score in flight before it gives the others back.
KOULA_SHUTDOWN_GRACE = config.number("KOULA_SHUTDOWN_GRACE", 25)
# Celery mode: every this many seconds a worker looks for due scores even without a message,
# so scores written while Redis or every worker was down are still delivered.
KOULA_SWEEP_SECONDS = config.number("KOULA_SWEEP_SECONDS", 15)
# Every outbound HTTP call (platform keys, tokens, scores, rosters) must end within this many
# seconds as a whole (lookup to last byte), and answer at most KOULA_HTTP_MAX_BYTES; hosts in
# KOULA_PRIVATE_HOSTS may be on a private network (lti/http.py, lti/outbound.py); TLS is
# verified against REQUESTS_CA_BUNDLE when set, else certifi's bundle.
KOULA_HTTP_TIMEOUT = config.number("KOULA_HTTP_TIMEOUT", 10)
KOULA_HTTP_MAX_BYTES = config.whole("KOULA_HTTP_MAX_BYTES", 10 * 1024 * 1024)
KOULA_PRIVATE_HOSTS = config.private_hosts()
OUTBOUND_CA_BUNDLE = config.ca_bundle()
# Outbound work a web request waits for, per process: dynamic registrations in flight (more
# are answered 503 at once), staff views reading a roster (more show no roster count), and
# how long a roster read is kept.
KOULA_REGISTRATION_SLOTS = config.whole("KOULA_REGISTRATION_SLOTS", 2)
KOULA_ROSTER_SLOTS = config.whole("KOULA_ROSTER_SLOTS", 2)
KOULA_ROSTER_CACHE_SECONDS = config.whole("KOULA_ROSTER_CACHE_SECONDS", 60)
# Score delivery: first retry delay (doubled each time, capped at 10 minutes) and idle polling.
KOULA_RETRY_BASE_SECONDS = config.number("KOULA_RETRY_BASE_SECONDS", 2)
KOULA_WORKER_INTERVAL = config.number("KOULA_WORKER_INTERVAL", 1)
KOULA_BEARER_TOKEN_SECONDS = config.whole("KOULA_BEARER_TOKEN_SECONDS", 7200)
# Report and export links (the staff view's token, a new window's cookie) last this long.
KOULA_REPORT_LINK_SECONDS = config.whole("KOULA_REPORT_LINK_SECONDS", 900)
# Background CSV exports: where the files go (a folder web processes and workers both reach),
# and how long a prepared file is kept.
KOULA_EXPORT_DIR = config.text("KOULA_EXPORT_DIR") or str(config.data_dir() / "exports")
KOULA_EXPORT_KEEP_HOURS = config.number("KOULA_EXPORT_KEEP_HOURS", 24)
# Learners' answers are erased this many days after their last action in an activity (the
# worker's retention pass, docs/privacy.md); None: kept until erased on request.
KOULA_RETENTION_DAYS = config.retention_days()
# xAPI (docs/xapi.md): learners' statements go to the LRS at KOULA_XAPI_URL (unset: none is
# queued), with Basic auth, in batches of KOULA_XAPI_BATCH; the actor is the platform account,
# their e-mail only with KOULA_XAPI_ACTOR_EMAIL=1.
KOULA_XAPI_URL = config.xapi_url()
KOULA_XAPI_KEY = config.text("KOULA_XAPI_KEY")
KOULA_XAPI_SECRET = config.text("KOULA_XAPI_SECRET")
KOULA_XAPI_ACTOR_EMAIL = config.flag("KOULA_XAPI_ACTOR_EMAIL")
KOULA_XAPI_BATCH = max(config.whole("KOULA_XAPI_BATCH", 50), 1)
