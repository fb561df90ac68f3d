"""Tests of the LTI test platform itself, against a tiny fake tool served in a thread.

The fake tool does the least a real tool must: a login that redirects to the platform's
auth URL with state and nonce (state also in a ``SameSite=None; Secure`` cookie), a launch
endpoint that verifies the id_token against the platform JWKS and echoes its claims, and a
JWKS. It also signs client assertions and deep-linking responses with its own key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from werkzeug.wrappers import Request, Response

from koula_demo.lms import Platform, SigningKey, browser_session
from koula_demo.lms.constants import (
    CLAIM_AGS,
    CLAIM_CONTEXT,
    CLAIM_CUSTOM,
    CLAIM_DEPLOYMENT_ID,
    CLAIM_DL_CONTENT_ITEMS,
    CLAIM_DL_DATA,
    CLAIM_DL_SETTINGS,
    CLAIM_LAUNCH_PRESENTATION,
    CLAIM_MESSAGE_TYPE,
    CLAIM_NRPS,
    CLAIM_RESOURCE_LINK,
    CLAIM_ROLES,
    CLAIM_TARGET_LINK_URI,
    CLAIM_VERSION,
    CLIENT_ASSERTION_TYPE,
    DEEP_LINKING_REQUEST,
    DEEP_LINKING_RESPONSE,
    MEDIA_LINEITEM,
    MEDIA_MEMBERSHIP_CONTAINER,
    MEDIA_SCORE,
    PLATFORM_CONFIGURATION,
    ROLE_INSTRUCTOR,
    SCOPE_LINEITEM,
    SCOPE_NRPS,
    SCOPE_SCORE,
    TOOL_CONFIGURATION,
)
from koula_demo.lms.keys import generate_key, sign_jwt
from koula_demo.lms.nrps import member
from koula_demo.lms.server import BackgroundServer

CLIENT_ID = "koula-client"
DEPLOYMENT_ID = "deployment-1"
T0 = dt.datetime(2026, 11, 28, 9, 30, 15, 100000, tzinfo=dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """An AGS timestamp: ISO 8601, milliseconds, ``Z``."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeTool:
    """Just enough of an LTI 1.3 tool to drive and verify the platform."""

    def __init__(self, platform: Platform, key: SigningKey) -> None:
        self.platform = platform
        self.key = key
        self.client_id = CLIENT_ID
        self.redirect_uri_override: str | None = None
        self._pending: dict[str, str] = {}  # state -> nonce, each usable once
        self.last_login: tuple[str, dict[str, str]] | None = None
        self._server = BackgroundServer(self._app, name="fake-lti-tool")
        self.url = self._server.url

    def close(self) -> None:
        self._server.close()

    @property
    def launch_url(self) -> str:
        return f"{self.url}/launch"

    @property
    def login_url(self) -> str:
        return f"{self.url}/login"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks.json"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        routes = {"/jwks.json": self._jwks, "/login": self._login, "/launch": self._launch}
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _jwks(self, request: Request) -> Response:
        return _json({"keys": [self.key.public_jwk]})

    def _login(self, request: Request) -> Response:
        params = request.values
        self.last_login = (request.method, params.to_dict())
        if params.get("iss") != self.platform.issuer or params.get("client_id") != self.client_id:
            return _json({"error": "unknown platform or client"}, 400)
        state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        self._pending[state] = nonce
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri_override or params["target_link_uri"],
            "login_hint": params["login_hint"],
            "lti_message_hint": params.get("lti_message_hint", ""),
            "state": state,
            "nonce": nonce,
        }
        response = Response(
            status=302, headers={"Location": f"{self.platform.auth_url}?{urlencode(query)}"}
        )
        response.set_cookie("lti_state", state, samesite="None", secure=True, httponly=True)
        return response

    def _launch(self, request: Request) -> Response:
        state = request.form.get("state", "")
        if not state or request.cookies.get("lti_state") != state:
            return _json({"error": "state cookie missing or different"}, 400)
        nonce = self._pending.pop(state, None)
        try:
            claims = self.verify(request.form.get("id_token", ""))
        except jwt.PyJWTError as error:
            return _json({"error": f"bad id_token: {error}"}, 400)
        if nonce is None or claims.get("nonce") != nonce:
            return _json({"error": "nonce unknown or already used"}, 400)
        return _json(claims)

    def verify(self, id_token: str) -> dict[str, Any]:
        """Verify a platform JWT as a careful tool would: RS256, kid from the JWKS."""
        kid = jwt.get_unverified_header(id_token).get("kid")
        keys = requests.get(self.platform.jwks_url, timeout=5).json()["keys"]
        jwk = next((key for key in keys if key["kid"] == kid), None)
        if jwk is None:
            raise jwt.InvalidKeyError(f"unknown kid {kid!r}")
        return jwt.decode(
            id_token,
            jwt.PyJWK(jwk).key,
            algorithms=["RS256"],
            audience=self.client_id,
            issuer=self.platform.issuer,
        )

    def assertion(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.platform.token_url,
            "iat": now,
            "exp": now + 60,
            "jti": str(uuid.uuid4()),
            **overrides,
        }
        return sign_jwt(
            {k: v for k, v in claims.items() if v is not None}, None, alg="RS256", key=self.key
        )

    def token_request(self, scopes: str = SCOPE_SCORE, **assertion: Any) -> requests.Response:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.assertion(**assertion),
            "scope": scopes,
        }
        return requests.post(self.platform.token_url, data=form, timeout=5)

    def access_token(self, scopes: str = SCOPE_SCORE) -> str:
        response = self.token_request(scopes)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def deep_link_response(
        self, request_claims: dict[str, Any], items: list[dict[str, Any]], **overrides: Any
    ) -> str:
        settings = request_claims[CLAIM_DL_SETTINGS]
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "aud": self.platform.issuer,
            "iat": now,
            "exp": now + 300,
            "nonce": secrets.token_urlsafe(8),
            CLAIM_DEPLOYMENT_ID: request_claims[CLAIM_DEPLOYMENT_ID],
            CLAIM_MESSAGE_TYPE: DEEP_LINKING_RESPONSE,
            CLAIM_VERSION: "1.3.0",
            CLAIM_DL_DATA: settings.get("data"),
            CLAIM_DL_CONTENT_ITEMS: items,
            **overrides,
        }
        return sign_jwt(claims, None, alg="RS256", key=self.key)


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@pytest.fixture(scope="module")
def tool_key() -> SigningKey:
    return generate_key()


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform() as test_platform:
        yield test_platform
        assert test_platform.server_errors == []


