"""The tool's configuration: the one module that reads the environment, with safe defaults.

Everything else receives values: :mod:`lti.settings` (Django's settings) and the two
configurations read before Django starts, :mod:`lti.celery_app` and
:mod:`lti.gunicorn_conf`, read the environment through these functions only, and
``docs/deploy.md`` lists every variable. A value that cannot be used raises
:class:`ConfigError`, whose message says how to fix it.

``KOULA_DATA_DIR`` (default ``./koula-data``) holds the embedded SQLite database
and, unless ``KOULA_SECRET_KEY`` is set, a generated secret key file;
``KOULA_DATABASE_URL`` switches to PostgreSQL (``postgres://...``);
``KOULA_BASE_URL`` is the public URL of the tool (https, except on loopback);
``KOULA_REDIS_URL`` (``redis://...``) shares the caches between processes and
carries the Celery worker's messages; ``KOULA_WORKER`` picks how scores are
delivered (``thread``, the default without Redis, or ``celery``, the default with it);
``KOULA_PRIVATE_HOSTS`` lists the hosts outbound calls may reach on a private network;
``KOULA_EMAIL_URL`` (``smtp://user:password@host:587?starttls=1``, ``smtps://...`` or
``mailbox:///folder``) and ``KOULA_EMAIL_FROM`` say how reminder e-mails leave
(:func:`email_url`; unset: none is sent); ``KOULA_XAPI_URL`` with ``KOULA_XAPI_KEY`` and
``KOULA_XAPI_SECRET`` names the LRS that learners' xAPI statements go to (:func:`xapi_url`;
unset: none is sent, ``docs/xapi.md``).
Loopback is judged with :mod:`ipaddress` (:func:`lti.addresses.is_loopback_host`), never by
comparing strings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lti.addresses import is_loopback_host

__all__ = [
    "ConfigError",
    "base_url",
    "base_url_configured",
    "ca_bundle",
    "check_url",
    "data_dir",
    "database_url",
    "email_flag",
    "email_from",
    "email_timeout",
    "email_url",
    "flag",
    "number",
    "private_hosts",
    "redis_prefix",
    "redis_url",
    "reminder_hour",
    "retention_days",
    "secret_key",
    "terminal_language",
    "text",
    "whole",
    "worker_mode",
    "xapi_url",
]


class ConfigError(ValueError):
    """The environment or an argument holds an unusable value; the message says how to fix it."""


def check_url(url: str, what: str) -> str:
    """Return ``url`` without a trailing slash if it is https (or http on loopback); else raise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{what} must be a full URL such as https://koula.example.org, not {url!r}"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigError(f"{what} has a malformed port: {url!r}") from None
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(
            f"{what} must use https:// ({url!r}); plain http:// is accepted only "
            "on loopback (127.0.0.1, localhost, [::1])"
        )
    return url.rstrip("/")


def text(name: str, default: str = "") -> str:
    """Return the variable ``name`` without surrounding spaces, or ``default`` when unset or
    empty."""
    return os.environ.get(name, "").strip() or default


def flag(name: str) -> bool:
    """Return True when the variable ``name`` is ``1``."""
    return text(name) == "1"


