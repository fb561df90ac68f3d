"""``koula platforms``, ``koula keys rotate``, the tool's keys and health, on a served tool."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
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


# -- koula platforms invite | invites | revoke-invite: registration links (test_invitations.py
#    shows what a link allows over HTTP) --------------------------------------------------------


def invitation_row(tool, link: str) -> tuple[Any, ...]:
    token_hash = hashlib.sha256(link.rsplit("/", 1)[1].encode()).hexdigest()
    (row,) = tool.sql(
        "SELECT token_hash, note, created_at, expires_at FROM koula_lti_invitation "
        "WHERE token_hash = %s",
        token_hash,
    )
    return row


def moment(value: Any) -> dt.datetime:
    """A timestamp as PostgreSQL (datetime) or SQLite (text) gives it, in UTC."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def test_an_invitation_is_valid_seven_days_or_the_hours_given(tool):
    default = invitation_row(tool, tool.invite())
    two_hours = invitation_row(tool, tool.invite("--expires", "2", "--note", "Canvas"))
    made_to_end = [moment(row[3]) - moment(row[2]) for row in (default, two_hours)]
    assert abs(made_to_end[0] - dt.timedelta(days=7)) < dt.timedelta(minutes=1)
    assert abs(made_to_end[1] - dt.timedelta(hours=2)) < dt.timedelta(minutes=1)
    assert two_hours[1] == "Canvas"


def test_invite_prints_one_link_with_its_secret_in_the_path_and_its_id(tool):
    done = tool.koula("platforms", "invite")
    assert done.returncode == 0, done.stdout + done.stderr
    (link,) = re.findall(rf"{re.escape(tool.url)}/lti/register/\S+", done.stdout)
    token = link.rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes, URL-safe
    short_id = hashlib.sha256(token.encode()).hexdigest()[:10]
    assert f"koula platforms revoke-invite {short_id}" in done.stdout
    assert token not in str(tool.sql("SELECT token_hash, note FROM koula_lti_invitation"))


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--expires", "0"], "--expires takes a number of hours above 0 and at most 2160"),
        (["--expires", "-3"], "--expires takes a number of hours"),
        (["--expires", "2161"], "--expires takes a number of hours"),
        (["--expires", "nan"], "--expires takes a number of hours"),
        (["--note", "n" * 201], "--note is at most 200 characters"),
    ],
)
def test_invite_refuses_an_unusable_expiry_or_note(tool, options, said):
    before = tool.sql("SELECT COUNT(*) FROM koula_lti_invitation")
    done = tool.koula("--lang", "en", "platforms", "invite", *options)
    assert done.returncode == 2
    assert said in done.stdout
    assert tool.sql("SELECT COUNT(*) FROM koula_lti_invitation") == before


def short_ids(tool, *options: str) -> dict[str, str]:
    """Short id → its line in ``koula platforms invites``."""
    done = tool.koula("--lang", "en", "platforms", "invites", *options)
    assert done.returncode == 0, done.stdout + done.stderr
    return {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}


def test_invites_lists_only_the_open_invitations_and_all_with_all(tool):
    links = {state: tool.invite("--note", state) for state in ("open", "used", "revoked", "old")}
    ids = {state: invitation_row(tool, link)[0][:10] for state, link in links.items()}
    tool.sql(
        "UPDATE koula_lti_invitation SET spent_at = created_at WHERE token_hash LIKE %s",
        ids["used"] + "%",
    )
    tool.sql(
        "UPDATE koula_lti_invitation SET expires_at = created_at WHERE token_hash LIKE %s",
        ids["old"] + "%",
    )
    assert tool.koula("platforms", "revoke-invite", ids["revoked"]).returncode == 0
    listed = short_ids(tool)
    assert ids["open"] in listed and "open until" in listed[ids["open"]]
    assert not {ids["used"], ids["revoked"], ids["old"]} & set(listed)
    everything = short_ids(tool, "--all")
    assert "open until" in everything[ids["open"]]
    assert "used" in everything[ids["used"]]
    assert "revoked" in everything[ids["revoked"]]
    assert "expired" in everything[ids["old"]]


def test_revoke_invite_takes_the_link_the_token_or_the_id(tool):
    links = [tool.invite() for _ in range(3)]
    ids = [invitation_row(tool, link)[0][:10] for link in links]
    assert set(ids) <= set(short_ids(tool))
    for reference in (links[0], links[1].rsplit("/", 1)[1], ids[2].upper()):
        done = tool.koula("--lang", "en", "platforms", "revoke-invite", reference)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "is revoked: its link registers nothing any more" in done.stdout
    assert not set(ids) & set(short_ids(tool))


def test_a_token_starting_with_a_dash_is_revoked_after_a_double_dash(tool):
    """Tokens made before they were drawn again when they start with '-' (15f661e)."""
    token = "-" + "A" * 42
    id_of = invitation_row(tool, tool.invite())[0]
    tool.sql(
        "UPDATE koula_lti_invitation SET token_hash = %s WHERE token_hash = %s",
        hashlib.sha256(token.encode()).hexdigest(),
        id_of,
    )
    refused = tool.koula("--lang", "en", "platforms", "revoke-invite", token)
    assert refused.returncode == 2  # argparse reads it as an option
    done = tool.koula("--lang", "en", "platforms", "revoke-invite", "--", token)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is revoked" in done.stdout


def test_revoke_invite_says_what_to_give_for_an_unknown_or_ambiguous_id(tool):
    unknown = tool.koula("--lang", "en", "platforms", "revoke-invite", "no-such-thing")
    assert unknown.returncode == 2
    assert "No invitation matches no-such-thing" in unknown.stdout
    assert "koula platforms invites --all" in unknown.stdout
    twins = [invitation_row(tool, tool.invite())[0] for _ in range(2)]
    for token_hash in twins:  # two ids that start alike
        tool.sql(
            "UPDATE koula_lti_invitation SET token_hash = %s WHERE token_hash = %s",
            "fedcba" + token_hash[6:],
            token_hash,
        )
    ambiguous = tool.koula("--lang", "en", "platforms", "revoke-invite", "fedcba")
    assert ambiguous.returncode == 2
    assert "fedcba is the start of several invitations' ids" in ambiguous.stdout
    assert {"fedcba" + twin[6:10] for twin in twins} <= set(short_ids(tool))  # not revoked


def test_revoking_a_used_invitation_says_there_is_nothing_to_revoke(tool):
    short_id = invitation_row(tool, tool.invite())[0][:10]
    tool.sql(
        "UPDATE koula_lti_invitation SET spent_at = created_at WHERE token_hash LIKE %s",
        short_id + "%",
    )
    done = tool.koula("--lang", "en", "platforms", "revoke-invite", short_id)
    assert done.returncode == 2
    assert f"Invitation {short_id} was already used" in done.stdout


def test_the_invitation_commands_speak_french(tool):
    done = tool.koula("--lang", "fr", "platforms", "invite")
    assert "Lien d'enregistrement (à usage unique, valable jusqu'au" in done.stdout
    assert "ouverte jusqu'au" in tool.koula("--lang", "fr", "platforms", "invites").stdout


def test_the_serve_banner_says_how_to_get_a_registration_link(tool):
    banner = tool.log_path.read_text()
    assert "registration: 'koula platforms invite' prints a single-use link" in banner
    assert f"({tool.url}/lti/register/...)" in banner
    assert "registration URL (paste into your platform)" not in banner