@pytest.fixture
def tool(platform: Platform, tool_key: SigningKey) -> Iterator[FakeTool]:
    fake = FakeTool(platform, tool_key)
    platform.add_tool(
        CLIENT_ID,
        DEPLOYMENT_ID,
        login_url=fake.login_url,
        launch_url=fake.launch_url,
        jwks_url=fake.jwks_url,
    )
    yield fake
    fake.close()


def launch_claims(platform: Platform, **options: Any) -> dict[str, Any]:
    response = platform.launch(browser_session(), client_id=CLIENT_ID, **options)
    assert response.status_code == 200, response.text
    return dict(response.json())


def scores_url(lineitem_url: str) -> str:
    parts = urlsplit(lineitem_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}/scores" + (
        f"?{parts.query}" if parts.query else ""
    )


def score(user: str = "learner-1", moment: dt.datetime = T0, **fields: Any) -> dict[str, Any]:
    body = {
        "userId": user,
        "timestamp": stamp(moment),
        "scoreGiven": 50,
        "scoreMaximum": 100,
        "activityProgress": "Submitted",
        "gradingProgress": "FullyGraded",
        "comment": "Return due on 2026-12-05",
    }
    return {**body, **fields}


def post_score(
    url: str,
    token: str,
    body: Any,
    *,
    content_type: str = MEDIA_SCORE,
    timeout: float = 5,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    return requests.post(url, data=json.dumps(body), headers=headers, timeout=timeout)


# -- launches -------------------------------------------------------------------------


@pytest.mark.parametrize("login_via", ["GET", "POST"])
def test_a_launch_round_trips_and_its_id_token_verifies(
    platform: Platform, tool: FakeTool, login_via: str
) -> None:
    claims = launch_claims(platform, login_via=login_via)

    assert claims["sub"] == "learner-1"
    assert claims[CLAIM_MESSAGE_TYPE] == "LtiResourceLinkRequest"
    assert tool.verify(platform.last_id_token or "")["nonce"] == claims["nonce"]
    assert platform.last_state and platform.last_auth_request
    assert platform.last_auth_request["state"] == platform.last_state


def test_the_login_initiation_sends_the_lti_parameters(platform: Platform, tool: FakeTool) -> None:
    launch_claims(platform, login_via="POST", lti_storage_target="_parent", user="learner-2")

    assert tool.last_login is not None
    method, params = tool.last_login
    hint = params.pop("lti_message_hint")
    assert method == "POST" and hint
    assert params == {
        "iss": platform.issuer,
        "login_hint": "learner-2",
        "target_link_uri": tool.launch_url,
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
        "lti_storage_target": "_parent",
    }


def test_a_launch_carries_the_lti_ags_nrps_and_presentation_claims(
    platform: Platform, tool: FakeTool
) -> None:
    claims = launch_claims(
        platform,
        user="instructor-1",
        roles=[ROLE_INSTRUCTOR],
        custom={"activity": "weekly-experiment"},
        locale="fr",
    )

    assert claims[CLAIM_VERSION] == "1.3.0"
    assert claims[CLAIM_DEPLOYMENT_ID] == DEPLOYMENT_ID
    assert claims[CLAIM_ROLES] == [ROLE_INSTRUCTOR]
    assert claims[CLAIM_RESOURCE_LINK]["id"] == "rl-1"
    assert claims[CLAIM_CONTEXT]["id"] == "course-1"
    assert claims[CLAIM_TARGET_LINK_URI] == tool.launch_url
    assert claims[CLAIM_LAUNCH_PRESENTATION]["locale"] == "fr"
    assert claims[CLAIM_CUSTOM] == {"activity": "weekly-experiment"}
    assert claims["name"] == "Instructor 1" and claims["email"] == "instructor-1@example.test"
    ags = claims[CLAIM_AGS]
    assert ags["lineitem"] == platform.line_item_url("1")
    assert ags["lineitems"] == f"{platform.url}/lineitems?context=course-1"
    assert SCOPE_SCORE in ags["scope"]
    assert claims[CLAIM_NRPS]["context_memberships_url"] == f"{platform.url}/memberships/course-1"
    assert platform.line_items["1"].label == "Koula"
    assert platform.line_items["1"].score_maximum == 100


def test_a_launch_without_lineitem_offers_only_the_container(
    platform: Platform, tool: FakeTool
) -> None:
    claims = launch_claims(platform, lineitem=False)

    assert "lineitem" not in claims[CLAIM_AGS]
    assert "lineitems" in claims[CLAIM_AGS]
    assert platform.line_items == {}


def test_a_deep_linking_launch_carries_the_deep_linking_settings(
    platform: Platform, tool: FakeTool
) -> None:
    claims = launch_claims(platform, message_type=DEEP_LINKING_REQUEST, user="instructor-1")

    settings = claims[CLAIM_DL_SETTINGS]
    assert claims[CLAIM_MESSAGE_TYPE] == DEEP_LINKING_REQUEST
    assert settings["deep_link_return_url"] == platform.deep_link_return_url
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert isinstance(settings["data"], str) and settings["data"]


def test_extra_and_dropped_claims_and_the_mutator_shape_the_id_token(
    platform: Platform, tool: FakeTool
) -> None:
    Claims = dict[str, Any]

    def mutate(payload: Claims, headers: Claims) -> tuple[Claims, Claims]:
        return {**payload, CLAIM_VERSION: "1.1"}, headers

    claims = launch_claims(
        platform,
        extra_claims={"given_name": "Ada"},
        drop_claims=("email", CLAIM_CUSTOM),
        token_mutator=mutate,
    )

    assert claims["given_name"] == "Ada"
    assert "email" not in claims
    assert claims[CLAIM_VERSION] == "1.1"


@pytest.mark.parametrize("forgery", ["none", "HS256", "unpublished key", "unknown kid"])
def test_forged_launches_are_signed_as_asked_and_fail_verification(
    platform: Platform, tool: FakeTool, forgery: str
) -> None:
    choices: dict[str, dict[str, Any]] = {
        "none": {"alg": "none"},
        "HS256": {"alg": "HS256"},
        "unpublished key": {"key": platform.unpublished_key()},
        "unknown kid": {"token_mutator": lambda p, h: (p, {**h, "kid": "no-such-kid"})},
    }
    options = choices[forgery]

    response = platform.launch(browser_session(), client_id=CLIENT_ID, **options)

    assert response.status_code == 400
    assert "bad id_token" in response.json()["error"]
    header = jwt.get_unverified_header(platform.last_id_token or "")
    if forgery == "HS256":
        signing_input, _, signature = (platform.last_id_token or "").rpartition(".")
        secret = platform.current_key.public_pem.encode()
        expected = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert jwt.utils.base64url_decode(signature) == expected
    assert header["alg"] == options.get("alg", "RS256")


def test_post_launch_replays_the_last_id_token_and_state(
    platform: Platform, tool: FakeTool
) -> None:
    session = browser_session()
    assert platform.launch(session, client_id=CLIENT_ID).status_code == 200

    replay = platform.post_launch(
        session, tool.launch_url, platform.last_id_token or "", platform.last_state or ""
    )

    assert replay.status_code == 400
    assert "nonce" in replay.json()["error"]


def test_the_id_token_transform_can_send_a_value_that_is_not_a_jwt(
    platform: Platform, tool: FakeTool
) -> None:
    response = platform.launch(
        browser_session(), client_id=CLIENT_ID, id_token_transform=lambda _: "not-a-jwt"
    )

    assert response.status_code == 400
    assert platform.last_id_token == "not-a-jwt"


def test_the_auth_endpoint_refuses_an_unregistered_redirect_uri(
    platform: Platform, tool: FakeTool
) -> None:
    tool.redirect_uri_override = f"{tool.url}/elsewhere"

    response = platform.launch(browser_session(), client_id=CLIENT_ID)

    assert response.status_code == 400
    assert "redirect_uri" in response.json()["error_description"]


def test_a_plain_requests_session_loses_the_secure_state_cookie(
    platform: Platform, tool: FakeTool
) -> None:
    response = platform.launch(requests.Session(), client_id=CLIENT_ID)

    assert response.status_code == 400
    assert "state cookie" in response.json()["error"]


# -- keys -----------------------------------------------------------------------------


def test_key_rotation_publishes_both_kids_and_signs_with_the_new_one(
    platform: Platform, tool: FakeTool
) -> None:
    old_kid = platform.current_key.kid

    new_kid = platform.rotate_key().kid
    claims = launch_claims(platform)

    kids = [key["kid"] for key in requests.get(platform.jwks_url, timeout=5).json()["keys"]]
    assert kids == [old_kid, new_kid] and old_kid != new_kid
    assert jwt.get_unverified_header(platform.last_id_token or "")["kid"] == new_kid
    assert claims["sub"] == "learner-1"


# -- dynamic registration -------------------------------------------------------------


def registration_metadata(tool: FakeTool) -> dict[str, Any]:
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": [tool.launch_url],
        "client_name": "Koula",
        "jwks_uri": tool.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": f"{SCOPE_SCORE} {SCOPE_LINEITEM} {SCOPE_NRPS}",
        TOOL_CONFIGURATION: {
            "domain": urlsplit(tool.url).netloc,
            "target_link_uri": tool.launch_url,
            "claims": ["iss", "sub", "name", "email"],
            "messages": [{"type": DEEP_LINKING_REQUEST, "target_link_uri": tool.launch_url}],
        },
    }


