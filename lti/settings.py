"""Django settings of the LTI tool, from the environment only (see :mod:`lti.config`)."""

from __future__ import annotations

import os

import dj_database_url

from lti import config

DEBUG = os.environ.get("KOULA_DEBUG") == "1"
SECRET_KEY = config.secret_key()
BASE_URL = config.base_url(int(os.environ.get("KOULA_PORT", "8000")))
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
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lti.errors.LtiErrorMiddleware",
]
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
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KOULA_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
# Every outbound HTTP call (platform keys, tokens, scores, rosters) uses this timeout, in seconds.
KOULA_HTTP_TIMEOUT = float(os.environ.get("KOULA_HTTP_TIMEOUT", "10"))
# Score delivery: first retry delay (doubled each time, capped at 10 minutes) and idle polling.
KOULA_RETRY_BASE_SECONDS = float(os.environ.get("KOULA_RETRY_BASE_SECONDS", "2"))
KOULA_WORKER_INTERVAL = float(os.environ.get("KOULA_WORKER_INTERVAL", "1"))
KOULA_BEARER_TOKEN_SECONDS = int(os.environ.get("KOULA_BEARER_TOKEN_SECONDS", "7200"))
