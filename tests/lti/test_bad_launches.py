"""Every bad or forged launch gets a clear 4xx page, never a 500 and never a session.

The cases follow the LTI 1.3 tool certification list (lti.md) plus replayed
nonces and states, forged algorithms, key rotation, ``azp`` and tenants.
"""

from __future__ import annotations

import time

import pytest
import requests

from koula_demo.learner_calls import act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms.constants import (
    CLAIM_DEPLOYMENT_ID,
    CLAIM_MESSAGE_TYPE,
    CLAIM_RESOURCE_LINK,
    CLAIM_ROLES,
    CLAIM_VERSION,
)
from tests.lti.conftest import CLIENT_ID, CONFIGURED

REFUSED_TEXT = "could not be verified"


def refused(response, text: str = REFUSED_TEXT) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert text in response.text
    assert "koula-context" not in response.text
    assert not any(c.name == "sessionid" for c in response.cookies)


def mutate(**changes):
    def mutator(payload, headers):
        for name, value in changes.items():
            if name == "header":
                headers.update(value)
            elif value is None:
                payload.pop(name, None)
            else:
                payload[name] = value
        return payload, headers

    return mutator


def without_resource_link_id(payload, headers):
    payload[CLAIM_RESOURCE_LINK] = {"title": "no id"}
    return payload, headers


BAD = {
    "no kid": {"token_mutator": mutate(header={"kid": None})},
    "unknown kid": {"token_mutator": mutate(header={"kid": "not-a-key"})},
    "wrong version": {"token_mutator": mutate(**{CLAIM_VERSION: "1.2.0"})},
    "no version": {"drop_claims": [CLAIM_VERSION]},
    "not a JWT": {"id_token_transform": lambda token: "this-is-not-a-jwt"},
    "no message_type": {"drop_claims": [CLAIM_MESSAGE_TYPE]},
    "unknown message_type": {"token_mutator": mutate(**{CLAIM_MESSAGE_TYPE: "LtiFancyRequest"})},
    "no roles": {"drop_claims": [CLAIM_ROLES]},
    "no deployment_id": {"drop_claims": [CLAIM_DEPLOYMENT_ID]},
    "no resource_link.id": {"token_mutator": without_resource_link_id},
    "no sub": {"drop_claims": ["sub"]},
    "expired": {"token_mutator": mutate(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)},
    "issued in the future": {"token_mutator": mutate(iat=int(time.time()) + 3600)},
    "no exp": {"drop_claims": ["exp"]},
    "wrong iss": {"token_mutator": mutate(iss="https://evil.example")},
    "wrong aud": {"token_mutator": mutate(aud="someone-else")},
    "foreign azp": {"token_mutator": mutate(aud=[CLIENT_ID, "other"], azp="other")},
    "one audience, foreign azp": {"token_mutator": mutate(aud=CLIENT_ID, azp="other")},
    "one audience in a list, foreign azp": {"token_mutator": mutate(aud=[CLIENT_ID], azp="x")},
    "several audiences, no azp": {"token_mutator": mutate(aud=[CLIENT_ID, "other"], azp=None)},
    "alg none": {"alg": "none"},
    "alg HS256 with the public key": {"alg": "HS256"},
    "signed with an unpublished key": {"key": Platform.unpublished_key()},
    "unknown deployment": {"token_mutator": mutate(**{CLAIM_DEPLOYMENT_ID: "other-deployment"})},
    "wrong nonce": {"token_mutator": mutate(nonce="guessed")},
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_launch_is_refused_with_a_clear_page(platform, case):
    response = platform.launch(
        browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, **BAD[case]
    )
    refused(response)


def test_the_refusal_speaks_the_browsers_language(platform):
    session = browser_session()
    session.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    response = platform.launch(session, client_id=CLIENT_ID, alg="none")
    refused(response, "Koula ne peut pas")


GOOD = {
    "several roles": {
        "roles": [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",
        ]
    },
    "unknown roles": {"roles": ["http://example.org/roles#Juggler"]},
    "no role": {"roles": []},
    "no context": {"context_id": None},
    "no personal data": {"drop_claims": ["name", "given_name", "family_name", "email"]},
    "email only": {"drop_claims": ["name", "given_name", "family_name"]},
    "names only": {"drop_claims": ["email"]},
    "launch by POST": {"login_via": "POST"},
    "azp equal to our client id": {
        "token_mutator": mutate(aud=[CLIENT_ID, "other"], azp=CLIENT_ID)
    },
    "one audience, azp equal to our client id": {"token_mutator": mutate(azp=CLIENT_ID)},
}


@pytest.mark.parametrize("case", list(GOOD), ids=list(GOOD))
def test_a_valid_launch_of_any_shape_opens_the_activity(platform, case):
    response = platform.launch(
        browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, **GOOD[case]
    )
    assert response.status_code == 200, response.text[:1000]
    assert "koula-context" in response.text or "staff view" in response.text


def test_a_replayed_launch_is_refused(platform, tool):
    session = browser_session()
    assert platform.launch(session, client_id=CLIENT_ID, custom=CONFIGURED).status_code == 200
    replay = platform.post_launch(
        session, f"{tool.url}/lti/launch", platform.last_id_token, platform.last_state
    )
    refused(replay)


def test_a_captured_id_token_cannot_be_used_with_a_fresh_state(platform, tool):
    session = browser_session()
    assert platform.launch(session, client_id=CLIENT_ID, custom=CONFIGURED).status_code == 200
    captured = platform.last_id_token
    platform.launch(session, client_id=CLIENT_ID, custom=CONFIGURED)  # a fresh, used state
    login = session.get(
        f"{tool.url}/lti/login",
        allow_redirects=False,
        timeout=10,
        params={
            "iss": platform.issuer,
            "login_hint": "x",
            "target_link_uri": f"{tool.url}/lti/launch",
            "client_id": CLIENT_ID,
        },
    )
    fresh_state = login.headers["Location"].split("state=")[1].split("&")[0]
    refused(platform.post_launch(session, f"{tool.url}/lti/launch", captured, fresh_state))


def test_a_launch_without_id_token_or_state_is_refused(tool):
    response = browser_session().post(f"{tool.url}/lti/launch", data={"state": "x"}, timeout=10)
    refused(response, "incomplete")


def test_a_login_from_an_unknown_platform_is_refused(tool):
    response = browser_session().get(
        f"{tool.url}/lti/login",
        timeout=10,
        params={"iss": "https://unknown.example", "login_hint": "x"},
    )
    refused(response, "not registered")


def test_the_platform_rotating_its_key_is_followed_at_once(platform):
    assert (
        platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED).status_code
        == 200
    )
    platform.rotate_key()
    response = platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED)
    assert response.status_code == 200, response.text[:500]


