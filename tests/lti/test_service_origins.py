"""Service URLs from launches are used only on origins the registration trusts (issue 9,
point 3): a launch whose AGS or NRPS claims name another origin still opens for the learner,
the service is not called (an "internal" server on another loopback port gets nothing), the
staff view says which URL was refused and why, and the log names it. ``koula platforms
trust-origin`` and ``koula platforms add --service-origin`` add an origin; the trust rules
themselves are unit-tested below on plain objects.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from koula_demo.learner_calls import CARD, act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms import app as platform_app
from koula_demo.lms.constants import CLAIM_AGS, CLAIM_NRPS, ROLE_INSTRUCTOR
from lti.origins import private_hosts, service_refusal, trusted_origins
from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.outbound_servers import recording, wait_until

Mutator = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]


def services_moved_to(new_origin: str) -> Mutator:
    """A token mutator: the launch's AGS and NRPS URLs, on ``new_origin`` instead."""

    def move(url: str) -> str:
        parts = urlsplit(url)
        return new_origin + parts.path + (f"?{parts.query}" if parts.query else "")

    def mutate(payload: dict[str, Any], headers: dict[str, Any]) -> tuple[dict, dict]:
        ags = payload.get(CLAIM_AGS) or {}
        for name in ("lineitems", "lineitem"):
            if ags.get(name):
                ags[name] = move(ags[name])
        nrps = payload.get(CLAIM_NRPS) or {}
        if nrps.get("context_memberships_url"):
            nrps["context_memberships_url"] = move(nrps["context_memberships_url"])
        return payload, headers

    return mutate


def launch(platform: Platform, link: str, mutator: Mutator, **options: Any) -> Any:
    page = platform.launch(
        browser_session(),
        client_id=options.pop("client_id", CLIENT_ID),
        custom=CONFIGURED,
        resource_link_id=link,
        token_mutator=mutator,
        **options,
    )
    assert page.status_code == 200, page.text[:2000]
    return page


def delivered(platform: Platform, user: str) -> bool:
    return any(score["body"]["userId"] == user for score in platform.scores())


@pytest.fixture
def internal() -> Iterator[Any]:
    """A server on another loopback port that must receive nothing."""
    with recording() as server:
        yield server


def test_a_launch_naming_an_untrusted_origin_opens_and_that_origin_gets_nothing(
    tool, platform, internal
):
    moved = services_moved_to(internal.url)
    page = launch(platform, "untrusted-1", moved, user="learner-untrusted")
    assert "koula-context" in page.text
    assert act(context_of(page), "submit_deliverable", {"values": CARD}).status_code == 200
    staff = launch(platform, "untrusted-1", moved, user="teacher", roles=[ROLE_INSTRUCTOR])
    time.sleep(2)  # the worker tries the score several times meanwhile (0.2 s backoff)
    assert internal.requests == []
    assert internal.connections == set()
    assert not delivered(platform, "learner-untrusted")
    assert f"{internal.url}/memberships/course-1" in staff.text  # the roster URL refused...
    assert f"{internal.url}/lineitems" in staff.text  # ...and the grade service's
    assert "is not one this platform" in staff.text
    assert f"koula platforms trust-origin {CLIENT_ID} {internal.url}" in staff.text
    log = tool.log_path.read_text()
    assert f"untrusted NRPS roster URL {internal.url}/memberships/course-1" in log
    assert "AGS line item URL " + internal.url in log


