"""Readiness, request ids and JSON logs, under ``koula serve`` and under gunicorn."""

from __future__ import annotations

import json

import requests

from koula_demo.learner_calls import wait_for
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool
from tests.lti.conftest import CLIENT_ID, DEPLOYMENT_ID
from tests.lti.production.support import PrivateRedis, start_gunicorn


def test_readiness_says_503_with_the_reason_once_redis_is_unreachable(tmp_path):
    redis = PrivateRedis(tmp_path)
    tool = RunningTool(
        tmp_path, KOULA_REDIS_URL=redis.url, KOULA_WORKER="thread", KOULA_REDIS_TIMEOUT="1"
    )
    try:
        ready = requests.get(f"{tool.url}/readyz", timeout=10)
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ok", "database": "ok", "migrations": "ok", "redis": "ok"
        }  # fmt: skip

        redis.stop()

        def readiness_refused() -> dict | None:
            answer = requests.get(f"{tool.url}/readyz", timeout=10)
            return answer.json() if answer.status_code == 503 else None

        not_ready = wait_for(readiness_refused)
        assert not_ready["status"] == "unavailable"
        assert not_ready["redis"].startswith("unreachable")
        assert not_ready["database"] == "ok"
        assert requests.get(f"{tool.url}/healthz", timeout=10).status_code == 200  # alive
    finally:
        tool.stop()
        redis.stop()


def test_a_valid_request_id_is_echoed_and_carried_by_the_json_log_lines(tmp_path):
    tool = RunningTool(tmp_path)
    try:
        response = requests.post(
            f"{tool.url}/lti/launch",
            data={"state": "x"},
            headers={"X-Request-ID": "rq-42.a"},
            timeout=10,
        )

        assert response.status_code == 400
        assert response.headers["X-Request-ID"] == "rq-42.a"
        lines = [line for line in tool.log_path.read_text().splitlines() if "rq-42.a" in line]
        assert any('"request_id": "rq-42.a"' in line and "LaunchRefused" in line for line in lines)
    finally:
        tool.stop()


def test_an_unusable_request_id_is_replaced_by_a_fresh_one(tmp_path):
    tool = RunningTool(tmp_path)
    try:
        sent = "not valid; <script>"
        answered = [
            requests.get(f"{tool.url}/healthz", headers={"X-Request-ID": sent}, timeout=10).headers[
                "X-Request-ID"
            ]
            for _ in range(2)
        ]
        assert sent not in answered
        assert answered[0] != answered[1] and all(answered)
    finally:
        tool.stop()


def test_gunicorn_serves_the_tool_with_an_access_line_per_request_and_its_id(tmp_path):
    tool = RunningTool(tmp_path, worker=False)  # migrated the database; stays as the worker
    gunicorn, url = start_gunicorn(tool)
    try:
        ready = requests.get(f"{url}/readyz", headers={"X-Request-ID": "from-proxy-1"}, timeout=10)
        assert ready.status_code == 200
        assert ready.headers["X-Request-ID"] == "from-proxy-1"
        access = wait_for(
            lambda: [line for line in gunicorn.lines() if line.get("request_id") == "from-proxy-1"]
        )
        assert access[0]["logger"] == "gunicorn.access"
        assert (access[0]["path"], access[0]["status"]) == ("/readyz", 200)
        secret = "an-open-registration-token"
        requests.get(f"{url}/lti/register/{secret}", headers={"X-Request-ID": "reg-1"}, timeout=10)
        line = wait_for(
            lambda: [x for x in gunicorn.lines() if x.get("request_id") == "reg-1" and "path" in x]
        )[0]
        assert line["path"] == "/lti/register/<token>"
        assert secret not in json.dumps(gunicorn.lines())
        assert gunicorn.terminate() == 0
    finally:
        gunicorn.stop()
        tool.stop()


def test_a_launch_while_redis_is_down_gets_a_503_page_to_retry_not_a_500(tmp_path):
    redis = PrivateRedis(tmp_path)
    tool = RunningTool(
        tmp_path, KOULA_REDIS_URL=redis.url, KOULA_WORKER="thread", KOULA_REDIS_TIMEOUT="1"
    )
    try:
        with Platform() as platform:
            tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            assert platform.launch(browser_session(), client_id=CLIENT_ID).status_code == 200
            redis.stop()
            refused = platform.launch(browser_session(), client_id=CLIENT_ID, user="later")
            assert refused.status_code == 503
            assert refused.headers["Retry-After"] == "30"
            assert "Try again in a minute" in refused.text
    finally:
        tool.stop()
        redis.stop()
