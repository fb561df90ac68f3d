"""Adapters that plug the harness into ``lti1p3platform``'s abstract classes.

The library brings the protocol pieces: OIDC login parameters, the launch message and
its claims (AGS, NRPS, deep linking), signing with the platform key, verifying tool JWTs
against the tool's JWKS, the access-token response and the AGS/NRPS request handlers.
These adapters supply storage, tighten what the library leaves lenient (one scope per
endpoint, known and unexpired tokens, a refetch of the tool JWKS on an unknown ``kid``)
and route the library's signing through :meth:`Platform.sign` so tests can forge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, cast

import jwt
from lti1p3platform.exceptions import LineItemNotFoundException, LtiException, LtiServiceException
from lti1p3platform.lineitem import TLineItem
from lti1p3platform.ltiplatform import JWKS, LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import TScore, UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
    TPage,
)
from werkzeug.wrappers import Request as WerkzeugRequest

from .keys import SigningKey
from .models import ToolRecord

if TYPE_CHECKING:
    from .harness import Platform

Signer = Callable[[dict[str, Any]], str]
_INTEGER_PARAMS = ("page", "limit")


class HarnessRequest(Request):
    """The library's request view of a werkzeug request (paging numbers as ints)."""

    query_string: str = ""

    def build_metadata(self, request: WerkzeugRequest) -> TRequest:
        self.query_string = request.query_string.decode("latin-1")
        args: dict[str, Any] = dict(request.args.items())
        for name in _INTEGER_PARAMS:
            # The library adds 1 to ``page``: a string from the query string would crash it.
            if name in args and str(args[name]).isdigit():
                args[name] = int(args[name])
        return {
            "method": request.method,
            "form_data": dict(request.form.items()),
            "get_data": args,
            "headers": request.headers,
            "content_type": request.mimetype,
            "path": request.path,
            "json": request.get_json(force=True, silent=True),
        }


class HarnessRegistration(Registration):
    """A registration whose platform signatures go through the harness signer."""

    def __init__(self, signer: Signer | None = None) -> None:
        self._signer = signer

    def platform_encode_and_sign(
        self, payload: dict[str, Any], expiration: int | None = None
    ) -> str:
        if self._signer is None:
            return super().platform_encode_and_sign(payload, expiration=expiration)
        if expiration:
            now = int(time.time())
            payload.update({"iat": now, "exp": now + expiration})
        return self._signer(payload)


class HarnessPlatformConfig(LTI1P3PlatformConfAbstract):
    """Per-request platform configuration for one tool (the library keeps state per instance)."""

    def init_platform_config(self, **kwargs: Any) -> None:
        self._platform: Platform = kwargs["platform"]
        self._tool: ToolRecord = kwargs["tool"]
        self._deployment_id: str = kwargs.get("deployment_id") or self._tool.deployment_id
        self._key: SigningKey = kwargs.get("key") or self._platform.current_key
        self._signer: Signer | None = kwargs.get("signer")
        # The library's verifying methods assert a registration but never load one.
        self.get_registration()

    @property
    def client_id(self) -> str:
        return self._tool.client_id

    @property
    def key(self) -> SigningKey:
        return self._key

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        tool = self._tool
        registration = (
            HarnessRegistration(self._signer)
            .set_iss(self._platform.issuer)
            .set_client_id(tool.client_id)
            .set_deployment_id(self._deployment_id)
            .set_launch_url(tool.launch_url)
            .set_oidc_login_url(tool.login_url)
            .set_deeplink_launch_url(tool.deep_link_url or tool.launch_url)
            .set_tool_key_set_url(tool.jwks_url)
            .set_platform_private_key(self._key.private_pem)
            .set_platform_public_key(self._key.public_pem)
        )
        if tool.key_set:
            registration.set_tool_key_set(cast(JWKS, tool.key_set))
        return registration

    def get_tool_key_set(self) -> JWKS:
        key_set = super().get_tool_key_set()
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LtiException("the tool's JWKS is not a JSON object with a 'keys' list")
        self._tool.key_set = dict(key_set)
        return key_set

    def get_tool_public_key(self) -> bytes:
        try:
            return super().get_tool_public_key()
        except LtiException as error:
            if "Unable to find public key" not in str(error) or not self._tool.key_set:
                raise
        # An unknown kid: the tool may have rotated its key; fetch its JWKS once more.
        self._tool.key_set = None
        self.get_registration().set_tool_key_set(cast(JWKS, None))
        return super().get_tool_public_key()

    def validate_token(
        self,
        token: str,
        allowed_scopes: list[str] | None = None,
        audience: str | None = None,
    ) -> bool:
        """Accept only a live token we issued to this tool, holding one of ``allowed_scopes``."""
        grant = self._platform.access_grant(token)
        if grant is None or grant.client_id != self._tool.client_id:
            raise LtiServiceException("unknown or expired access token", 401)
        try:
            valid = super().validate_token(token, allowed_scopes, audience)
        except (LtiException, jwt.PyJWTError) as error:
            raise LtiServiceException(f"invalid access token: {error}", 401) from error
        if not valid:
            raise LtiServiceException(f"the token lacks the scope {allowed_scopes}", 403)
        return True