def number(name: str, default: float) -> float:
    """Return the variable ``name`` as a number (``default`` when unset); raise ConfigError."""
    raw = text(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a number, such as {default:g}, not {raw!r}") from None


def whole(name: str, default: int) -> int:
    """Return the variable ``name`` as a whole number (``default`` when unset); raise
    ConfigError."""
    raw = text(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ConfigError(
            f"{name} must be a whole number, such as {default}, not {raw!r}"
        ) from None


def data_dir() -> Path:
    folder = Path(os.environ.get("KOULA_DATA_DIR") or "koula-data").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def database_url() -> str:
    return os.environ.get("KOULA_DATABASE_URL") or f"sqlite:///{data_dir() / 'koula.sqlite3'}"


def base_url(default_port: int = 8000) -> str:
    """Return ``KOULA_BASE_URL``, by default ``http://127.0.0.1:<default_port>``."""
    return check_url(
        os.environ.get("KOULA_BASE_URL") or f"http://127.0.0.1:{default_port}", "KOULA_BASE_URL"
    )


def base_url_configured() -> bool:
    """Return True when ``KOULA_BASE_URL`` is set (the tool's URL does not follow its port)."""
    return bool(os.environ.get("KOULA_BASE_URL"))


def ca_bundle() -> str | None:
    """Return ``REQUESTS_CA_BUNDLE``, the CA bundle outbound TLS is verified against instead
    of certifi's (None when unset)."""
    return text("REQUESTS_CA_BUNDLE") or None


def terminal_language() -> str | None:
    """Return ``LANG`` (``fr_FR.UTF-8``...), the language of the person at the terminal."""
    return os.environ.get("LANG") or None


def secret_key() -> str:
    """Return ``KOULA_SECRET_KEY``, or a key generated once and kept in the data folder."""
    if os.environ.get("KOULA_SECRET_KEY"):
        return os.environ["KOULA_SECRET_KEY"]
    path = data_dir() / "secret_key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def redis_url() -> str:
    """Return ``KOULA_REDIS_URL`` (empty: no Redis, every cache stays in its process)."""
    url = os.environ.get("KOULA_REDIS_URL", "").strip()
    if url and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(
            f"KOULA_REDIS_URL must look like redis://host:6379/0 or rediss://..., not {url!r}"
        )
    return url


def redis_prefix() -> str:
    """Return ``KOULA_REDIS_PREFIX`` (default ``koula``): the start of every key in Redis."""
    return os.environ.get("KOULA_REDIS_PREFIX", "").strip() or "koula"


def private_hosts() -> frozenset[str]:
    """Return ``KOULA_PRIVATE_HOSTS`` (comma-separated host names): hosts that outbound calls
    may reach at private, loopback or link-local addresses, e.g. an intranet Moodle
    registered by dynamic registration."""
    raw = os.environ.get("KOULA_PRIVATE_HOSTS", "")
    hosts = frozenset(
        h.strip().strip("[]").rstrip(".").lower() for h in raw.split(",") if h.strip()
    )
    bad = sorted(h for h in hosts if "/" in h or h.count(":") == 1)  # a path, or host:port
    if bad:
        raise ConfigError(
            f"KOULA_PRIVATE_HOSTS takes host names separated by commas (no scheme, port or "
            f"path), e.g. moodle.intranet,10.0.0.5; not {', '.join(bad)}"
        )
    return hosts


def worker_mode() -> str:
    """Return how scores are delivered: ``thread`` (in-process loop) or ``celery``."""
    mode = os.environ.get("KOULA_WORKER", "").strip().lower() or (
        "celery" if redis_url() else "thread"
    )
    if mode not in ("thread", "celery"):
        raise ConfigError(f"KOULA_WORKER must be 'thread' or 'celery', not {mode!r}")
    if mode == "celery" and not redis_url():
        raise ConfigError("KOULA_WORKER=celery needs KOULA_REDIS_URL (Redis carries its messages)")
    return mode


EMAIL_SCHEMES = ("smtp", "smtps", "mailbox")


def email_url() -> str:
    """Return ``KOULA_EMAIL_URL`` (empty: no e-mail is sent); raise ConfigError when unusable.

    ``smtp://user:password@host:port`` (``?starttls=1`` to upgrade the connection),
    ``smtps://...`` (TLS from the start), or ``mailbox:///absolute/folder`` (each message
    written there as an ``.eml`` file: the demo's mailbox, no SMTP server needed). A login
    over plain ``smtp://`` to a host other than this machine is refused (the password
    would cross the network in clear) unless the URL says ``?insecure=1``.
    """
    url = text("KOULA_EMAIL_URL")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme == "mailbox":
        if not parts.path.startswith("/"):
            raise ConfigError(
                f"KOULA_EMAIL_URL=mailbox:// needs an absolute folder, such as "
                f"mailbox:///var/koula/mailbox, not {parts.path!r}"
            )
        return url
    if parts.scheme not in EMAIL_SCHEMES or not parts.hostname:
        raise ConfigError(
            "KOULA_EMAIL_URL must look like smtp://user:password@smtp.example.org:587?starttls=1, "
            "smtps://user:password@smtp.example.org:465 or mailbox:///folder "
            f"(scheme {parts.scheme!r} given)"  # never the URL: it may hold a password
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigError("KOULA_EMAIL_URL has a malformed port") from None
    if _login_in_clear(parts.scheme, parts.username, parts.hostname, parts.query):
        raise ConfigError(
            f"KOULA_EMAIL_URL would send its password in clear to {parts.hostname}: add "
            "?starttls=1 (or use smtps://), or ?insecure=1 if that network is trusted"
        )
    return url


def email_flag(query: str, name: str) -> bool:
    """Return True when the query of ``KOULA_EMAIL_URL`` sets ``name`` (1, true or yes)."""
    return parse_qs(query).get(name, ["0"])[-1].lower() in ("1", "true", "yes")


def _login_in_clear(scheme: str, username: str | None, host: str | None, query: str) -> bool:
    """True for ``smtp://user:pw@host`` without STARTTLS to a host beyond this machine,
    unless the URL opts in with ``?insecure=1``."""
    if scheme != "smtp" or not username or is_loopback_host(host):
        return False
    return not (email_flag(query, "starttls") or email_flag(query, "insecure"))


def email_from() -> str:
    """Return ``KOULA_EMAIL_FROM``, the sender of reminder e-mails (default
    ``Koula <koula@localhost>``: set it to an address your SMTP server may send from)."""
    return text("KOULA_EMAIL_FROM", "Koula <koula@localhost>")


def email_timeout() -> float:
    """Return ``KOULA_EMAIL_TIMEOUT`` (seconds for each SMTP exchange), by default
    ``KOULA_HTTP_TIMEOUT`` (10)."""
    return number("KOULA_EMAIL_TIMEOUT", number("KOULA_HTTP_TIMEOUT", 10))


def reminder_hour() -> int:
    """Return ``KOULA_REMINDER_HOUR`` (0 to 23, default 7): when, in UTC, Celery beat asks
    for the day's reminder pass."""
    hour = whole("KOULA_REMINDER_HOUR", 7)
    if not 0 <= hour <= 23:
        raise ConfigError(f"KOULA_REMINDER_HOUR must be an hour from 0 to 23, not {hour}")
    return hour


def retention_days() -> int | None:
    """Return ``KOULA_RETENTION_DAYS``: the worker erases learners' answers in an activity
    that many days after their last action there (``docs/privacy.md``); None (unset or 0):
    answers are kept until erased on request."""
    days = whole("KOULA_RETENTION_DAYS", 0)
    if days < 0:
        raise ConfigError(
            f"KOULA_RETENTION_DAYS must be a number of days (0 or unset: no retention), not {days}"
        )
    return days or None


def xapi_url() -> str:
    """Return ``KOULA_XAPI_URL``, the LRS's xAPI base (statements go to ``<it>/statements``),
    without a trailing slash; empty: no statement is sent. Raise ConfigError when it is not
    https (or http on loopback), or when ``KOULA_XAPI_KEY`` or ``KOULA_XAPI_SECRET`` (the
    LRS's Basic auth) is missing."""
    url = text("KOULA_XAPI_URL")
    if not url:
        return ""
    url = check_url(url, "KOULA_XAPI_URL")
    if not (text("KOULA_XAPI_KEY") and text("KOULA_XAPI_SECRET")):
        raise ConfigError(
            "KOULA_XAPI_URL needs KOULA_XAPI_KEY and KOULA_XAPI_SECRET, the LRS's Basic auth "
            "user and password (ask the LRS's administrator for a key with statements/write)"
        )
    return url
