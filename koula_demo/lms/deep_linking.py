"""``POST {url}/deep_link_return``: verify the tool's deep-linking response and place its items.

``lti1p3platform`` verifies the JWT against the tool's JWKS (RS256, by ``kid``), checks the
message type and the accepted content-item types; it skips ``iss``, ``aud``, ``nonce``,
``deployment_id``, ``version`` and the ``data`` echo, which are checked here.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import jwt
import requests
from lti1p3platform.exceptions import LtiDeepLinkingResponseException, LtiException
from werkzeug.wrappers import Request, Response

from .ags import line_item_errors
from .constants import (
    CLAIM_DEPLOYMENT_ID,
    CLAIM_DL_CONTENT_ITEMS,
    CLAIM_DL_DATA,
    CLAIM_VERSION,
)
from .library import HarnessPlatformConfig
from .models import DeepLinkRequest
from .web import HttpError

if TYPE_CHECKING:
    from .harness import Platform


def handle_deep_link_return(platform: Platform, request: Request) -> Response:
    """Check the ``JWT`` form field; record its content items and create their line items."""
    token = request.form.get("JWT")
    if not token:
        raise HttpError(400, "invalid_request", "the form field JWT is missing")
    try:
        client_id = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as error:
        raise HttpError(400, "invalid_request", f"JWT cannot be decoded: {error}") from error
    tool = platform.tools.get(client_id) if isinstance(client_id, str) else None
    if tool is None:
        raise HttpError(400, "invalid_request", f"iss {client_id!r} is no registered client_id")
    config = HarnessPlatformConfig(platform=platform, tool=tool)
    config.set_accepted_deeplinking_types(["ltiResourceLink"])
    try:
        claims = config.tool_validate_and_decode(token)
        items = config.validate_deeplinking_resp({"JWT": token})
    except (
        LtiException,
        LtiDeepLinkingResponseException,
        jwt.PyJWTError,
        requests.RequestException,
        KeyError,
    ) as error:
        raise HttpError(400, "invalid_request", f"JWT rejected: {error!r}") from error
    pending = platform.deep_link_request(claims.get(CLAIM_DL_DATA))
    problems = _claim_problems(platform, claims, tool.deployment_ids)
    if pending is None or pending.client_id != tool.client_id:
        problems.append("data does not echo a deep-linking request made to this tool")
    elif claims.get(CLAIM_DEPLOYMENT_ID) != pending.deployment_id:
        problems.append("deployment_id differs from the request's")
    for item in items:
        if item.get("type") == "ltiResourceLink" and "lineItem" in item:
            problems += [f"lineItem: {error}" for error in line_item_errors(item["lineItem"])]
    if problems:
        raise HttpError(400, "invalid_request", "; ".join(problems))
    assert pending is not None
    platform.place_deep_link_items(pending, items)
    listing = "".join(f"<li>{escape(str(item.get('title', item['type'])))}</li>" for item in items)
    return Response(
        f"<!doctype html><p>Deep linking response received.</p><ul>{listing}</ul>",
        content_type="text/html",
    )


def _claim_problems(
    platform: Platform, claims: dict[str, Any], deployment_ids: list[str]
) -> list[str]:
    problems = []
    audience = claims.get("aud")
    if platform.issuer not in (audience if isinstance(audience, list) else [audience]):
        problems.append("aud must be the platform issuer")
    if not isinstance(claims.get("nonce"), str) or not claims["nonce"]:
        problems.append("nonce is required")
    if "exp" not in claims:
        problems.append("exp is required")
    if claims.get(CLAIM_VERSION) != "1.3.0":
        problems.append("version must be 1.3.0")
    if claims.get(CLAIM_DEPLOYMENT_ID) not in deployment_ids:
        problems.append("deployment_id is not one of this tool's")
    if not isinstance(claims.get(CLAIM_DL_CONTENT_ITEMS), list):
        problems.append("content_items must be a list")
    return problems


def placement(platform: Platform, request: DeepLinkRequest, item: dict[str, Any]) -> dict[str, Any]:
    """A new resource link for ``item`` in the request's context, with its line item if any."""
    link_id = f"dl-link-{len(platform.placements) + 1}"
    lineitem_id = None
    if "lineItem" in item:
        spec = dict(item["lineItem"])
        lineitem_id = platform.create_line_item(
            request.client_id,
            request.context_id,
            label=spec.pop("label"),
            score_maximum=spec.pop("scoreMaximum"),
            resource_link_id=link_id,
            tag=spec.pop("tag", None),
            resource_id=spec.pop("resourceId", None),
            extra=spec,
        ).id
    return {
        "resource_link_id": link_id,
        "context_id": request.context_id,
        "client_id": request.client_id,
        "item": item,
        "lineitem_id": lineitem_id,
    }
