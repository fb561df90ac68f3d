"""In-process tests of the LTI tool's services, with Django set up by tests/lti/in_process.py."""

from tests.lti.in_process import configure

configure()

import pytest  # noqa: E402

from tests.lti.in_process import _empty_caches, make_activity, make_user, tool_keys  # noqa: E402, F401


@pytest.fixture
def activity(tool_keys):  # noqa: F811 - tool_keys is the fixture imported above
    """An activity of the default template (a module may define its own)."""
    return make_activity()


@pytest.fixture
def ana(activity):
    """A learner, Ana, of that activity."""
    return make_user(activity, "ana", "Ana")
