"""Gunicorn configuration for production: ``gunicorn -c python:lti.gunicorn_conf lti.wsgi``.

Gunicorn reads this file before Django starts; it reads the environment through
:mod:`lti.config`, as the settings do (defaults in brackets): ``KOULA_BIND``
[127.0.0.1:8000], ``KOULA_WEB_WORKERS`` [2 x cores + 1], ``KOULA_WEB_THREADS``
[4], ``KOULA_WEB_TIMEOUT`` [30 s, a request taking longer is killed],
``KOULA_SHUTDOWN_GRACE`` [25 s given to requests in flight on SIGTERM],
``KOULA_WEB_MAX_REQUESTS`` [0: never recycle a worker], ``KOULA_FORWARDED_ALLOW_IPS``
[127.0.0.1: the reverse proxies trusted for X-Forwarded-*]. Access and error
logs are JSON lines on standard error, like the tool's own, and each access line
carries the request's ``request_id`` (the ``X-Request-ID`` the tool answered with).
Web workers never deliver scores: run ``koula worker`` beside them.

The access line is written straight to the access log's handlers when they are gunicorn's
own (a stream or a file, no filter): what ``logging`` writes, without a log record made
and its caller looked up at every request, which took a tenth of a learner action's Python
time under load (issue 14, ``benchmarks/README.md``, tenth round). Any other set-up (a
handler or filter added, syslog, the level raised, the logger disabled) goes through
``logging`` as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from gunicorn import glogging

from lti import config as _config  # not `config`: gunicorn would read it as a setting
from lti.json_text import dumps
from lti.logs import JsonFormatter, loggable_path

bind = _config.text("KOULA_BIND", "127.0.0.1:8000").split(",")
workers = _config.whole("KOULA_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
threads = _config.whole("KOULA_WEB_THREADS", 4)
worker_class = "gthread"
timeout = _config.whole("KOULA_WEB_TIMEOUT", 30)
graceful_timeout = int(_config.number("KOULA_SHUTDOWN_GRACE", 25))
keepalive = 5
max_requests = _config.whole("KOULA_WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = _config.text("KOULA_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "koula-web"
accesslog = "-"
errorlog = "-"
raw_env = ["DJANGO_SETTINGS_MODULE=lti.settings"]
control_socket_disable = True  # gunicorn >= 24: one shared socket path would clash between tools


class JsonLogger(glogging.Logger):
    """Gunicorn's logs as JSON lines; one access line per request with its request id."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
        for handler in self.access_log.handlers:
            handler.setFormatter(_LINE)
        self.direct_access = _direct(self.access_log)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        text = _access_line(resp, environ, request_time)
        log = self.access_log
        if self.direct_access and not log.disabled and log.isEnabledFor(logging.INFO):
            for handler in log.handlers:
                _write(handler, text)
        else:
            log.info(text)


_LINE = logging.Formatter("%(message)s")


def _direct(log: logging.Logger) -> bool:
    """Whether ``log``'s lines can be written straight to its handlers as ``logging``
    writes them: no filter, no propagation, only gunicorn's stream or file handlers,
    letting INFO through and formatting a line as its message."""
    return (
        not log.filters
        and not log.propagate
        and bool(log.handlers)
        and all(
            type(handler) in (logging.StreamHandler, logging.FileHandler)
            and getattr(handler, "_gunicorn", False)
            and handler.formatter is _LINE
            and not handler.filters
            and handler.level <= logging.INFO
            for handler in log.handlers
        )
    )


def _write(handler: logging.StreamHandler[Any], text: str) -> None:
    """``text`` written as ``handler.handle`` writes a record whose message it is."""
    handler.acquire()  # as Handler.handle (gunicorn reopens its files holding it)
    try:
        handler.stream.write(text + handler.terminator)
        handler.flush()
    except RecursionError:  # as StreamHandler.emit
        raise
    except Exception:  # reported as StreamHandler.emit reports it
        handler.handleError(logging.makeLogRecord({"name": "gunicorn.access", "msg": text}))
    finally:
        handler.release()


def _access_line(resp: Any, environ: dict[str, Any], request_time: Any) -> str:
    """The access line of a request: one JSON object."""
    answered = next((value for name, value in resp.headers if name == "X-Request-ID"), "")
    status = int(str(resp.status).split()[0])
    path = loggable_path(environ.get("PATH_INFO", ""))
    line = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": f"{environ.get('REQUEST_METHOD')} {path} {status}",
        "request_id": answered or environ.get("HTTP_X_REQUEST_ID", "-"),
        "method": environ.get("REQUEST_METHOD"),
        "path": path,
        "status": status,
        "duration_ms": round(request_time.total_seconds() * 1000, 1),
        "bytes": getattr(resp, "sent", None),
        "remote": environ.get("REMOTE_ADDR"),
        "user_agent": environ.get("HTTP_USER_AGENT", ""),
    }
    return dumps(line)  # a lone surrogate escaped (by json), as no log file takes it


logger_class = JsonLogger
