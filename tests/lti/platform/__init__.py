"""A real LTI 1.3 Advantage platform for end-to-end tests of the Koula tool.

The platform now ships in ``koula_demo.lms`` (the ``koula demo`` sandbox runs on it);
this package keeps the names the tests and benchmarks have always used:
``TestPlatform``, ``browser_session``, ``SigningKey`` and the submodules
(``tests.lti.platform.constants``, ``.app``, ``.server``...), which are the very
module objects of ``koula_demo.lms`` (so ``monkeypatch`` on them reaches the platform).

    from tests.lti.platform import TestPlatform, browser_session

    with TestPlatform() as platform:
        platform.add_tool("client-1", "deployment-1", login_url=..., launch_url=..., jwks_url=...)
        response = platform.launch(browser_session(), client_id="client-1")
"""

from __future__ import annotations

import importlib
import sys

from koula_demo.lms import MODULES, SigningKey, browser_session
from koula_demo.lms import Platform as TestPlatform

__all__ = ["SigningKey", "TestPlatform", "browser_session"]

for _name in MODULES:
    _module = importlib.import_module(f"koula_demo.lms.{_name}")
    sys.modules[f"{__name__}.{_name}"] = _module
    globals()[_name] = _module
