"""The floor of ``launch_cost.py``: the smallest LTI 1.3 tool that still does every check.

A plain WSGI application (no framework), served by gunicorn like Koula. Per request it
does what a correct tool cannot skip (``docs/lti.md``, "Login and launch"), and nothing
else:

* ``GET|POST /login``: ``iss``, ``login_hint`` and ``client_id`` checked against the one
  registration (read once per process, at the first request); a fresh ``state`` and
  ``nonce`` inserted as one row with its expiry; a ``SameSite=None; Secure; Partitioned``
  state cookie; a redirect to the platform's authorization URL (scope openid,
  response_type id_token, response_mode form_post, prompt none, the registered
  redirect_uri, the hints, state, nonce).
* ``POST /launch``: the state cookie equal to the posted ``state``; the ``id_token``
  verified RS256 only, with the platform key chosen by ``kid`` (fetched from the JWKS at
  the first launch of the process, then cached; refetched on an unknown ``kid`` at most
  every 10 s), ``iss`` exact, ``aud`` holding the client id, ``azp`` when present, ``exp``
  and ``iat`` with 60 s leeway, ``nonce`` required; the state consumed once (deleted with
  its expiry checked), the nonce equal to the login's and consumed once (a unique row);
  ``deployment_id``, ``version`` 1.3.0, ``message_type``, ``roles``, ``sub``,
  ``resource_link.id`` and ``target_link_uri`` checked; one launch row inserted; a small
  page answered with an HMAC-signed bearer token for the actions, ``Cache-Control:
  no-store``, ``X-Content-Type-Options`` and a ``frame-ancestors`` policy. Every refusal
  is a 4xx page.
* ``POST /action/<name>``: the bearer token checked (HMAC, expiry), the body parsed as
  JSON and validated (an object whose ``values`` is an object of short strings or lists
  of them), one row updated in one transaction, a small JSON answer.

Configuration comes from the environment once per process: ``FLOOR_DATABASE`` (a SQLite
path or a ``postgresql://`` URL), ``FLOOR_BASE_URL``, ``FLOOR_ISSUER``,
``FLOOR_CLIENT_ID``, ``FLOOR_DEPLOYMENT_ID``, ``FLOOR_AUTH_URL``, ``FLOOR_JWKS_URL``,
``FLOOR_SECRET``. ``python benchmarks/floor_tool.py migrate`` creates its tables.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import secrets
import sqlite3
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt

Start = Callable[[str, list[tuple[str, str]]], Any]

LEEWAY = 60
LOGIN_SECONDS = 600
TOKEN_SECONDS = 7200
MAX_BODY = 64 * 1024
VERSION = "https://purl.imsglobal.org/spec/lti/claim/version"
MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
DEPLOYMENT = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
TARGET = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
SCHEMA = (
    "CREATE TABLE login (state VARCHAR(64) PRIMARY KEY, nonce VARCHAR(64) NOT NULL, "
    "expires_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE used_nonce (nonce VARCHAR(255) PRIMARY KEY, expires_at DOUBLE PRECISION)",
    "CREATE TABLE launch (id {serial} PRIMARY KEY, sub VARCHAR(255) NOT NULL, "
    "resource_link VARCHAR(255) NOT NULL, state TEXT NOT NULL DEFAULT '{{}}', "
    "updated_at DOUBLE PRECISION NOT NULL)",
)


class Refused(Exception):
    """A request the tool refuses: answered with ``status`` and a short page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Store:
    """One database connection per process (SQLite file or PostgreSQL), ``%s`` parameters."""

    def __init__(self, target: str) -> None:
        self.postgres = target.startswith("postgres")
        if self.postgres:
            import psycopg

            self.connection: Any = psycopg.connect(target)
        else:
            self.connection = sqlite3.connect(target, timeout=20, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")

    def transaction(self, work: Callable[[Callable[..., Any]], Any]) -> Any:
        """Run ``work(execute)`` in one transaction (rolled back if it raises); return its
        result. ``execute(sql, *params)`` returns the statement's first row, or None."""
        if self.postgres:
            with self.connection.transaction():
                return work(self._postgres_row)
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            result = work(self._sqlite_row)
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")
        return result

    def _postgres_row(self, sql: str, *params: Any) -> Any:
        cursor = self.connection.execute(sql, params)
        return cursor.fetchone() if cursor.description else None

    def _sqlite_row(self, sql: str, *params: Any) -> Any:
        return self.connection.execute(sql.replace("%s", "?"), params).fetchone()

    def migrate(self) -> None:
        serial = "BIGSERIAL" if self.postgres else "INTEGER"
        self.transaction(lambda execute: [execute(sql.format(serial=serial)) for sql in SCHEMA])


class Config:
    """The tool's settings and its one registration, read once per process."""

    def __init__(self) -> None:
        env = os.environ
        self.base_url = env["FLOOR_BASE_URL"]
        self.issuer = env["FLOOR_ISSUER"]
        self.client_id = env["FLOOR_CLIENT_ID"]
        self.deployment_id = env["FLOOR_DEPLOYMENT_ID"]
        self.auth_url = env["FLOOR_AUTH_URL"]
        self.jwks_url = env["FLOOR_JWKS_URL"]
        self.secret = env["FLOOR_SECRET"].encode()
        self.database = env["FLOOR_DATABASE"]


class Keys:
    """The platform's public keys by ``kid``: fetched once, refetched on an unknown kid at
    most every 10 seconds."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys: dict[str, Any] = {}
        self.fetched_at = 0.0
        self.lock = threading.Lock()

    def get(self, kid: str) -> Any:
        if kid not in self.keys and time.monotonic() - self.fetched_at > 10:
            with self.lock:
                self.fetched_at = time.monotonic()
                with urllib.request.urlopen(self.url, timeout=5) as answer:
                    published = json.load(answer)["keys"]
                self.keys = {
                    jwk["kid"]: jwt.PyJWK(jwk, "RS256").key
                    for jwk in published
                    if jwk.get("kty") == "RSA" and jwk.get("kid")
                }
        if kid not in self.keys:
            raise Refused(400, "unknown key")
        return self.keys[kid]


class FloorTool:
    """The WSGI application (lazily connected: gunicorn forks its workers first)."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._store: Store | None = None
        self._keys: Keys | None = None

    def __call__(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        if self._config is None:
            self._config = Config()
            self._store = Store(self._config.database)
            self._keys = Keys(self._config.jwks_url)
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if path == "/login" and method in ("GET", "POST"):
                return self.login(environ, start)
            if path == "/launch" and method == "POST":
                return self.launch(environ, start)
            if path.startswith("/action/") and method == "POST":
                return self.action(environ, start)
            raise Refused(404, "not found")
        except Refused as refused:
            return _answer(start, refused.status, "text/plain", str(refused).encode())

    @property
    def config(self) -> Config:
        assert self._config is not None
        return self._config

    @property
    def store(self) -> Store:
        assert self._store is not None
        return self._store

    def login(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        params = _params(environ)
        config = self.config
        if params.get("iss") != config.issuer or not params.get("login_hint"):
            raise Refused(400, "unknown platform or no login_hint")
        if params.get("client_id", config.client_id) != config.client_id:
            raise Refused(400, "unknown client_id")
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()

        def record(execute: Callable[..., Any]) -> None:
            execute("DELETE FROM login WHERE expires_at < %s", now)
            execute(
                "INSERT INTO login (state, nonce, expires_at) VALUES (%s, %s, %s)",
                state,
                nonce,
                now + LOGIN_SECONDS,
            )

        self.store.transaction(record)
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": config.client_id,
            "redirect_uri": f"{config.base_url}/launch",
            "login_hint": params["login_hint"],
            "state": state,
            "nonce": nonce,
        }
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        cookie = (
            f"floor_state={state}; Max-Age={LOGIN_SECONDS}; Path=/; HttpOnly; "
            "SameSite=None; Secure; Partitioned"
        )
        start(
            "302 Found",
            [("Location", f"{config.auth_url}?{urlencode(query)}"), ("Set-Cookie", cookie)],
        )
        return [b""]

    def launch(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        form = _params(environ)
        id_token, state = form.get("id_token", ""), form.get("state", "")
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", "")).get("floor_state")
        if not id_token or not state or cookie is None or cookie.value != state:
            raise Refused(400, "no id_token, no state, or another browser's state")
        claims = self.verify(id_token)
        now = time.time()

        def consume(execute: Callable[..., Any]) -> Any:
            found = execute(
                "DELETE FROM login WHERE state = %s AND expires_at > %s RETURNING nonce",
                state,
                now,
            )
            if found is None or found[0] != claims["nonce"]:
                raise Refused(400, "unknown or used state, or a nonce not the login's")
            execute(
                "INSERT INTO used_nonce (nonce, expires_at) VALUES (%s, %s)",
                str(claims["nonce"]),
                float(claims["exp"]) + LEEWAY,
            )
            return execute(
                "INSERT INTO launch (sub, resource_link, updated_at) VALUES (%s, %s, %s) "
                "RETURNING id",
                claims["sub"],
                claims[RESOURCE_LINK]["id"],
                now,
            )

        try:
            row = self.store.transaction(consume)
        except (sqlite3.IntegrityError, _postgres_integrity_error()) as exc:
            raise Refused(400, "nonce already used") from exc
        token = self.token(row[0])
        page = (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Activity</title>'
            f'<main id="floor-activity" data-api="{self.config.base_url}/action" '
            f'data-token="{html.escape(token)}"><h1>Hello</h1></main></html>'
        ).encode()
        return _answer(start, 200, "text/html; charset=utf-8", page, private=True)

    def verify(self, id_token: str) -> dict[str, Any]:
        config = self.config
        try:
            header = jwt.get_unverified_header(id_token)
            if header.get("alg") != "RS256" or not header.get("kid"):
                raise Refused(400, "RS256 with a kid only")
            assert self._keys is not None
            claims: dict[str, Any] = jwt.decode(
                id_token,
                self._keys.get(str(header["kid"])),
                algorithms=["RS256"],
                audience=config.client_id,
                issuer=config.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "nonce", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Refused(400, f"invalid id_token: {exc}") from exc
        if claims.get("azp", config.client_id) != config.client_id:
            raise Refused(400, "azp is not our client id")
        if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and "azp" not in claims:
            raise Refused(400, "several audiences and no azp")
        if claims["iat"] > time.time() + LEEWAY:
            raise Refused(400, "iat in the future")
        link = claims.get(RESOURCE_LINK)
        if (
            claims.get(DEPLOYMENT) != config.deployment_id
            or claims.get(VERSION) != "1.3.0"
            or claims.get(MESSAGE_TYPE) != "LtiResourceLinkRequest"
            or not isinstance(claims.get(ROLES), list)
            or not isinstance(link, dict)
            or not link.get("id")
            or not claims.get(TARGET)
        ):
            raise Refused(400, "a required claim is missing or wrong")
        return claims

    def token(self, launch_id: int) -> str:
        payload = f"{launch_id}.{int(time.time()) + TOKEN_SECONDS}"
        mac = hmac.new(self.config.secret, payload.encode(), hashlib.sha256).digest()
        return f"{payload}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def bearer(self, environ: dict[str, Any]) -> int:
        header = environ.get("HTTP_AUTHORIZATION", "")
        launch_id, expires, mac = ([*header[7:].split("."), "", "", ""])[:3]
        wanted = hmac.new(
            self.config.secret, f"{launch_id}.{expires}".encode(), hashlib.sha256
        ).digest()
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)) if mac else b""
        if not header.startswith("Bearer ") or not hmac.compare_digest(wanted, given):
            raise Refused(401, "no or a bad bearer token")
        if int(expires) < time.time():
            raise Refused(401, "expired bearer token")
        return int(launch_id)

    def action(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        launch_id = self.bearer(environ)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            raise Refused(413, "body too large")
        try:
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except ValueError as exc:
            raise Refused(400, "not JSON") from exc
        values = body.get("values") if isinstance(body, dict) else None
        if not isinstance(values, dict) or not all(
            (isinstance(v, str) and len(v) < 2000)
            or (isinstance(v, list) and all(isinstance(i, str) and len(i) < 2000 for i in v))
            for v in values.values()
        ):
            raise Refused(400, "values must be an object of texts")
        name = environ["PATH_INFO"].rsplit("/", 1)[1]
        row = self.store.transaction(
            lambda execute: execute(
                "UPDATE launch SET state = %s, updated_at = %s WHERE id = %s RETURNING id",
                json.dumps({name: values}),
                time.time(),
                launch_id,
            )
        )
        if row is None:
            raise Refused(404, "no such launch")
        answer = json.dumps({"ok": True, "action": name}).encode()
        return _answer(start, 200, "application/json", answer, private=True)


def _postgres_integrity_error() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite only
        return sqlite3.IntegrityError
    return psycopg.IntegrityError


def _params(environ: dict[str, Any]) -> dict[str, str]:
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            raise Refused(413, "body too large")
        raw = environ["wsgi.input"].read(length).decode()
    else:
        raw = environ.get("QUERY_STRING", "")
    return dict(parse_qsl(raw))


def _answer(
    start: Start, status: int, kind: str, body: bytes, *, private: bool = False
) -> Iterable[bytes]:
    headers = [
        ("Content-Type", kind),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if kind.startswith("text/html"):
        headers.append(("Content-Security-Policy", "frame-ancestors 'self'; object-src 'none'"))
    if private:
        headers.append(("Cache-Control", "no-store"))
    reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
    start(f"{status} {reasons.get(status, 'Refused')}", headers)
    return [body]


application = FloorTool()

if __name__ == "__main__":
    if sys.argv[1:] != ["migrate"]:
        raise SystemExit("usage: floor_tool.py migrate   (with FLOOR_DATABASE set)")
    Store(os.environ["FLOOR_DATABASE"]).migrate()
