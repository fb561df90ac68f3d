"""A learner's side of the LTI tool, for the tests and the benchmarks.

Reading a launched page's activity context, calling the learner API with its bearer
token as the page's script does (``docs/learner-api.md``), waiting for something to
happen, and answers that pass every part of the ``default-koula`` template.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import requests

__all__ = ["CARD", "COMMITMENT", "RETURN", "act", "context_of", "wait_for"]

# Answers that pass each part of the default-koula template.
CARD = {
    "practice_name": "Pair review",
    "problem": "Reviews come too late.",
    "steps": ["Pick a pair", "Review within a day"],
}
COMMITMENT = {
    "action": "Try pair review on Monday",
    "success_signal": "Two reviews in a day",
    "confidence": 3,
}
RETURN = {"applied": "partly", "what_happened": "We did it twice.", "confidence": 4}

CONTEXT = re.compile(
    r'<script type="application/json" class="koula-context" '
    r'id="koula-context">(.*?)</script>',
    re.S,
)


def context_of(response: requests.Response) -> dict[str, Any]:
    """Return the activity context a launched page hands its script (JSON in the page)."""
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