def register(platform: Platform, tool: FakeTool, metadata: dict[str, Any]) -> requests.Response:
    """Play the tool's side: open the start URL's configuration, post the metadata."""
    start = parse_qs(urlsplit(platform.registration_start_url(f"{tool.url}/register")).query)
    config = requests.get(start["openid_configuration"][0], timeout=5).json()
    return requests.post(
        config["registration_endpoint"],
        json=metadata,
        headers={"Authorization": f"Bearer {start['registration_token'][0]}"},
        timeout=5,
    )


def test_the_openid_configuration_describes_the_platform(platform: Platform) -> None:
    config = requests.get(platform.openid_configuration_url, timeout=5).json()

    assert config["issuer"] == platform.issuer
    assert config["authorization_endpoint"] == platform.auth_url
    assert config["token_endpoint"] == platform.token_url
    assert config["jwks_uri"] == platform.jwks_url
    assert config["registration_endpoint"] == platform.registration_url
    assert config["response_types_supported"] == ["id_token"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "openid" in config["scopes_supported"] and SCOPE_SCORE in config["scopes_supported"]
    messages = config[PLATFORM_CONFIGURATION]["messages_supported"]
    assert {m["type"] for m in messages} == {"LtiResourceLinkRequest", DEEP_LINKING_REQUEST}


def test_the_openid_configuration_advertises_the_issuer_override(platform: Platform) -> None:
    platform.issuer_override = "https://evil.example"

    config = requests.get(platform.openid_configuration_url, timeout=5).json()

    assert config["issuer"] == "https://evil.example"


def test_dynamic_registration_stores_a_tool_that_can_launch_at_once(
    platform: Platform, tool_key: SigningKey
) -> None:
    tool = FakeTool(platform, tool_key)
    try:
        response = register(platform, tool, registration_metadata(tool))
        assert response.status_code == 200, response.text
        answer = response.json()
        tool.client_id = answer["client_id"]
        stored = platform.tools[tool.client_id]

        claims = launch_claims_for(platform, tool.client_id)

        assert answer[TOOL_CONFIGURATION]["deployment_id"] == stored.deployment_id
        assert answer["jwks_uri"] == tool.jwks_url
        assert stored.login_url == tool.login_url and stored.deep_link_url == tool.launch_url
        assert claims[CLAIM_DEPLOYMENT_ID] == stored.deployment_id
    finally:
        tool.close()


def launch_claims_for(platform: Platform, client_id: str) -> dict[str, Any]:
    response = platform.launch(browser_session(), client_id=client_id)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_pending_activation_blocks_launches_until_the_tool_is_activated(
    platform: Platform, tool_key: SigningKey
) -> None:
    platform.pending_activation = True
    tool = FakeTool(platform, tool_key)
    try:
        tool.client_id = register(platform, tool, registration_metadata(tool)).json()["client_id"]

        blocked = platform.launch(browser_session(), client_id=tool.client_id)
        no_token = tool.token_request()
        platform.activate(tool.client_id)

        assert blocked.status_code == 403
        assert no_token.status_code == 400
        assert launch_claims_for(platform, tool.client_id)["sub"] == "learner-1"
    finally:
        tool.close()


def test_a_registration_token_serves_only_once(platform: Platform, tool: FakeTool) -> None:
    start = parse_qs(urlsplit(platform.registration_start_url(f"{tool.url}/register")).query)
    headers = {"Authorization": f"Bearer {start['registration_token'][0]}"}
    metadata = registration_metadata(tool)

    first = requests.post(platform.registration_url, json=metadata, headers=headers, timeout=5)
    second = requests.post(platform.registration_url, json=metadata, headers=headers, timeout=5)
    no_token = requests.post(platform.registration_url, json=metadata, timeout=5)

    assert (first.status_code, second.status_code, no_token.status_code) == (200, 401, 401)


METADATA_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("application_type", {"application_type": "native"}),
    ("response_types", {"response_types": ["code"]}),
    ("grant_types", {"grant_types": ["implicit"]}),
    ("token_endpoint_auth_method", {"token_endpoint_auth_method": "client_secret_basic"}),
    ("redirect_uris", {"redirect_uris": []}),
    ("jwks_uri", {"jwks_uri": "http://tool.example/jwks.json"}),
    ("initiate_login_uri", {"initiate_login_uri": None}),
    (TOOL_CONFIGURATION, {TOOL_CONFIGURATION: None}),
    ("domain", {"domain": "elsewhere.example"}),
    ("messages", {"messages": [{"type": "LtiUnknownRequest"}]}),
]


