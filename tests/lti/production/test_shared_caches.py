"""Two tool processes that share only Redis share its caches: used nonces and access tokens.

Each tool keeps its own SQLite database, so whatever one process knows of the other
can only have come through Redis.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lti.conftest import CLIENT_ID, CONFIGURED, DEPLOYMENT_ID
from tests.lti.pages import act, context_of, wait_for
from tests.lti.platform import TestPlatform, browser_session
from tests.lti.production.support import (
    forget_prefix,
    need_redis,
    new_prefix,
    redis_env,
    state_from_login,
)
from tests.lti.test_learner_loop import CARD
from tests.lti.tool import RunningTool


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
    with TestPlatform() as platform:
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
    with TestPlatform() as platform:
        for tool, user in ((first, "learner-on-first"), (second, "learner-on-second")):
            tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            page = platform.launch(
                browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=user
            )
            assert act(context_of(page), "submit_deliverable", {"values": CARD}).ok
            wait_for(lambda user=user: user in {s["body"]["userId"] for s in platform.scores()})

        assert platform.tokens_issued == 1