def test_one_tenants_bearer_token_is_refused_on_another_tenants_activity(platform, tool):
    mine = context_of(platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED))
    with Platform() as other:
        tool.register(other, "other-client", "other-deployment")
        theirs = context_of(
            other.launch(
                browser_session(),
                client_id="other-client",
                custom=CONFIGURED,
                resource_link_id="theirs",
            )
        )
    answer = act(
        theirs,
        "save_draft",
        {"part": "deliverable", "values": {"problem": "x"}},
        token=mine["token"],
    )
    assert answer.status_code == 403
    assert list(answer.json()["errors"]) == ["_"]


# One bad body per code path (a core action, a call the tool adds) through the real server;
# every action and every kind of bad body, the 413 and the 401: tests/lti/views/test_api.py.
@pytest.mark.parametrize("action", ["save_draft", "shared_cards"])
def test_a_bad_body_answers_400_with_the_errors_object_in_the_learners_language(platform, action):
    page = platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, locale="fr")
    context = context_of(page)
    answer = requests.post(
        f"{context['api']}/{action}",
        data=b"[" * 100_000,
        headers={"Authorization": f"Bearer {context['token']}"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text[:300]
    errors = answer.json()["errors"]
    assert list(errors) == ["_"]
    assert "requête" in errors["_"]  # in French, as the launch asked