@pytest.mark.parametrize(
    ("fault", "change"),
    METADATA_FAULTS,
    ids=[fault.rsplit("/", 1)[-1] for fault, _ in METADATA_FAULTS],
)
def test_registration_rejects_bad_client_metadata_with_400(
    platform: Platform, tool: FakeTool, fault: str, change: dict[str, Any]
) -> None:
    metadata = registration_metadata(tool)
    if fault in ("domain", "messages"):
        metadata[TOOL_CONFIGURATION] = {**metadata[TOOL_CONFIGURATION], **change}
    else:
        metadata.update(change)

    response = register(platform, tool, metadata)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert fault.rsplit("/", 1)[-1] in response.json()["error_description"]
    assert list(platform.tools) == [CLIENT_ID]


# -- token endpoint -------------------------------------------------------------------


def test_the_token_endpoint_issues_a_bearer_token_and_counts_it(
    platform: Platform, tool: FakeTool
) -> None:
    response = tool.token_request(f"{SCOPE_SCORE} {SCOPE_NRPS}")

    body = response.json()
    assert response.status_code == 200, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {SCOPE_SCORE, SCOPE_NRPS}
    assert platform.tokens_issued == 1


def test_the_token_endpoint_rejects_a_reused_jti(platform: Platform, tool: FakeTool) -> None:
    first = tool.token_request(jti="once")
    again = tool.token_request(jti="once")

    assert first.status_code == 200
    assert again.status_code == 400 and "already used" in again.json()["error_description"]
    assert platform.tokens_issued == 1


