"""Names and Role Provisioning Services client: the course roster, page by page.

Every page (the launch's ``context_memberships_url`` and each ``Link: rel="next"``) is
read only on an origin the registration trusts (:func:`lti.origins.require_trusted`) and
under the outbound policy (:mod:`lti.http`); the whole read, token included, ends by the
caller's ``until``. Requests go through ``transport`` (the network unless a test gives one).
"""

from __future__ import annotations

from typing import Any

import requests

from lti.ags import SCOPE_MEMBERSHIP, AgsError, access_token
from lti.http import http_get
from lti.models import Registration
from lti.origins import UntrustedService, require_trusted
from lti.outbound import Transport, send

__all__ = ["MAX_PAGES", "RosterRefused", "RosterUnavailable", "roster"]

MAX_PAGES = 200
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class RosterUnavailable(RuntimeError):
    """The platform offers no roster here, or did not answer."""


class RosterRefused(RosterUnavailable):
    """The roster URL (or a next page's) is on an origin the registration does not trust."""


def roster(
    registration: Registration,
    memberships_url: str,
    *,
    until: float | None = None,
    transport: Transport = send,
) -> list[dict[str, Any]]:
    """Return every member of the context, following ``Link: rel="next"`` pages; raise
    RosterRefused for an untrusted URL, RosterUnavailable for any other failure."""
    if not memberships_url:
        raise RosterUnavailable("the launch carried no roster service")
    try:
        require_trusted(registration, memberships_url, "NRPS roster")
        token = access_token(registration, (SCOPE_MEMBERSHIP,), until=until, transport=transport)
    except UntrustedService as exc:
        raise RosterRefused(str(exc)) from exc
    except AgsError as exc:
        raise RosterUnavailable(str(exc)) from exc
    members: list[dict[str, Any]] = []
    url: str | None = memberships_url
    for _ in range(MAX_PAGES):
        if not url:
            return members
        try:
            require_trusted(registration, url, "NRPS roster page")
            response = http_get(
                url,
                registration=registration,
                headers={"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE},
                until=until,
                transport=transport,
            )
            response.raise_for_status()
            page = response.json()
        except UntrustedService as exc:
            raise RosterRefused(str(exc)) from exc
        except (requests.RequestException, ValueError, RecursionError) as exc:
            raise RosterUnavailable(f"roster request failed: {exc}") from exc
        if not isinstance(page, dict):
            raise RosterUnavailable("the roster page is not a JSON object")
        members.extend(m for m in page.get("members", []) if isinstance(m, dict))
        url = response.links.get("next", {}).get("url")
    raise RosterUnavailable(f"the roster has more than {MAX_PAGES} pages")
