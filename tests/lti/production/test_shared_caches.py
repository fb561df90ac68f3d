"""Tool processes sharing Redis share its caches: used nonces, access tokens, platform keys.

For nonces and tokens each tool keeps its own SQLite database, so whatever one process
knows of the other can only have come through Redis. Platform keys are cached per
registration, so those two tools share one PostgreSQL database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from koula_demo.learner_calls import CARD, act, context_of, wait_for
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component
from tests.lti.conftest import CLIENT_ID, CONFIGURED, DEPLOYMENT_ID
from tests.lti.production.support import (
    forget_prefix,
    need_redis,
    new_prefix,
    redis_env,
    state_from_login,
)
from tests.lti.test_bad_launches import mutate


@pytest.fixture
def two_tools(tmp_path) -> Iterator[tuple[RunningTool, RunningTool]]:
    url, prefix = need_redis(), new_prefix()
    env = redis_env(url, prefix, KOULA_WORKER="thread")
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = RunningTool(tmp_path / "first", **env)
    second = RunningTool(tmp_path / "second", **env)
    yield first, second
    first.stop()
    second.stop()
    forget_prefix(url, prefix)


def test_a_nonce_used_in_one_process_is_refused_by_another(two_tools):
    first, second = two_tools
    with Platform() as platform:
        first.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        assert platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED).ok
        captured = platform.last_id_token
        second.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        session = browser_session()
        fresh_state = state_from_login(second, platform, session, CLIENT_ID)

        replay = platform.post_launch(session, f"{second.url}/lti/launch", captured, fresh_state)

        assert replay.status_code == 400
        assert "koula-context" not in replay.text
        assert "nonce already used" in second.log_path.read_text()


def test_an_access_token_fetched_by_one_process_is_reused_by_the_other(two_tools):
    first, second = two_tools
    with Platform() as platform:
        for tool, user in ((first, "learner-on-first"), (second, "learner-on-second")):
            tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            page = platform.launch(
                browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=user
            )
            assert act(context_of(page), "submit_deliverable", {"values": CARD}).ok
            wait_for(lambda user=user: user in {s["body"]["userId"] for s in platform.scores()})

        assert platform.tokens_issued == 1


def point_platform_at(platform, tool: RunningTool) -> None:
    """Send the platform's next launches to ``tool`` (the registration is already shared)."""
    platform.add_tool(
        CLIENT_ID,
        DEPLOYMENT_ID,
        login_url=f"{tool.url}/lti/login",
        launch_url=f"{tool.url}/lti/launch",
        jwks_url=f"{tool.url}/lti/jwks.json",
        deep_link_url=f"{tool.url}/lti/launch",
    )


def test_processes_sharing_redis_fetch_the_platform_keys_once_and_limit_refetches_together(
    tmp_path,
):
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    url, prefix = need_redis(), new_prefix()
    env = redis_env(url, prefix, KOULA_WORKER="thread")
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = RunningTool(tmp_path / "first", backend="postgres", **env)
    second = RunningTool(
        tmp_path / "second", KOULA_DATABASE_URL=first.env["KOULA_DATABASE_URL"], **env
    )
    try:
        with Platform() as platform:
            first.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            served, fetches = platform.jwks, []
            platform.jwks = lambda: fetches.append(1) or served()  # counts the tools' fetches
            forged = {"token_mutator": mutate(header={"kid": "not-a-key"})}

            def launch(**kwargs):
                return platform.launch(
                    browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, **kwargs
                )

            assert launch().status_code == 200  # first process: the keyset is fetched
            assert launch(**forged).status_code == 400  # unknown kid: refetched at once
            point_platform_at(platform, second)
            assert launch(**forged).status_code == 400  # the other process: within the limit
            assert launch().status_code == 200  # ... and it knows the keys already

            assert len(fetches) == 2
    finally:
        first.stop()
        second.stop()
        forget_prefix(url, prefix)