def test_the_token_endpoint_rejects_a_wrong_content_type(
    platform: Platform, tool: FakeTool
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": tool.assertion(),
        "scope": SCOPE_SCORE,
    }

    response = requests.post(platform.token_url, json=form, timeout=5)

    assert response.status_code == 400
    assert "x-www-form-urlencoded" in response.json()["error_description"]
    assert platform.tokens_issued == 0


@pytest.mark.parametrize(
    "assertion",
    [
        {"aud": "https://other.example/token"},
        {"iss": "someone-else"},
        {"exp": int(time.time()) - 10},
        {"jti": None},
        {"exp": None},
    ],
)
def test_the_token_endpoint_rejects_a_bad_client_assertion(
    platform: Platform, tool: FakeTool, assertion: dict[str, Any]
) -> None:
    response = tool.token_request(**assertion)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_the_token_endpoint_refetches_the_tool_jwks_when_the_tool_rotates_its_key(
    platform: Platform, tool: FakeTool
) -> None:
    assert tool.token_request().status_code == 200
    tool.key = generate_key()

    response = tool.token_request()

    assert response.status_code == 200, response.text
    assert platform.tools[CLIENT_ID].key_set == {"keys": [tool.key.public_jwk]}


def test_the_token_endpoint_rejects_an_assertion_signed_by_an_unknown_key(
    platform: Platform, tool: FakeTool
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": sign_jwt(
            jwt.decode(tool.assertion(), options={"verify_signature": False}),
            None,
            alg="RS256",
            key=generate_key(),
        ),
        "scope": SCOPE_SCORE,
    }

    response = requests.post(platform.token_url, data=form, timeout=5)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


