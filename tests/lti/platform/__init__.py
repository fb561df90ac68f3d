"""A real LTI 1.3 Advantage platform for end-to-end tests of the Koula tool.

Built on ``lti1p3platform`` (login, signed launches, deep-linking check, AGS and NRPS
handlers) with what it lacks written here: dynamic registration, strict token, score and
deep-linking checks, a Moodle-like gradebook, fault injection and forged launches.

    from tests.lti.platform import TestPlatform, browser_session

    with TestPlatform() as platform:
        platform.add_tool("client-1", "deployment-1", login_url=..., launch_url=..., jwks_url=...)
        response = platform.launch(browser_session(), client_id="client-1")
"""

from __future__ import annotations

from .browser import browser_session
from .harness import TestPlatform
from .keys import SigningKey

__all__ = ["SigningKey", "TestPlatform", "browser_session"]
