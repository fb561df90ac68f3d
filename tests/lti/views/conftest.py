"""In-process tests of the LTI tool's views, with Django set up by tests/lti/in_process.py."""

from tests.lti.in_process import configure

configure()

import pytest  # noqa: E402

from tests.lti.in_process import _empty_caches, make_activity, make_user, tool_keys  # noqa: E402, F401 - fixtures


@pytest.fixture
def activity():
    """An activity of the registered test platform (a module may define its own)."""
    return make_activity()


@pytest.fixture
def ana(activity):
    """A learner of ``activity``'s platform."""
    return make_user(activity, "ana", "Ana")
