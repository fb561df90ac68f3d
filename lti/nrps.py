"""Names and Role Provisioning Services client: the course roster, page by page."""

from __future__ import annotations

from typing import Any

import requests

from lti.ags import SCOPE_MEMBERSHIP, AgsError, access_token
from lti.http import http_get
from lti.models import Registration

__all__ = ["MAX_PAGES", "RosterUnavailable", "roster"]

MAX_PAGES = 200
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class RosterUnavailable(RuntimeError):
    """The platform offers no roster here, or did not answer."""


def roster(registration: Registration, memberships_url: str) -> list[dict[str, Any]]:
    """Return every member of the context, following ``Link: rel="next"`` pages."""
    if not memberships_url:
        raise RosterUnavailable("the launch carried no roster service")
    try:
        token = access_token(registration, (SCOPE_MEMBERSHIP,))
    except AgsError as exc:
        raise RosterUnavailable(str(exc)) from exc
    members: list[dict[str, Any]] = []
    url: str | None = memberships_url
    for _ in range(MAX_PAGES):
        if not url:
            return members
        try:
            response = http_get(
                url, headers={"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}
            )
            response.raise_for_status()
            page = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise RosterUnavailable(f"roster request failed: {exc}") from exc
        members.extend(m for m in page.get("members", []) if isinstance(m, dict))
        url = response.links.get("next", {}).get("url")
    raise RosterUnavailable(f"the roster has more than {MAX_PAGES} pages")