def test_trust_origin_lets_the_scores_through_and_the_staff_view_stops_warning(tool, platform):
    other = platform.url.replace("127.0.0.1", "localhost")  # another origin, same platform
    moved = services_moved_to(other)
    page = launch(platform, "trusted-later", moved, user="learner-later")
    assert act(context_of(page), "submit_deliverable", {"values": CARD}).status_code == 200
    time.sleep(1)
    assert not delivered(platform, "learner-later")
    done = tool.koula(
        "platforms", "trust-origin", CLIENT_ID, other + "/any/path", "--issuer", platform.issuer
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"now trusts {other}" in done.stdout
    assert wait_until(lambda: delivered(platform, "learner-later"), 30)
    staff = launch(platform, "trusted-later", moved, user="teacher", roles=[ROLE_INSTRUCTOR])
    assert 'id="service-refusals"' not in staff.text
    assert "learner(s) in the course" in staff.text  # the roster was read on that origin
    listed = tool.koula("platforms", "list").stdout
    assert f"service_origins={other}" in listed


def test_platforms_add_takes_service_origins(tool):
    with Platform() as platform:
        other = platform.url.replace("127.0.0.1", "localhost")
        done = tool.koula(
            "platforms",
            "add",
            "--issuer",
            platform.issuer,
            "--client-id",
            "origins-client",
            "--deployment-id",
            "d-1",
            "--auth-login-url",
            platform.auth_url,
            "--auth-token-url",
            platform.token_url,
            "--keyset-url",
            platform.jwks_url,
            "--service-origin",
            other,
            "--service-origin",
            "https://lms-api.example.org/lti",
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"Trusted service origins: {other}, https://lms-api.example.org" in done.stdout
        platform.add_tool(
            "origins-client",
            "d-1",
            login_url=f"{tool.url}/lti/login",
            launch_url=f"{tool.url}/lti/launch",
            jwks_url=f"{tool.url}/lti/jwks.json",
        )
        moved = services_moved_to(other)
        page = launch(platform, "added", moved, client_id="origins-client", user="learner-add")
        assert act(context_of(page), "submit_deliverable", {"values": CARD}).status_code == 200
        assert wait_until(lambda: delivered(platform, "learner-add"), 30)
        assert platform.server_errors == []


def test_a_next_roster_page_on_another_origin_is_not_read(tool, platform, internal, monkeypatch):
    memberships = platform_app.HANDLERS["memberships"]

    def next_page_elsewhere(platform_, request, context_id):
        response = memberships(platform_, request, context_id)
        response.headers["Link"] = f'<{internal.url}/memberships/page-2>; rel="next"'
        return response

    monkeypatch.setitem(platform_app.HANDLERS, "memberships", next_page_elsewhere)
    staff = launch(
        platform, "next-page", services_moved_to(platform.url), user="t", roles=[ROLE_INSTRUCTOR]
    )
    assert "could not read the platform" in staff.text
    assert internal.requests == []
    assert f"NRPS roster page URL {internal.url}/memberships/page-2" in tool.log_path.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nobody", "https://lms.example.org"], "no registration has client id 'nobody'"),
        ([CLIENT_ID, "http://lms.example.org"], "must use https://"),
        ([CLIENT_ID, "not a url"], "must be a full URL"),
    ],
)
def test_trust_origin_says_what_is_wrong(tool, platform, arguments, message):
    done = tool.koula("platforms", "trust-origin", *arguments)
    assert done.returncode == 2
    assert message in done.stdout


# -- the trust rules, on plain objects -------------------------------------------------


def registration(**changes: Any) -> Any:
    fields = {
        "issuer": "https://lms.example.org",
        "client_id": "c-1",
        "auth_login_url": "https://lms.example.org/auth",
        "auth_token_url": "https://auth.example.org:8443/token",
        "keyset_url": "https://keys.example.org/jwks",
        "configuration_url": "",
        "service_origins": [],
        "added_by_admin": False,
    }
    return SimpleNamespace(**{**fields, **changes})


def test_a_registration_trusts_the_origins_of_its_own_urls():
    assert trusted_origins(registration()) == {
        "https://lms.example.org",
        "https://auth.example.org:8443",
        "https://keys.example.org",
    }


def test_the_configuration_origin_and_added_origins_are_trusted_too():
    found = registration(
        configuration_url="https://canvas.example.org/api/lti/security/openid-configuration",
        service_origins=["https://lms-api.example.org"],
    )
    assert service_refusal(found, "https://canvas.example.org/api/lti/courses/1/names") is None
    assert service_refusal(found, "https://lms-api.example.org/lineitems") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/lineitems",
        "http://lms.example.org/lineitems",  # another scheme
        "https://lms.example.org:8443/lineitems",  # another port
        "https://lms.example.org@evil.example/lineitems",  # the host hides after user info
        "https://lms.example.org.evil.example/lineitems",
        "javascript:alert(1)",
    ],
)
def test_any_other_origin_is_refused(url):
    assert service_refusal(registration(), url) is not None


def test_the_same_origin_in_another_spelling_is_trusted():
    assert service_refusal(registration(), "HTTPS://LMS.EXAMPLE.ORG:443/lineitems") is None


def test_only_hosts_an_admin_named_may_be_private():
    assert private_hosts(registration()) == frozenset()
    assert private_hosts(registration(service_origins=["https://lms-api.intranet"])) == {
        "lms-api.intranet"
    }
    assert private_hosts(registration(added_by_admin=True)) == {
        "lms.example.org",
        "auth.example.org",
        "keys.example.org",
    }
