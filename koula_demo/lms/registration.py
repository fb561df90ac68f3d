"""LTI Dynamic Registration 1.0 (absent from ``lti1p3platform``): configuration and ``/register``.

The checks of the tool's client metadata follow the spec's required values strictly; a
fault answers 400 with ``{"error": "invalid_client_metadata", "error_description": ...}``.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from .constants import (
    DEEP_LINKING_REQUEST,
    MESSAGE_TYPES,
    PLATFORM_CONFIGURATION,
    PRODUCT_FAMILY_CODE,
    RESOURCE_LINK_REQUEST,
    SERVICE_SCOPES,
    TOOL_CONFIGURATION,
)
from .models import ToolRecord
from .web import HttpError, json_response

if TYPE_CHECKING:
    from .harness import Platform

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CLAIMS_SUPPORTED = [
    "iss", "sub", "aud", "iat", "exp", "nonce", "azp",
    "name", "given_name", "family_name", "email", "locale",
]  # fmt: skip


def openid_configuration(platform: Platform) -> dict[str, Any]:
    """The platform's OpenID configuration, advertising ``issuer_override`` when set."""
    return {
        "issuer": platform.issuer_override or platform.issuer,
        "authorization_endpoint": platform.auth_url,
        "token_endpoint": platform.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": platform.jwks_url,
        "registration_endpoint": platform.registration_url,
        "scopes_supported": ["openid", *SERVICE_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": CLAIMS_SUPPORTED,
        PLATFORM_CONFIGURATION: {
            "product_family_code": PRODUCT_FAMILY_CODE,
            "version": version("lti1p3platform"),
            "messages_supported": [
                {"type": RESOURCE_LINK_REQUEST},
                {"type": DEEP_LINKING_REQUEST, "placements": ["ContentArea"]},
            ],
            "variables": ["ResourceLink.id", "Context.id", "User.id"],
        },
    }


def handle_register(platform: Platform, request: Request) -> Response:
    """``POST /register``: check the token and metadata, store the tool, answer its ids."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not platform.registration_token_is_open(token.strip()):
        raise HttpError(401, "invalid_token", "a fresh registration_token is required as Bearer")
    if request.mimetype != "application/json":
        raise HttpError(400, "invalid_client_metadata", "Content-Type must be application/json")
    metadata = request.get_json(force=True, silent=True)
    errors = metadata_errors(metadata)
    if errors:
        raise HttpError(400, "invalid_client_metadata", "; ".join(errors))
    assert isinstance(metadata, dict)
    tool = platform.register_tool(token.strip(), metadata)
    answer = {
        **metadata,
        "client_id": tool.client_id,
        TOOL_CONFIGURATION: {**metadata[TOOL_CONFIGURATION], "deployment_id": tool.deployment_id},
    }
    return json_response(answer)


def tool_record(client_id: str, deployment_id: str, metadata: dict[str, Any]) -> ToolRecord:
    """The tool registration made from checked client metadata."""
    config = metadata[TOOL_CONFIGURATION]
    deep_link_url = next(
        (
            message.get("target_link_uri") or config["target_link_uri"]
            for message in config["messages"]
            if message["type"] == DEEP_LINKING_REQUEST
        ),
        None,
    )
    return ToolRecord(
        client_id=client_id,
        deployment_ids=[deployment_id],
        login_url=metadata["initiate_login_uri"],
        launch_url=config["target_link_uri"],
        jwks_url=metadata["jwks_uri"],
        redirect_uris=list(metadata["redirect_uris"]),
        deep_link_url=deep_link_url,
        metadata=metadata,
    )


def _url_error(name: str, value: object) -> str | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or not parts.hostname:
        return f"{name} must be an absolute URL"
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return f"{name} must use https (http only on loopback)"
    return None


def metadata_errors(metadata: object) -> list[str]:
    """Everything wrong with the tool's client metadata (empty when acceptable)."""
    if not isinstance(metadata, dict):
        return ["the body must be a JSON object"]
    errors = []
    expected = {
        "application_type": "web",
        "response_types": ["id_token"],
        "token_endpoint_auth_method": "private_key_jwt",
    }
    errors += [f"{k} must be {v!r}" for k, v in expected.items() if metadata.get(k) != v]
    grants = metadata.get("grant_types")
    if not isinstance(grants, list) or not {"implicit", "client_credentials"} <= set(grants):
        errors.append("grant_types must include implicit and client_credentials")
    for name in ("initiate_login_uri", "jwks_uri"):
        errors.append(_url_error(name, metadata.get(name)) or "")
    redirect_uris = metadata.get("redirect_uris")
    if not isinstance(redirect_uris, list) or not redirect_uris:
        errors.append("redirect_uris must be a non-empty list")
    else:
        errors += [_url_error("redirect_uris[]", uri) or "" for uri in redirect_uris]
    scope = metadata.get("scope", "")
    if not isinstance(scope, str) or not set(scope.split()) <= set(SERVICE_SCOPES):
        errors.append(f"scope must be a space-separated subset of {list(SERVICE_SCOPES)}")
    errors += _tool_configuration_errors(metadata.get(TOOL_CONFIGURATION))
    return [error for error in errors if error]


def _tool_configuration_errors(config: object) -> list[str]:
    name = TOOL_CONFIGURATION
    if not isinstance(config, dict):
        return [f"{name} must be an object"]
    errors = [_url_error(f"{name}.target_link_uri", config.get("target_link_uri")) or ""]
    domain = config.get("domain")
    target = urlsplit(str(config.get("target_link_uri", "")))
    if not isinstance(domain, str) or not domain:
        errors.append(f"{name}.domain is required")
    elif domain not in (target.hostname, target.netloc):
        errors.append(f"{name}.domain must be the host of target_link_uri")
    claims = config.get("claims")
    if not isinstance(claims, list) or not all(isinstance(claim, str) for claim in claims):
        errors.append(f"{name}.claims must be a list of claim names")
    messages = config.get("messages")
    if not isinstance(messages, list):
        return [*errors, f"{name}.messages must be a list"]
    for message in messages:
        if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
            errors.append(f"{name}.messages[].type must be one of {list(MESSAGE_TYPES)}")
        elif "target_link_uri" in message:
            errors.append(
                _url_error("messages[].target_link_uri", message["target_link_uri"]) or ""
            )
    return errors