# -- scores ---------------------------------------------------------------------------


@pytest.fixture
def lineitem_url(platform: Platform, tool: FakeTool) -> str:
    return str(launch_claims(platform)[CLAIM_AGS]["lineitem"])


def test_a_valid_score_is_recorded_in_the_gradebook(
    platform: Platform, tool: FakeTool, lineitem_url: str
) -> None:
    response = post_score(scores_url(lineitem_url), tool.access_token(), score())

    assert response.status_code in (200, 201)
    [recorded] = platform.scores("1")
    assert recorded["body"] == score() and recorded["user_id"] == "learner-1"
    assert platform.gradebook("1") == {"learner-1": score()}


@pytest.mark.parametrize(
    "body",
    [
        {k: v for k, v in score().items() if k != "userId"},
        score(scoreGiven=101),
        score(scoreGiven=-1),
        score(extra="field"),
        score(timestamp="2026-11-28T09:30:15Z"),
        score(timestamp="2026-11-28T09:30:15.100"),
        score(user="stranger"),
        score(activityProgress="Done"),
        score(gradingProgress="Graded"),
        {k: v for k, v in score().items() if k != "scoreMaximum"},
        score(comment=3),
        [score()],
    ],
    ids=[
        "missing userId",
        "scoreGiven above scoreMaximum",
        "negative scoreGiven",
        "unknown field",
        "timestamp without milliseconds",
        "timestamp without zone",
        "unknown user",
        "bad activityProgress",
        "bad gradingProgress",
        "scoreGiven without scoreMaximum",
        "comment not a string",
        "not an object",
    ],
)
def test_a_bad_score_body_is_rejected_with_400(
    platform: Platform, tool: FakeTool, lineitem_url: str, body: Any
) -> None:
    response = post_score(scores_url(lineitem_url), tool.access_token(), body)

    assert response.status_code == 400, response.text
    assert platform.scores() == []


def test_a_score_needs_the_score_media_type_and_a_token_with_the_score_scope(
    platform: Platform, tool: FakeTool, lineitem_url: str
) -> None:
    url = scores_url(lineitem_url)

    as_json = post_score(url, tool.access_token(), score(), content_type="application/json")
    no_token = post_score(url, "forged", score())
    wrong_scope = post_score(url, tool.access_token(SCOPE_NRPS), score())

    assert (as_json.status_code, no_token.status_code, wrong_scope.status_code) == (415, 401, 403)
    assert platform.scores() == []


def test_two_scores_in_the_same_second_answer_409_for_the_second(
    platform: Platform, tool: FakeTool, lineitem_url: str
) -> None:
    url, token = scores_url(lineitem_url), tool.access_token()

    first = post_score(url, token, score(scoreGiven=10))
    same_second = post_score(url, token, score(moment=T0.replace(microsecond=900000)))
    next_second = post_score(url, token, score(moment=T0 + dt.timedelta(seconds=1), scoreGiven=90))
    older = post_score(url, token, score(moment=T0 - dt.timedelta(seconds=5)))

    assert [r.status_code for r in (first, same_second, next_second, older)] == [201, 409, 200, 409]
    assert platform.gradebook("1")["learner-1"]["scoreGiven"] == 90
    assert [s["body"]["scoreGiven"] for s in platform.scores("1")] == [10, 90]
    assert [r["status"] for r in platform.score_requests] == [201, 409, 200, 409]