class HarnessOIDCLogin(OIDCLoginAbstract):
    """Builds the third-party-initiated login URL (the library's ``prepare_preflight_url``)."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class HarnessMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """Builds and signs the id_token; renders the self-submitting form_post page."""

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> str:
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{escape(str(launch_data[name]))}">'
            for name in ("id_token", "state")
        )
        action = escape(str(launch_data["launch_url"]))
        return (
            '<!doctype html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{action}">{fields}'
            '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
        )


class HarnessAgsService(AssignmentsGradesService):
    """AGS storage for the library's handlers; ``scopes`` are those this endpoint demands."""

    def __init__(
        self,
        request: Request,
        config: HarnessPlatformConfig,
        platform: Platform,
        scopes: list[str],
        lineitem_url: str | None = None,
    ) -> None:
        super().__init__(request, config, f"{platform.url}/lineitems", lineitem_url)
        self._platform = platform
        self._scopes = scopes
        self._client_id = config.get_registration().get_client_id() or ""

    @property
    def allowed_scopes(self) -> list[str]:
        return self._scopes

    def find_lineitems(
        self,
        page: int = 1,
        limit: int | None = None,
        line_item_id: str | None = None,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
        **filters: Any,
    ) -> TPage:
        items = [
            self._platform.line_item_json(item)
            for item in self._platform.line_items_of(self._client_id, filters.get("context"))
            if (resource_link_id is None or item.resource_link_id == resource_link_id)
            and (resource_id is None or item.resource_id == resource_id)
            and (tag is None or item.tag == tag)
        ]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id: str) -> TLineItem:
        item = self._platform.line_item(line_item_id)
        if item is None or item.client_id != self._client_id:
            raise LineItemNotFoundException(line_item_id)
        return cast(TLineItem, self._platform.line_item_json(item))

    def create_lineitem(self, creation_data: TLineItem) -> TLineItem:
        data = dict(creation_data)
        item = self._platform.create_line_item(
            self._client_id,
            self.request.get_data.get("context") if self.request else None,
            label=data.pop("label"),
            score_maximum=data.pop("scoreMaximum"),
            resource_link_id=data.pop("resourceLinkId", None),
            tag=data.pop("tag", None),
            resource_id=data.pop("resourceId", None),
            extra=data,
        )
        return cast(TLineItem, self._platform.line_item_json(item))

    def update_lineitem(self, update_data: TLineItem) -> TLineItem:
        raise LtiServiceException("updating line items is not supported by the test platform", 405)

    def delete_lineitem(self, line_item_id: str) -> None:
        raise LtiServiceException("deleting line items is not supported by the test platform", 405)

    def update_score(self, line_item_id: str, score: TScore) -> UpdateScoreStatus:
        self.find_lineitem(line_item_id)
        return self._platform.receive_score(
            line_item_id, self._client_id, cast(HarnessRequest, self.request), score
        )

    def get_results(
        self,
        line_item_id: str,
        page: int = 1,
        limit: int | None = None,
        user_id: str | None = None,
    ) -> TPage:
        item = self.find_lineitem(line_item_id)
        results = [
            {
                "id": f"{item['id']}/results/{user}",
                "scoreOf": item["id"],
                "userId": user,
                "resultScore": body.get("scoreGiven"),
                "resultMaximum": body.get("scoreMaximum"),
                **({"comment": body["comment"]} if "comment" in body else {}),
            }
            for user, body in self._platform.gradebook(line_item_id).items()
            if user_id is None or user == user_id
        ]
        return {"content": results, "has_next": False, "next": None}


class HarnessNrpsService(NamesRoleProvisioningService):
    """NRPS storage for the library's ``handle_get_members``; pages by the platform page size."""

    def __init__(
        self, request: Request, config: HarnessPlatformConfig, platform: Platform, context: str
    ) -> None:
        super().__init__(request, config, f"{platform.url}/memberships/{context}")
        self._platform = platform
        self._context_id = context
        self._client_id = config.get_registration().get_client_id() or ""

    def get_member_data_page(
        self,
        page: int = 1,
        limit: int | None = None,
        role: str | None = None,
        since: str | None = None,
        **_: Any,
    ) -> TPage:
        members = [
            dict(member)
            for member in self._platform.members[self._context_id]
            if role is None or role in member.get("roles", ())
        ]
        size = max(1, limit or self._platform.nrps_page_size)
        start = (max(1, page) - 1) * size
        return {"content": members[start : start + size], "has_next": start + size < len(members)}

    def get_context_by_id(self) -> Context:
        return Context(
            id=self._context_id, label=self._context_id, title=f"Course {self._context_id}"
        )

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return self._platform.knows_resource_link(self._client_id, context_id, resource_link_id)
