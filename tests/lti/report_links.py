"""Opening the staff view's report links in tests as its script does: with the page's token.

The staff page carries its access in ``<script type="application/json"
data-role="report-access">``: the bearer token, the CSV, exports, tickets and
window URLs (``lti/views/report.py``).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import requests

ACCESS = re.compile(
    r'<script type="application/json" data-role="report-access">(.*?)</script>', re.S
)


def report_access(page: requests.Response | str) -> dict[str, Any]:
    """Return the report access of a staff page (its token and links)."""
    text = page if isinstance(page, str) else page.text
    match = ACCESS.search(text)
    assert match, "the staff page carries its report access"
    return json.loads(match.group(1))


def bearer(access: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {access['token']}"}


def staff_get(access: dict[str, Any], url: str, **kwargs: Any) -> requests.Response:
    """GET ``url`` as the page's script does (its bearer token, no cookie)."""
    return requests.get(url, headers=bearer(access), timeout=10, **kwargs)


def staff_post(access: dict[str, Any], url: str, **kwargs: Any) -> requests.Response:
    """POST to ``url`` as the page's script does."""
    headers = {**bearer(access), **kwargs.pop("headers", {})}
    return requests.post(url, headers=headers, timeout=10, **kwargs)


def ticket(access: dict[str, Any]) -> str:
    """Return a single-use ticket, as the script gets one before a download."""
    answer = staff_post(access, access["tickets"])
    assert answer.status_code == 200, answer.text[:500]
    return str(answer.json()["ticket"])


def download(access: dict[str, Any], url: str) -> requests.Response:
    """Download ``url`` as the page's script does: a ticket posted in a form's body."""
    return requests.post(url, data={"ticket": ticket(access)}, timeout=30)


def detail_link(page: requests.Response | str, learner: str) -> str:
    """Return the report's link to ``learner``'s answers."""
    text = page if isinstance(page, str) else page.text
    match = re.search(rf'href="([^"]+/learners/{re.escape(learner)})"', text)
    assert match, f"the report links {learner}"
    return html.unescape(match.group(1))


def csv_link(page: requests.Response | str) -> str:
    """Return the report's "Download CSV" link."""
    text = page if isinstance(page, str) else page.text
    match = re.search(r'href="([^"]+/koula\.csv)" download', text)
    assert match, "the report links its CSV"
    return html.unescape(match.group(1))