def test_the_gradebook_drops_scoregiven_unless_fully_graded_like_moodle(
    platform: Platform, tool: FakeTool, lineitem_url: str
) -> None:
    post_score(scores_url(lineitem_url), tool.access_token(), score(gradingProgress="Pending"))

    assert "scoreGiven" not in platform.gradebook("1")["learner-1"]
    assert platform.scores()[0]["body"]["scoreGiven"] == 50


def test_an_ungradable_user_gets_400(platform: Platform, tool: FakeTool, lineitem_url: str) -> None:
    platform.ungradable_users.add("admin-1")
    launch_claims(platform, user="admin-1")

    response = post_score(scores_url(lineitem_url), tool.access_token(), score(user="admin-1"))

    assert response.status_code == 400
    assert "cannot be graded" in response.json()["error_description"]


def test_fail_next_scores_answers_the_status_then_recovers(
    platform: Platform, tool: FakeTool, lineitem_url: str
) -> None:
    url, token = scores_url(lineitem_url), tool.access_token()
    platform.fail_next_scores(2, status=503)

    statuses = [post_score(url, token, score()).status_code for _ in range(3)]

    assert statuses == [503, 503, 201]
    assert len(platform.scores()) == 1


def test_slow_next_scores_delays_the_answer_past_a_client_timeout(
    platform: Platform, tool: FakeTool, lineitem_url: str
) -> None:
    url, token = scores_url(lineitem_url), tool.access_token()
    platform.slow_next_scores(2, 0.6)

    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        post_score(url, token, score(), timeout=0.2)
    patient = post_score(url, token, score(moment=T0 + dt.timedelta(seconds=1)), timeout=5)
    elapsed = time.monotonic() - started
    fast = post_score(url, token, score(moment=T0 + dt.timedelta(seconds=2)), timeout=0.5)

    assert patient.status_code in (200, 201) and elapsed >= 0.6
    assert fast.status_code == 200


def test_scores_keep_a_moodle_style_query_string(platform: Platform, tool: FakeTool) -> None:
    platform.lineitem_url_query = "type_id=1"
    lineitem = launch_claims(platform)[CLAIM_AGS]["lineitem"]

    response = post_score(scores_url(lineitem), tool.access_token(), score())

    assert lineitem.endswith("/lineitems/1?type_id=1")
    assert response.status_code == 201
    assert platform.scores()[0]["query"] == "type_id=1"


# -- line items -----------------------------------------------------------------------


def test_line_items_can_be_created_listed_and_read_per_context(
    platform: Platform, tool: FakeTool
) -> None:
    token = tool.access_token(SCOPE_LINEITEM)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": MEDIA_LINEITEM}
    container = f"{platform.url}/lineitems?context=course-2"
    body: dict[str, Any] = {"label": "Koula", "scoreMaximum": 10, "resourceLinkId": "rl-9"}

    created = requests.post(container, json=body, headers=headers, timeout=5)
    bad = requests.post(container, json={"scoreMaximum": 10}, headers=headers, timeout=5)
    listed = requests.get(container, headers=headers, timeout=5)
    other = requests.get(f"{platform.url}/lineitems?context=course-1", headers=headers, timeout=5)
    read = requests.get(created.json()["id"], headers=headers, timeout=5)

    assert created.status_code == 201 and created.json()["resourceLinkId"] == "rl-9"
    assert bad.status_code == 400
    assert [item["label"] for item in listed.json()] == ["Koula"]
    assert other.json() == []
    assert read.json() == created.json()


# -- NRPS -----------------------------------------------------------------------------


def test_nrps_paging_follows_link_headers(platform: Platform, tool: FakeTool) -> None:
    platform.members["course-1"] = [member(f"learner-{n}", ["Learner"]) for n in range(1, 6)]
    platform.nrps_page_size = 2
    headers = {
        "Authorization": f"Bearer {tool.access_token(SCOPE_NRPS)}",
        "Accept": MEDIA_MEMBERSHIP_CONTAINER,
    }
    url: str | None = launch_claims(platform)[CLAIM_NRPS]["context_memberships_url"]
    pages = []

    while url:
        response = requests.get(url, headers=headers, timeout=5)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == MEDIA_MEMBERSHIP_CONTAINER
        pages.append([m["user_id"] for m in response.json()["members"]])
        url = response.links.get("next", {}).get("url")

    assert pages == [["learner-1", "learner-2"], ["learner-3", "learner-4"], ["learner-5"]]


