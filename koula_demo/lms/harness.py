"""``Platform``: a real LTI 1.3 Advantage platform on loopback (tests and the demo sandbox).

It serves the JWKS, the OpenID configuration and dynamic registration, the OIDC
authorization endpoint, the token endpoint, AGS line items and scores, NRPS and the
deep-linking return, and drives launches as a browser would. Its state is plain
attributes and methods so tests can set faults and read what the tool sent.
"""

from __future__ import annotations

import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace, TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from . import deep_linking, nrps, oauth, oidc, registration
from .app import WSGIApp, make_wsgi_app
from .browser import follow_redirects, submit_auto_form
from .constants import (
    DEEP_LINKING_REQUEST,
    HTTP_TIMEOUT,
    RESOURCE_LINK_REQUEST,
    ROLE_LEARNER,
)
from .keys import SigningKey, generate_key, sign_jwt
from .library import HarnessRequest
from .models import AccessGrant, DeepLinkRequest, LaunchSpec, LineItem, TokenMutator, ToolRecord
from .scores import Gradebook
from .server import BackgroundServer
from .web import HttpError


class Platform:
    """An LTI 1.3 platform serving on ``http://127.0.0.1:<port>`` until :meth:`close`."""

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, port: int = 0) -> None:
        self._lock = threading.RLock()
        self._closing = threading.Event()
        self.keys: list[SigningKey] = [generate_key()]
        self.tools: dict[str, ToolRecord] = {}
        self.issuer_override: str | None = None
        self.pending_activation = False
        self.members: defaultdict[str, list[dict[str, Any]]] = defaultdict(nrps.default_members)
        self.nrps_page_size = 3
        self.lineitem_url_query: str | None = None
        self.deep_link_items: list[dict[str, Any]] = []
        self.placements: list[dict[str, Any]] = []
        self.last_id_token: str | None = None
        self.last_state: str | None = None
        self.last_auth_request: dict[str, str] | None = None
        self.server_errors: list[str] = []
        self.grants = oauth.Grants()
        self.gradebook_store = Gradebook(self.is_known_user)
        self._launches: dict[str, LaunchSpec] = {}
        self._registration_tokens: set[str] = set()
        self._deep_link_requests: dict[str, DeepLinkRequest] = {}
        self._launched_users: set[str] = set()
        self._resource_links: set[tuple[str, str | None, str]] = set()
        self._server = BackgroundServer(self.wsgi_app(), name="lti-test-platform", port=port)
        self.url: str = self._server.url

    # -- lifecycle ---------------------------------------------------------------------

    def wsgi_app(self) -> WSGIApp:
        """The WSGI application served (a subclass may wrap it with pages of its own)."""
        return make_wsgi_app(self)

    def close(self) -> None:
        """Stop serving (pending slow answers are cut short)."""
        self._closing.set()
        self._server.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` unless the platform closes first."""
        self._closing.wait(seconds)

    # -- URLs --------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def auth_url(self) -> str:
        return f"{self.url}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks.json"

    @property
    def registration_url(self) -> str:
        return f"{self.url}/register"

    @property
    def openid_configuration_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def deep_link_return_url(self) -> str:
        return f"{self.url}/deep_link_return"

    # -- keys --------------------------------------------------------------------------

    @property
    def current_key(self) -> SigningKey:
        return self.keys[-1]

    def rotate_key(self) -> SigningKey:
        """Make a new key for the next id_tokens; the JWKS publishes old and new."""
        key = generate_key()
        with self._lock:
            self.keys.append(key)
        return key

    @staticmethod
    def unpublished_key() -> SigningKey:
        """A fresh RSA key that is not in the JWKS (for forged signatures)."""
        return generate_key()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk for key in self.keys]}

    def sign(
        self,
        payload: dict[str, Any],
        headers: dict[str, Any] | None = None,
        *,
        alg: str = "RS256",
        key: SigningKey | str | bytes | None = None,
    ) -> str:
        """Sign as the platform (current key), or forge: ``alg="none"``, ``"HS256"`` (default
        secret: the public PEM), ``key=platform.unpublished_key()``, ``headers={"kid": ...}``."""
        return sign_jwt(payload, headers, alg=alg, key=key or self.current_key)

    # -- tools -------------------------------------------------------------------------

    def add_tool(
        self,
        client_id: str,
        deployment_id: str,
        *,
        login_url: str,
        launch_url: str,
        jwks_url: str,
        redirect_uris: Sequence[str] | None = None,
        deep_link_url: str | None = None,
    ) -> ToolRecord:
        """Register a tool by hand (active at once)."""
        uris = list(redirect_uris or [launch_url, *([deep_link_url] if deep_link_url else [])])
        tool = ToolRecord(
            client_id, [deployment_id], login_url, launch_url, jwks_url, uris, deep_link_url
        )
        with self._lock:
            self.tools[client_id] = tool
        return tool

    def activate(self, client_id: str) -> None:
        """Activate a tool created pending (``pending_activation = True``)."""
        with self._lock:
            self.tools[client_id].active = True

    def registration_start_url(self, tool_register_url: str) -> str:
        """The URL an admin's browser opens to register a tool, with a fresh one-time token."""
        registration_token = secrets.token_urlsafe(24)
        with self._lock:
            self._registration_tokens.add(registration_token)
        query = urlencode(
            {
                "openid_configuration": self.openid_configuration_url,
                "registration_token": registration_token,
            }
        )
        return f"{tool_register_url}{'&' if urlsplit(tool_register_url).query else '?'}{query}"

    def registration_token_is_open(self, registration_token: str) -> bool:
        with self._lock:
            return registration_token in self._registration_tokens

    def register_tool(self, registration_token: str, metadata: dict[str, Any]) -> ToolRecord:
        """Store a dynamically registered tool, spending its registration token."""
        with self._lock:
            if registration_token not in self._registration_tokens:
                raise HttpError(401, "invalid_token", "the registration_token was already used")
            self._registration_tokens.discard(registration_token)
            number = len(self.tools) + 1
            tool = registration.tool_record(
                f"client-{number}-{secrets.token_hex(4)}", f"deployment-{number}", metadata
            )
            tool.active = not self.pending_activation
            self.tools[tool.client_id] = tool
            return tool

    # -- launches ----------------------------------------------------------------------

    def launch(
        self,
        session: requests.Session,
        *,
        client_id: str,
        user: str = "learner-1",
        roles: Iterable[str] = (ROLE_LEARNER,),
        resource_link_id: str | None = "rl-1",
        message_type: str = RESOURCE_LINK_REQUEST,
        custom: dict[str, Any] | None = None,
        locale: str = "en",
        context_id: str | None = "course-1",
        lineitem: bool = True,
        deep_link_return_url: str | None = None,
        extra_claims: dict[str, Any] | None = None,
        drop_claims: Sequence[str] = (),
        token_mutator: TokenMutator | None = None,
        login_via: str = "GET",
        lti_storage_target: str | None = None,
        deployment_id: str | None = None,
        alg: str = "RS256",
        key: SigningKey | str | bytes | None = None,
        id_token_transform: Callable[[str], str] | None = None,
    ) -> requests.Response:
        """Run a whole third-party-initiated launch in ``session``; return the tool's answer.

        Login initiation (GET or POST) → the tool's redirect to ``/auth`` → the id_token
        form posted to the tool's ``redirect_uri``. When the tool answers its login with
        anything but a redirect (an error, or a platform-storage page), that is returned.
        """
        tool = self.tools[client_id]
        if login_via not in ("GET", "POST"):
            raise ValueError("login_via must be GET or POST")
        placement = self._placement(client_id, context_id, resource_link_id)
        if custom is None and placement is not None:
            custom = placement["item"].get("custom")
        is_link = message_type == RESOURCE_LINK_REQUEST
        is_deep_link = message_type == DEEP_LINKING_REQUEST
        spec = LaunchSpec(
            hint=secrets.token_urlsafe(16),
            client_id=client_id,
            deployment_id=deployment_id or tool.deployment_id,
            user=user,
            roles=list(roles),
            message_type=message_type,
            resource_link_id=resource_link_id,
            context_id=context_id,
            custom=custom,
            locale=locale,
            lineitem_url=(
                self._launch_line_item(client_id, context_id, resource_link_id)
                if lineitem and is_link
                else None
            ),
            deep_link_return_url=deep_link_return_url or self.deep_link_return_url,
            deep_link_data=secrets.token_urlsafe(12) if is_deep_link else None,
            extra_claims=dict(extra_claims or {}),
            resource_link_title=(
                str(placement["item"].get("title") or "") or None if placement else None
            ),
            drop_claims=tuple(drop_claims),
            token_mutator=token_mutator,
            alg=alg,
            key=key,
            id_token_transform=id_token_transform,
        )
        self._remember_launch(spec)
        params = oidc.login_initiation(self, tool, spec, lti_storage_target)
        if login_via == "POST":
            response = session.post(
                tool.login_url, data=params, allow_redirects=False, timeout=HTTP_TIMEOUT
            )
        else:
            response = session.get(
                oidc.login_url_with(tool, params), allow_redirects=False, timeout=HTTP_TIMEOUT
            )
        response = follow_redirects(session, response)
        if response.ok and response.url.split("?")[0] == self.auth_url:
            return submit_auto_form(session, response)
        return response

    def login_initiation_url(self, **launch: Any) -> str:
        """The tool's login URL that starts a launch in a real browser (GET), made as
        :meth:`launch` would (same keyword arguments but ``session`` and ``login_via``)."""
        catcher = _UrlCatcher()
        self.launch(catcher, login_via="GET", **launch)  # type: ignore[arg-type]
        return catcher.url

    def post_launch(
        self, session: requests.Session, launch_url: str, id_token: str, state: str
    ) -> requests.Response:
        """POST an id_token and state to a launch URL (e.g. to replay a captured launch)."""
        return session.post(
            launch_url, data={"id_token": id_token, "state": state}, timeout=HTTP_TIMEOUT
        )

    def _remember_launch(self, spec: LaunchSpec) -> None:
        with self._lock:
            self._launches[spec.hint] = spec
            self._launched_users.add(spec.user)
            if spec.resource_link_id:
                self._resource_links.add((spec.client_id, spec.context_id, spec.resource_link_id))
            if spec.deep_link_data:
                self._deep_link_requests[spec.deep_link_data] = DeepLinkRequest(
                    spec.deep_link_data, spec.client_id, spec.deployment_id, spec.context_id
                )

    def _launch_line_item(
        self, client_id: str, context_id: str | None, resource_link_id: str | None
    ) -> str | None:
        """The link's line item URL, made ("Koula", 100) on the first launch."""
        if context_id is None:
            return None
        with self._lock:
            for item in self.line_items_of(client_id, context_id):
                if item.resource_link_id == resource_link_id:
                    return self.line_item_url(item)
            item = self.create_line_item(
                client_id, context_id, label="Koula", score_maximum=100,
                resource_link_id=resource_link_id,
            )  # fmt: skip
            return self.line_item_url(item)

    def take_launch(self, hint: str) -> LaunchSpec | None:
        """The launch awaiting ``hint`` (each hint serves one authorization request)."""
        with self._lock:
            return self._launches.pop(hint, None)

    def sign_launch(self, spec: LaunchSpec, payload: dict[str, Any]) -> str:
        """Apply the launch's forging hooks to the library's payload and sign it."""
        payload.update(spec.extra_claims)
        for name in spec.drop_claims:
            payload.pop(name, None)
        headers: dict[str, Any] = {}
        if spec.token_mutator is not None:
            payload, headers = spec.token_mutator(payload, headers)
        id_token = self.sign(payload, headers, alg=spec.alg, key=spec.key)
        if spec.id_token_transform is not None:
            id_token = spec.id_token_transform(id_token)
        with self._lock:
            self.last_id_token = id_token
        return id_token

    def user_info(self, user: str) -> dict[str, Any]:
        for members in self.members.values():
            for member in members:
                if member["user_id"] == user:
                    return member
        return nrps.member(user, [])

    def is_known_user(self, user: str) -> bool:
        with self._lock:
            if user in self._launched_users:
                return True
            return any(m["user_id"] == user for ms in self.members.values() for m in ms)

    def knows_resource_link(self, client_id: str, context_id: str, resource_link_id: str) -> bool:
        with self._lock:
            return (client_id, context_id, resource_link_id) in self._resource_links

    # -- AGS ---------------------------------------------------------------------------

    @property
    def tokens_issued(self) -> int:
        return self.grants.issued

    def access_grant(self, access_token: str) -> AccessGrant | None:
        return self.grants.find(access_token)

    @property
    def ungradable_users(self) -> set[str]:
        return self.gradebook_store.ungradable_users

    @property
    def line_items(self) -> dict[str, LineItem]:
        return self.gradebook_store.line_items

    def create_line_item(
        self,
        client_id: str,
        context_id: str | None,
        *,
        label: str,
        score_maximum: float,
        resource_link_id: str | None = None,
        tag: str | None = None,
        resource_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> LineItem:
        return self.gradebook_store.create_line_item(
            client_id=client_id,
            context_id=context_id,
            label=label,
            score_maximum=score_maximum,
            resource_link_id=resource_link_id,
            tag=tag,
            resource_id=resource_id,
            extra=dict(extra or {}),
        )

    def line_item(self, lineitem_id: str) -> LineItem | None:
        return self.line_items.get(lineitem_id)

    def line_items_of(self, client_id: str, context_id: str | None) -> list[LineItem]:
        return [
            item
            for item in list(self.line_items.values())
            if item.client_id == client_id and (context_id is None or item.context_id == context_id)
        ]

    def line_item_url(self, item: LineItem | str) -> str:
        """The line item's URL, with ``lineitem_url_query`` (e.g. Moodle's ``type_id=1``)."""
        lineitem_id = item.id if isinstance(item, LineItem) else item
        query = f"?{self.lineitem_url_query}" if self.lineitem_url_query else ""
        return f"{self.url}/lineitems/{lineitem_id}{query}"

    def line_item_json(self, item: LineItem) -> dict[str, Any]:
        return item.as_json(self.line_item_url(item))

    def receive_score(
        self, lineitem_id: str, client_id: str, request: HarnessRequest, score: Any
    ) -> Any:
        return self.gradebook_store.receive(
            lineitem_id, client_id, request.content_type, score, request.query_string
        )

    def scores(self, lineitem_id: str | None = None) -> list[dict[str, Any]]:
        """Every accepted score with its ``lineitem_id``, ``user_id``, ``body``, ``query``
        (the query string it was posted with) and ``received_at`` (epoch seconds)."""
        return self.gradebook_store.scores(lineitem_id)

    @property
    def score_requests(self) -> list[dict[str, Any]]:
        """Every score request received, accepted or not, with the ``status`` answered."""
        return list(self.gradebook_store.requests)

    def gradebook(self, lineitem_id: str) -> dict[str, dict[str, Any]]:
        """User → stored score body (newest second wins; no scoreGiven unless FullyGraded)."""
        return self.gradebook_store.grades(lineitem_id)

    def fail_next_scores(self, n: int, status: int = 500) -> None:
        """Answer the next ``n`` score requests with ``status`` (nothing recorded)."""
        self.gradebook_store.fail_next(n, status)

    def slow_next_scores(self, n: int, seconds: float) -> None:
        """Wait ``seconds`` before handling each of the next ``n`` score requests."""
        self.gradebook_store.slow_next(n, seconds)

    def score_fault_rates(
        self,
        *,
        fail: float = 0.0,
        status: int = 500,
        slow: float = 0.0,
        seconds: float = 0.5,
        seed: int | None = None,
    ) -> None:
        """From now on, fail a share ``fail`` of score requests with ``status`` and delay
        another share ``slow`` by ``seconds`` (drawn per request; ``seed`` repeats a run).
        ``fail_next_scores`` and ``slow_next_scores`` still come first; all zero stops."""
        self.gradebook_store.fault_rates(fail, status, slow, seconds, seed)

    # -- deep linking ------------------------------------------------------------------

    def deep_link_request(self, data: object) -> DeepLinkRequest | None:
        with self._lock:
            return self._deep_link_requests.get(data) if isinstance(data, str) else None

    def place_deep_link_items(self, request: DeepLinkRequest, items: list[dict[str, Any]]) -> None:
        """Record returned items; each ltiResourceLink becomes a link, with its line item."""
        with self._lock:
            self._deep_link_requests.pop(request.data, None)
            for item in items:
                self.deep_link_items.append(item)
                if item.get("type") == "ltiResourceLink":
                    placement = deep_linking.placement(self, request, item)
                    self._resource_links.add(
                        (request.client_id, request.context_id, placement["resource_link_id"])
                    )
                    self.placements.append(placement)

    def _placement(
        self, client_id: str, context_id: str | None, resource_link_id: str | None
    ) -> dict[str, Any] | None:
        wanted = (client_id, context_id, resource_link_id)
        with self._lock:
            for placement in self.placements:
                keys = ("client_id", "context_id", "resource_link_id")
                if tuple(placement[key] for key in keys) == wanted:
                    return placement
        return None


class _UrlCatcher:
    """Stands in for the browser in :meth:`Platform.launch`: keeps the first URL opened."""

    url = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        self.url = url
        return SimpleNamespace(is_redirect=False, ok=False, url=url)
