"""In-process tests of the tool's commands (lti/cli.py), with Django set up by
tests/lti/in_process.py."""

from tests.lti.in_process import configure

configure()

from tests.lti.in_process import _empty_caches, tool_keys  # noqa: E402, F401 - fixtures
