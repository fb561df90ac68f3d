"""AGS access tokens (lti/ags.py) as score delivery and the roster read use them: one token
per platform client and scopes, kept until shortly before it expires, never one per score."""

from __future__ import annotations

import jwt
import pytest

from koula_demo.learner_calls import CARD
from lti.ags import SCOPE_MEMBERSHIP, SCOPE_RESULT, SCOPE_SCORE, access_token
from lti.keys import public_jwks
from lti.models import Registration
from lti.services.delivery import deliver_due
from lti.services.learner import run_action
from tests.lti.in_process import CLIENT_ID, ISSUER, grant_for, make_user
from tests.lti.services.fake_platform import FakePlatform

pytestmark = pytest.mark.django_db


def scores_of(activity, *subs: str) -> None:
    for sub in subs:
        user = make_user(activity, sub)
        run_action(grant_for(activity, user), activity.pk, "submit_deliverable", {"values": CARD})


def test_one_token_serves_every_score_of_a_pass_and_the_next_passes(activity):
    platform = FakePlatform()
    scores_of(activity, "ana", "ben", "carla")
    deliver_due(transport=platform)
    scores_of(activity, "dan")
    deliver_due(transport=platform)
    assert len(platform.score_posts()) == 4
    assert len(platform.requests_to(r"^/token$")) == 1


def test_a_token_about_to_expire_is_not_kept(activity):
    platform = FakePlatform(token_lifetime=45)  # kept until a minute before it expires
    scores_of(activity, "ana")
    deliver_due(transport=platform)
    scores_of(activity, "ben")
    deliver_due(transport=platform)
    assert len(platform.requests_to(r"^/token$")) == 2


def test_each_set_of_scopes_has_its_own_token(activity):
    platform = FakePlatform()
    registration = activity.deployment.registration
    tokens = {
        scope: access_token(registration, (scope,), transport=platform)
        for scope in (SCOPE_SCORE, SCOPE_RESULT, SCOPE_MEMBERSHIP)
    }
    assert len(set(tokens.values())) == 3
    assert access_token(registration, (SCOPE_SCORE,), transport=platform) == tokens[SCOPE_SCORE]


def test_two_clients_of_one_issuer_never_share_a_token(activity):
    """Every hosted Canvas shares one issuer: tokens are kept per client id too."""
    platform = FakePlatform()
    first = activity.deployment.registration
    second = Registration.objects.create(
        issuer=ISSUER,
        client_id="another-tenant",
        auth_login_url=first.auth_login_url,
        auth_token_url=first.auth_token_url,
        keyset_url=first.keyset_url,
    )
    one = access_token(first, (SCOPE_SCORE,), transport=platform)
    other = access_token(second, (SCOPE_SCORE,), transport=platform)
    assert one != other and len(platform.tokens) == 2


def test_the_token_request_is_a_client_credentials_grant_with_a_signed_assertion(activity):
    platform = FakePlatform()
    access_token(activity.deployment.registration, (SCOPE_SCORE,), transport=platform)
    (sent,) = platform.requests_to(r"^/token$")
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = sent.body
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    )
    assert form["scope"] == SCOPE_SCORE
    header = jwt.get_unverified_header(form["client_assertion"])
    (key,) = [k for k in public_jwks()["keys"] if k["kid"] == header["kid"]]
    claims = jwt.decode(
        form["client_assertion"],
        jwt.algorithms.RSAAlgorithm.from_jwk(key),
        algorithms=["RS256"],
        audience=f"{ISSUER}/token",
    )
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["exp"] - claims["iat"] <= 300 and claims["jti"]
