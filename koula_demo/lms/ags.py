"""AGS endpoints: line items (container and item), scores and results.

Requests run through ``lti1p3platform``'s ``AssignmentsGradesService`` handlers (Bearer
parsing, method check, status mapping such as 409 for an old timestamp), with one scope
demanded per endpoint and the body checks the library leaves out done before or inside.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lti1p3platform.response import Response as LibraryResponse
from werkzeug.wrappers import Request, Response

from .constants import (
    MEDIA_LINEITEM,
    MEDIA_LINEITEM_CONTAINER,
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)
from .library import HarnessAgsService, HarnessPlatformConfig, HarnessRequest
from .web import HttpError, error_response, json_response

if TYPE_CHECKING:
    from .harness import Platform

MEDIA_RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
_READ_SCOPES = [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY]
_LINE_ITEM_FIELDS: dict[str, type | tuple[type, ...]] = {
    "label": str,
    "scoreMaximum": (int, float),
    "resourceLinkId": str,
    "resourceId": str,
    "tag": str,
    "startDateTime": str,
    "endDateTime": str,
    "gradesReleased": bool,
}


def service_config(platform: Platform, request: Request) -> HarnessPlatformConfig:
    """The configuration of the tool owning the request's Bearer token (401 without one)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    grant = platform.grants.find(token.strip()) if scheme.lower() == "bearer" else None
    if grant is None:
        raise HttpError(401, "invalid_token", "a valid Bearer access token is required")
    tool = platform.tools[grant.client_id]
    return HarnessPlatformConfig(platform=platform, tool=tool, key=grant.key)


def to_response(answer: LibraryResponse, transform: Callable[[Any], Any] = lambda r: r) -> Response:
    """Turn the library's response object into a werkzeug one."""
    if answer.code >= 400:
        return error_response(answer.code, "request_failed", answer.message)
    if answer.result is None:
        return json_response({"status": answer.message}, answer.code)
    return json_response(transform(answer.result), answer.code, content_type=answer.media_type)


def _service(platform: Platform, request: Request, scopes: list[str]) -> HarnessAgsService:
    config = service_config(platform, request)
    return HarnessAgsService(HarnessRequest(request), config, platform, scopes)


def handle_lineitems(platform: Platform, request: Request) -> Response:
    """``GET``/``POST {url}/lineitems?context=...``: list or create line items."""
    if request.method == "GET":
        service = _service(platform, request, _READ_SCOPES)
        answer = service.handle_resp(service.handle_get_lineitems)
        answer.set_media_type(MEDIA_LINEITEM_CONTAINER)
        return to_response(answer, lambda page: page["content"])
    service = _service(platform, request, [SCOPE_LINEITEM])
    if request.mimetype != MEDIA_LINEITEM:
        raise HttpError(415, "invalid_request", f"Content-Type must be {MEDIA_LINEITEM}")
    errors = line_item_errors(request.get_json(force=True, silent=True))
    if errors:
        raise HttpError(400, "invalid_request", "; ".join(errors))
    return to_response(service.handle_resp(service.handle_create_lineitem))


def handle_lineitem(platform: Platform, request: Request, lineitem_id: str) -> Response:
    """``GET {url}/lineitems/<id>``."""
    service = _service(platform, request, _READ_SCOPES)
    return to_response(service.handle_resp(service.handle_get_lineitem, line_item_id=lineitem_id))


def handle_results(platform: Platform, request: Request, lineitem_id: str) -> Response:
    """``GET {url}/lineitems/<id>/results``."""
    service = _service(platform, request, [SCOPE_RESULT_READONLY])
    answer = service.handle_resp(service.handle_get_results, line_item_id=lineitem_id)
    answer.set_media_type(MEDIA_RESULT_CONTAINER)
    return to_response(answer, lambda page: page["content"])


def handle_scores(platform: Platform, request: Request, lineitem_id: str) -> Response:
    """``POST {url}/lineitems/<id>/scores[?query]``, after any injected delay or failure."""
    delay, failure = platform.gradebook_store.take_faults()
    if delay:
        platform.wait(delay)
    body = request.get_json(force=True, silent=True)
    query = request.query_string.decode("latin-1")
    if failure is not None:
        platform.gradebook_store.log_request(lineitem_id, body, failure, query)
        return error_response(failure, "injected_failure", "fail_next_scores")
    try:
        service = _service(platform, request, [SCOPE_SCORE])
    except HttpError as error:
        platform.gradebook_store.log_request(lineitem_id, body, error.status, query)
        raise
    answer = service.handle_resp(service.handle_update_score, line_item_id=lineitem_id)
    platform.gradebook_store.log_request(lineitem_id, body, answer.code, query)
    return to_response(answer)


def line_item_errors(body: object) -> list[str]:
    """What is wrong with a line item body sent by the tool."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    errors = [f"unknown field {name!r}" for name in sorted(set(body) - set(_LINE_ITEM_FIELDS))]
    for name, kind in _LINE_ITEM_FIELDS.items():
        value = body.get(name)
        if name in body and (
            not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))
        ):
            errors.append(f"{name} has the wrong type")
    if not isinstance(body.get("label"), str) or not body["label"].strip():
        errors.append("label is required")
    maximum = body.get("scoreMaximum")
    if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
        errors.append("scoreMaximum must be a positive number")
    return errors
