"""Gunicorn's access line: written straight to gunicorn's own handlers, as logging writes it."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from lti.gunicorn_conf import JsonLogger

ENVIRON = {
    "REQUEST_METHOD": "POST",
    "PATH_INFO": "/lti/register/a-secret-token",
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_USER_AGENT": "Mozilla/5.0 (é)",
}


@pytest.fixture(autouse=True)
def _gunicorn_loggers_as_they_were():
    """Gunicorn's loggers are the process's: each test's handlers, filters and level undone."""
    logs = [logging.getLogger(name) for name in ("gunicorn.access", "gunicorn.error")]
    kept = [(log.handlers[:], log.filters[:], log.level) for log in logs]
    yield
    for log, (handlers, filters, level) in zip(logs, kept, strict=True):
        for handler in log.handlers:
            if handler not in handlers:
                with contextlib.suppress(ValueError):  # a stream a test closed
                    handler.close()
        log.handlers[:], log.filters[:] = handlers, filters
        log.setLevel(level)


def _logger(tmp_path, name="access.log"):
    """Gunicorn's logger as it starts in production: pytest's capture handlers taken off."""
    logging.getLogger("gunicorn.access").handlers.clear()
    config = Config()
    config.set("accesslog", str(tmp_path / name))
    return JsonLogger(config)


def _access(logger, environ=ENVIRON, request_id="req-1"):
    answer = SimpleNamespace(headers=[("X-Request-ID", request_id)], status="201 Created", sent=42)
    logger.access(answer, None, environ, dt.timedelta(milliseconds=12.34))


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_access_line_written_directly_is_the_one_logging_writes(tmp_path):
    direct = _logger(tmp_path, "direct.log")
    assert direct.direct_access
    _access(direct)
    through_logging = _logger(tmp_path, "logging.log")
    through_logging.direct_access = False
    _access(through_logging)
    written, logged = _lines(tmp_path / "direct.log"), _lines(tmp_path / "logging.log")
    for line in (*written, *logged):
        assert dt.datetime.fromisoformat(line.pop("time")).tzinfo is not None
    assert written == logged
    assert written == [
        {
            "level": "INFO",
            "logger": "gunicorn.access",
            "message": "POST /lti/register/<token> 201",
            "request_id": "req-1",
            "method": "POST",
            "path": "/lti/register/<token>",
            "status": 201,
            "duration_ms": 12.3,
            "bytes": 42,
            "remote": "127.0.0.1",
            "user_agent": "Mozilla/5.0 (é)",
        }
    ]


def test_each_request_is_one_line_and_a_lone_surrogate_is_written_escaped(tmp_path):
    logger = _logger(tmp_path)
    _access(logger, request_id="one")
    _access(logger, {**ENVIRON, "HTTP_USER_AGENT": "bad \udc80 agent"}, request_id="two")
    lines = _lines(tmp_path / "access.log")
    assert [line["request_id"] for line in lines] == ["one", "two"]
    assert lines[1]["user_agent"] == "bad \udc80 agent"


def test_a_filter_or_handler_of_ones_own_goes_through_logging(tmp_path):
    logger = _logger(tmp_path)
    seen = []
    logger.access_log.addFilter(lambda record: seen.append(record.getMessage()) or True)
    logger.setup(logger.cfg)  # gunicorn's set-up again, as on a reload
    assert not logger.direct_access
    _access(logger)
    assert [json.loads(message)["request_id"] for message in seen] == ["req-1"]
    assert len(_lines(tmp_path / "access.log")) == 1
    logger.access_log.filters.clear()
    logger.access_log.addHandler(logging.NullHandler())
    logger.setup(logger.cfg)
    assert not logger.direct_access


def test_a_level_raised_or_the_logger_disabled_later_silences_the_line_as_logging_would(
    tmp_path,
):
    logger = _logger(tmp_path)
    logger.access_log.setLevel(logging.WARNING)
    _access(logger)
    logger.access_log.setLevel(logging.INFO)  # as gunicorn sets it
    logger.access_log.disabled = True  # as a logging configuration disabling existing loggers
    try:
        _access(logger)
    finally:
        logger.access_log.disabled = False
    assert (tmp_path / "access.log").read_text() == ""
    _access(logger)
    assert len(_lines(tmp_path / "access.log")) == 1


def test_a_failed_write_is_reported_as_logging_reports_it_and_the_request_goes_on(
    tmp_path, capsys: pytest.CaptureFixture[str]
):
    logger = _logger(tmp_path)
    assert logger.direct_access
    (handler,) = logger.access_log.handlers
    handler.stream.close()
    _access(logger)  # raises nothing
    assert "--- Logging error ---" in capsys.readouterr().err
