"""Plain records kept by the test platform: tools, launches in flight, grants, line items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .keys import SigningKey

TokenMutator = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]


@dataclass
class ToolRecord:
    """A tool registered with the platform, by hand or by dynamic registration."""

    client_id: str
    deployment_ids: list[str]
    login_url: str
    launch_url: str
    jwks_url: str
    redirect_uris: list[str]
    deep_link_url: str | None = None
    active: bool = True
    metadata: dict[str, Any] | None = None
    key_set: dict[str, Any] | None = None

    @property
    def deployment_id(self) -> str:
        return self.deployment_ids[0]


@dataclass
class LaunchSpec:
    """What the platform will put in the id_token once the tool comes back to ``/auth``."""

    hint: str
    client_id: str
    deployment_id: str
    user: str
    roles: list[str]
    message_type: str
    resource_link_id: str | None
    context_id: str | None
    custom: dict[str, Any] | None
    locale: str
    lineitem_url: str | None
    deep_link_return_url: str | None
    deep_link_data: str | None
    extra_claims: dict[str, Any] = field(default_factory=dict)
    # The placed item's title (deep linking), sent as the resource link's title.
    resource_link_title: str | None = None
    drop_claims: Sequence[str] = ()
    token_mutator: TokenMutator | None = None
    alg: str = "RS256"
    key: SigningKey | str | bytes | None = None
    id_token_transform: Callable[[str], str] | None = None


@dataclass(frozen=True)
class AccessGrant:
    """An OAuth2 access token issued by the token endpoint."""

    token: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float
    key: SigningKey


@dataclass
class LineItem:
    """An AGS line item (a gradebook column)."""

    id: str
    client_id: str
    context_id: str | None
    label: str
    score_maximum: float
    resource_link_id: str | None = None
    tag: str | None = None
    resource_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self, url: str) -> dict[str, Any]:
        body: dict[str, Any] = {"id": url, "label": self.label, "scoreMaximum": self.score_maximum}
        for key, value in (
            ("resourceLinkId", self.resource_link_id),
            ("tag", self.tag),
            ("resourceId", self.resource_id),
        ):
            if value is not None:
                body[key] = value
        return {**body, **self.extra}


@dataclass(frozen=True)
class DeepLinkRequest:
    """A deep-linking request in flight, found again by its ``data`` value."""

    data: str
    client_id: str
    deployment_id: str
    context_id: str | None
