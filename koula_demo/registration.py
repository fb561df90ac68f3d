"""Registering the Koula tool with the sandbox as an admin would: dynamic registration.

The admin's part is automated: ask the tool for a single-use registration link (``koula
platforms invite``), open it with the sandbox's OpenID configuration and a one-time token
(the tool then registers itself over HTTP), then activate the new registration, which the
sandbox keeps pending until then.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from koula_demo.lms.models import ToolRecord
from koula_demo.sandbox import Sandbox

__all__ = ["RegistrationFailed", "register_koula"]

HTTP_TIMEOUT = 30.0


class RegistrationFailed(Exception):
    """The tool did not complete dynamic registration; the message carries its answer."""


def register_koula(sandbox: Sandbox, invite: Callable[[], str]) -> ToolRecord:
    """Return the active Koula registration, registering and activating it if needed
    through the registration link ``invite()`` returns."""
    if sandbox.tool is not None:
        return sandbox.tool
    start = sandbox.registration_start_url(invite())
    answer = requests.get(start, timeout=HTTP_TIMEOUT)
    pending = [tool for tool in sandbox.tools.values() if not tool.active]
    if answer.status_code != 200 or not pending:
        raise RegistrationFailed(
            f"dynamic registration answered {answer.status_code}: {answer.text[:500]}"
        )
    sandbox.activate(pending[-1].client_id)
    assert sandbox.tool is not None
    return sandbox.tool
