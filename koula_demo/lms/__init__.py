"""A real LTI 1.3 Advantage platform on loopback, built on ``lti1p3platform``.

It serves what a learning platform offers a tool: the JWKS and OpenID configuration,
dynamic registration, the OIDC authorization endpoint, the token endpoint, AGS line
items and scores (with a Moodle-like gradebook), NRPS and the deep-linking return. What
the library lacks is written here: dynamic registration, strict token, score and
deep-linking checks, plus hooks to inject faults and forge launches (the test suite uses
them). ``koula demo`` runs its sandbox LMS on it; the LTI tests and the benchmarks import
it from here (with :mod:`koula_demo.tool_process` and :mod:`koula_demo.learner_calls`).

    from koula_demo.lms import Platform, browser_session

    with Platform() as platform:
        platform.add_tool("client-1", "deployment-1", login_url=..., launch_url=..., jwks_url=...)
        response = platform.launch(browser_session(), client_id="client-1")
"""

from __future__ import annotations

from .browser import browser_session
from .harness import Platform
from .keys import SigningKey

__all__ = ["Platform", "SigningKey", "browser_session"]
