"""``koula platforms``, ``koula keys rotate``, the tool's keys and health, on a served tool."""

from __future__ import annotations

import requests


def test_health_says_the_database_answers(tool):
    answer = requests.get(f"{tool.url}/healthz", timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


def test_a_platform_on_plain_http_elsewhere_than_loopback_is_refused(tool):
    done = tool.koula(
        "platforms",
        "add",
        "--issuer",
        "http://lms.example.org",
        "--client-id",
        "x",
        "--deployment-id",
        "1",
        "--auth-login-url",
        "https://lms.example.org/auth",
        "--auth-token-url",
        "https://lms.example.org/token",
        "--keyset-url",
        "https://lms.example.org/jwks",
    )
    assert done.returncode == 2
    assert "--issuer must use https://" in done.stdout


def test_platforms_list_shows_each_registration_and_its_deployments(tool):
    for deployment in ("d-1", "d-2"):
        done = tool.koula(
            "platforms",
            "add",
            "--issuer",
            "https://lms.example.org",
            "--client-id",
            "listed",
            "--deployment-id",
            deployment,
            "--auth-login-url",
            "https://lms.example.org/auth",
            "--auth-token-url",
            "https://lms.example.org/token",
            "--keyset-url",
            "https://lms.example.org/jwks",
        )
        assert done.returncode == 0, done.stdout + done.stderr
    listing = tool.koula("platforms", "list").stdout
    assert "https://lms.example.org  client_id=listed  deployments=d-1, d-2" in listing


def test_the_jwks_publishes_the_current_and_the_next_key(tool):
    keys = requests.get(f"{tool.url}/lti/jwks.json", timeout=10).json()["keys"]
    assert len(keys) >= 2


def test_rotating_makes_the_published_next_key_sign_and_keeps_the_old_one(tool):
    before = {
        key["kid"] for key in requests.get(f"{tool.url}/lti/jwks.json", timeout=10).json()["keys"]
    }
    done = tool.koula("keys", "rotate")
    assert done.returncode == 0, done.stderr
    signing = done.stdout.split("New signing key ")[1].split(";")[0]
    assert signing in before  # platforms that cached our keys already know it
    after = requests.get(f"{tool.url}/lti/jwks.json", timeout=10).json()["keys"]
    kids = [key["kid"] for key in after]
    assert before <= set(kids) and len(kids) == len(before) + 1
    assert all(key["alg"] == "RS256" and key["kty"] == "RSA" and "d" not in key for key in after)
