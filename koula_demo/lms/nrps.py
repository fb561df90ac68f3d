"""NRPS: ``GET {url}/memberships/<context_id>`` with paging by ``Link: <...>; rel="next"``.

The library's ``handle_get_members`` builds the page and the next URL (in the body, and
only when ``limit`` is in the query); the harness always pages by
``platform.nrps_page_size`` and moves the next URL into the ``Link`` header the spec asks for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from .ags import service_config
from .constants import MEDIA_MEMBERSHIP_CONTAINER, ROLE_INSTRUCTOR, ROLE_LEARNER
from .library import HarnessNrpsService, HarnessRequest
from .web import HttpError, error_response, json_response

if TYPE_CHECKING:
    from .harness import Platform


def default_members() -> list[dict[str, object]]:
    """Three learners and an instructor, as a fresh course would have."""
    people = [
        ("learner-1", ROLE_LEARNER),
        ("learner-2", ROLE_LEARNER),
        ("learner-3", ROLE_LEARNER),
        ("instructor-1", ROLE_INSTRUCTOR),
    ]
    return [member(user, [role]) for user, role in people]


def member(user: str, roles: list[str]) -> dict[str, object]:
    """One NRPS member entry with the harness's names and e-mail for ``user``."""
    given, _, family = user.replace("-", " ").title().partition(" ")
    return {
        "user_id": user,
        "roles": roles,
        "status": "Active",
        "name": f"{given} {family}".strip(),
        "given_name": given,
        "family_name": family,
        "email": f"{user}@example.test",
    }


def handle_memberships(platform: Platform, request: Request, context_id: str) -> Response:
    """Answer one page of the context's members; demands the Accept media type."""
    if MEDIA_MEMBERSHIP_CONTAINER not in request.headers.get("Accept", ""):
        raise HttpError(406, "not_acceptable", f"Accept must name {MEDIA_MEMBERSHIP_CONTAINER}")
    config = service_config(platform, request)
    library_request = HarnessRequest(request)
    library_request.get_data.setdefault("limit", platform.nrps_page_size)
    service = HarnessNrpsService(library_request, config, platform, context_id)
    answer = service.handle_resp(service.handle_get_members)
    if answer.code >= 400:
        return error_response(answer.code, "request_failed", answer.message)
    body = dict(answer.result)
    next_url = body.pop("next", None)
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return json_response(body, content_type=MEDIA_MEMBERSHIP_CONTAINER, headers=headers)
