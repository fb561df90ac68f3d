"""The OIDC side of a launch: the login initiation parameters and the ``/auth`` endpoint.

``lti1p3platform`` builds the login URL (``OIDCLoginAbstract.prepare_preflight_url``) and
the signed id_token (``LTIAdvantageMessageLaunchAbstract``); its check of the tool's
authentication request only covers nonce, state, redirect_uri presence and client_id, so
scope, response_type/mode, prompt, the registered redirect_uri and both hints are checked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from lti1p3platform.exceptions import PreflightRequestValidationException
from werkzeug.wrappers import Request, Response

from .constants import (
    CLAIM_LAUNCH_PRESENTATION,
    CLAIM_TOOL_PLATFORM,
    DEEP_LINKING_REQUEST,
    PRODUCT_FAMILY_CODE,
)
from .library import HarnessMessageLaunch, HarnessOIDCLogin, HarnessPlatformConfig, HarnessRequest
from .models import LaunchSpec, ToolRecord
from .web import HttpError

if TYPE_CHECKING:
    from .harness import Platform

COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"


def login_initiation(
    platform: Platform, tool: ToolRecord, spec: LaunchSpec, storage_target: str | None
) -> dict[str, str]:
    """The parameters of the third-party-initiated login, built by the library."""
    config = HarnessPlatformConfig(platform=platform, tool=tool, deployment_id=spec.deployment_id)
    login = HarnessOIDCLogin(None, config)
    login.set_lti_message_hint(hint=spec.hint)
    if spec.message_type == DEEP_LINKING_REQUEST:
        login.set_deeplinking_launch_url()
    url: str = login.initiate_login(spec.user)
    own = dict(parse_qsl(urlsplit(tool.login_url).query))
    params = {k: v for k, v in parse_qsl(urlsplit(url).query) if own.get(k) != v}
    if storage_target:
        params["lti_storage_target"] = storage_target
    return params


def login_url_with(tool: ToolRecord, params: dict[str, str]) -> str:
    """The tool's login URL with ``params`` added to its query string."""
    joiner = "&" if urlsplit(tool.login_url).query else "?"
    return f"{tool.login_url}{joiner}{urlencode(params)}"


def handle_authorize(platform: Platform, request: Request) -> Response:
    """``GET``/``POST {url}/auth``: check the tool's request, answer the form_post page."""
    params = (request.args if request.method == "GET" else request.form).to_dict()
    platform.last_auth_request = params
    spec = platform.take_launch(params.get("lti_message_hint", ""))
    if spec is None:
        raise HttpError(400, "invalid_request", "lti_message_hint is not one this platform issued")
    tool = platform.tools[spec.client_id]
    if not tool.active:
        raise HttpError(403, "access_denied", "the tool is pending activation by an admin")
    problems = _request_problems(params, spec, tool)
    if problems:
        raise HttpError(400, "invalid_request", "; ".join(problems))
    config = HarnessPlatformConfig(
        platform=platform,
        tool=tool,
        deployment_id=spec.deployment_id,
        signer=lambda payload: platform.sign_launch(spec, payload),
    )
    launch = HarnessMessageLaunch(HarnessRequest(request), config)
    _set_claims(platform, launch, spec)
    try:
        page = launch.lti_launch()
    except PreflightRequestValidationException as error:
        raise HttpError(400, "invalid_request", "nonce, state or redirect_uri missing") from error
    platform.last_state = params["state"]
    return Response(page, content_type="text/html")


def _request_problems(params: dict[str, str], spec: LaunchSpec, tool: ToolRecord) -> list[str]:
    expected = {
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": spec.client_id,
        "login_hint": spec.user,
    }
    problems = [f"{k} must be {v!r}" for k, v in expected.items() if params.get(k) != v]
    if "openid" not in params.get("scope", "").split():
        problems.append("scope must be openid")
    if params.get("redirect_uri") not in tool.redirect_uris:
        problems.append(f"redirect_uri {params.get('redirect_uri')!r} is not registered")
    problems += [f"{name} is required" for name in ("nonce", "state") if not params.get(name)]
    return problems


def _set_claims(platform: Platform, launch: HarnessMessageLaunch, spec: LaunchSpec) -> None:
    """Fill the library's launch message from the spec."""
    user = platform.user_info(spec.user)
    launch.set_user_data(spec.user, list(spec.roles), user["name"], user["email"])
    if spec.resource_link_id and spec.message_type != DEEP_LINKING_REQUEST:
        title = spec.resource_link_title or "Koula activity"
        launch.set_resource_link_claim(spec.resource_link_id, title=title)
    if spec.context_id:
        launch.set_launch_context_claim(
            spec.context_id, [COURSE_OFFERING], f"Course {spec.context_id}", spec.context_id
        )
        launch.set_ags(f"{platform.url}/lineitems?context={spec.context_id}", spec.lineitem_url)
        launch.set_nrps(f"{platform.url}/memberships/{spec.context_id}")
    launch.set_launch_presentation_claim("iframe", f"{platform.url}/return")
    presentation = launch.lti_claim_launch_presentation or {}
    presentation[CLAIM_LAUNCH_PRESENTATION]["locale"] = spec.locale
    if spec.custom is not None:
        launch.set_custom_parameters_claim(spec.custom)
    launch.set_extra_claims(
        {
            CLAIM_TOOL_PLATFORM: {
                "guid": platform.url,
                "name": "Koula test platform",
                "product_family_code": PRODUCT_FAMILY_CODE,
            }
        }
    )
    if spec.message_type == DEEP_LINKING_REQUEST:
        assert spec.deep_link_return_url is not None
        launch.set_dl(
            spec.deep_link_return_url,
            title="Add Koula",
            accept_types={"ltiResourceLink"},
            extra_data=spec.deep_link_data,  # the spec's data is a string, not the dict typed
        )
    elif spec.message_type != "LtiResourceLinkRequest":
        launch.set_extra_claims(
            {"https://purl.imsglobal.org/spec/lti/claim/message_type": spec.message_type}
        )