def test_nrps_demands_its_scope_and_media_type(platform: Platform, tool: FakeTool) -> None:
    url = f"{platform.url}/memberships/course-1"
    accept = {"Accept": MEDIA_MEMBERSHIP_CONTAINER}

    wrong_scope = requests.get(
        url, headers={**accept, "Authorization": f"Bearer {tool.access_token()}"}, timeout=5
    )
    wrong_accept = requests.get(
        url, headers={"Authorization": f"Bearer {tool.access_token(SCOPE_NRPS)}"}, timeout=5
    )
    no_token = requests.get(url, headers=accept, timeout=5)

    assert (wrong_scope.status_code, wrong_accept.status_code, no_token.status_code) == (
        403, 406, 401,
    )  # fmt: skip


def test_nrps_pages_the_default_course_of_three_learners_and_an_instructor(
    platform: Platform, tool: FakeTool
) -> None:
    headers = {
        "Authorization": f"Bearer {tool.access_token(SCOPE_NRPS)}",
        "Accept": MEDIA_MEMBERSHIP_CONTAINER,
    }
    first = requests.get(f"{platform.url}/memberships/course-1", headers=headers, timeout=5)
    second = requests.get(first.links["next"]["url"], headers=headers, timeout=5)

    body = first.json()
    assert body["context"]["id"] == "course-1"
    assert [m["user_id"] for m in body["members"]] == ["learner-1", "learner-2", "learner-3"]
    assert [m["roles"] for m in second.json()["members"]] == [[ROLE_INSTRUCTOR]]
    assert "next" not in second.links


# -- deep linking ---------------------------------------------------------------------


def koula_item(tool: FakeTool) -> dict[str, Any]:
    return {
        "type": "ltiResourceLink",
        "title": "Weekly experiment",
        "url": tool.launch_url,
        "custom": {"activity": "weekly-experiment"},
        "lineItem": {
            "label": "Weekly experiment",
            "scoreMaximum": 20,
            "resourceId": "wx",
            "tag": "koula",
        },
    }


def test_a_deep_linking_response_is_verified_and_creates_its_line_item(
    platform: Platform, tool: FakeTool
) -> None:
    request_claims = launch_claims(platform, message_type=DEEP_LINKING_REQUEST)
    response_jwt = tool.deep_link_response(request_claims, [koula_item(tool)])

    answer = requests.post(platform.deep_link_return_url, data={"JWT": response_jwt}, timeout=5)

    assert answer.status_code == 200, answer.text
    assert platform.deep_link_items == [koula_item(tool)]
    [placement] = platform.placements
    item = platform.line_items[placement["lineitem_id"]]
    assert (item.label, item.score_maximum, item.tag, item.resource_id) == (
        "Weekly experiment", 20, "koula", "wx",
    )  # fmt: skip
    assert item.resource_link_id == placement["resource_link_id"]
    placed = launch_claims(platform, resource_link_id=placement["resource_link_id"])
    assert placed[CLAIM_CUSTOM] == {"activity": "weekly-experiment"}
    assert placed[CLAIM_AGS]["lineitem"] == platform.line_item_url(item)
    # The placed item's title is the launch's resource link title, as an LMS shows it.
    assert placed[CLAIM_RESOURCE_LINK]["title"] == koula_item(tool)["title"]


@pytest.mark.parametrize(
    "override",
    [
        {CLAIM_DL_DATA: "not-what-was-sent"},
        {"aud": "https://other.example"},
        {"nonce": None},
        {CLAIM_DEPLOYMENT_ID: "other-deployment"},
        {CLAIM_VERSION: "1.1"},
        {CLAIM_MESSAGE_TYPE: "LtiResourceLinkRequest"},
    ],
)
def test_a_faulty_deep_linking_response_is_rejected(
    platform: Platform, tool: FakeTool, override: dict[str, Any]
) -> None:
    request_claims = launch_claims(platform, message_type=DEEP_LINKING_REQUEST)
    response_jwt = tool.deep_link_response(request_claims, [koula_item(tool)], **override)

    answer = requests.post(platform.deep_link_return_url, data={"JWT": response_jwt}, timeout=5)

    assert answer.status_code == 400
    assert platform.deep_link_items == []
    assert len(platform.line_items) == 0


# -- the server -----------------------------------------------------------------------


def test_the_platform_serves_on_loopback_only_and_frees_its_port_on_close() -> None:
    platform = Platform()
    host, port = urlsplit(platform.url).hostname, urlsplit(platform.url).port
    assert requests.get(platform.jwks_url, timeout=5).status_code == 200

    platform.close()

    assert host == "127.0.0.1" and platform.issuer == platform.url
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port or 0), timeout=1):
        pass
