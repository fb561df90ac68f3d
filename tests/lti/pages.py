"""Reading the tool's pages in tests: the activity context and the learner API."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import requests

CONTEXT = re.compile(
    r'<script type="application/json" class="koula-context" '
    r'id="koula-context">(.*?)</script>',
    re.S,
)


def context_of(response: requests.Response) -> dict[str, Any]:
    match = CONTEXT.search(response.text)
    assert match, response.text[:2000]
    return json.loads(match.group(1))


def act(
    context: dict[str, Any], action: str, body: Any, token: str | None = None
) -> requests.Response:
    """POST one learner action as the page's script does (bearer token, no cookie)."""
    return requests.post(
        f"{context['api']}/{action}",
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {token or context['token']}"},
    )


def wait_for(check: Any, seconds: float = 20.0) -> Any:
    """Poll ``check()`` until it returns something true; return it (fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"still false after {seconds} s: {check}")
