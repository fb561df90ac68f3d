"""The one way the tool calls another server: :func:`send`, under a :class:`Policy`.

Every outbound request (a platform's OpenID configuration and registration endpoint, its
keys, tokens, line items, scores, results and rosters) obeys the same rules:

* **One deadline for the whole request** (``Policy.timeout``): name lookup, connection,
  TLS, sending, the headers and the last byte of the body. A watchdog cuts the socket
  when it passes, so a server that answers one byte a second cannot hold a thread longer.
* **A size cap** (``Policy.max_bytes``) on the decoded body: a bigger answer is an error.
* **TLS verified** against the certifi bundle (or ``Policy.ca_certs``), for the URL's
  host name, even though the connection goes to a pinned address.
* **No redirect to another origin**; a GET follows at most ``max_redirects`` same-origin
  redirects, other methods none.
* **Addresses checked and pinned**: the host is resolved once per request, every address
  it resolves to is checked with :func:`lti.addresses.address_refusal` (loopback, private,
  link-local, multicast, unspecified... refused, except for ``private_hosts`` and when
  ``any_address``), and the connection goes to that very address, with the host name sent
  for SNI, certificate checking and ``Host``. A second lookup never happens, so a name
  cannot be re-pointed ("DNS rebinding") between check and use.

Idle keep-alive connections are reused only for the same host, port and checked address.
The clients that use :func:`send` (AGS, NRPS, score delivery, the roster read) take it as
a :class:`Transport` argument that defaults to it, so tests give them a platform of their
own instead of the network. Errors are ``requests`` exceptions, so callers keep their
handling::

    requests.RequestException
    ├── OutboundRefused        the policy refused: nothing was sent
    ├── ResponseTooLarge       the answer passed max_bytes
    ├── requests.ConnectionError (SSLError...)  no connection, TLS failure, cut answer
    └── requests.Timeout
        ├── requests.ConnectTimeout  no connection before the deadline: nothing was sent
        └── DeadlineExceeded         sent, but no whole answer before the deadline
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import http.client
import json as jsonlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit

import certifi
import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.util.ssl_match_hostname import CertificateError as NameMismatch

from lti.addresses import DEFAULT_PORTS, address_refusal, origin, parse_address

__all__ = [
    "DeadlineExceeded",
    "OutboundRefused",
    "Policy",
    "ResponseTooLarge",
    "Transport",
    "forget_connections",
    "resolve_host",
    "send",
]

USER_AGENT = "Koula-LTI/0.1"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 65536
IDLE_PER_ORIGIN = 4
IDLE_ORIGINS = 64
Resolver = Callable[[str, int], list[str]]
Key = tuple[str, str, int, str, str | None]  # scheme, host, port, pinned address, CA bundle


class OutboundRefused(requests.RequestException):
    """The outbound policy refused the request before anything was sent."""


class ResponseTooLarge(requests.RequestException):
    """The answer is longer than the policy's ``max_bytes``."""


class DeadlineExceeded(requests.ReadTimeout):
    """The request was sent, but its whole answer did not come before the deadline."""


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (in its order, no repeats)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@dataclass(frozen=True)
class Policy:
    """What one outbound request may do; see the module docstring."""

    timeout: float  # seconds for the whole request, lookup to last byte
    max_bytes: int  # the longest (decoded) answer read
    private_hosts: frozenset[str] = frozenset()  # lower-case hosts an admin vouched for
    any_address: bool = False  # the tool itself runs on loopback: no address is refused
    resolve: Resolver = resolve_host
    ca_certs: str | None = None  # None: certifi's bundle (lti.http passes REQUESTS_CA_BUNDLE)
    max_redirects: int = 3


class Transport(Protocol):
    """What sends a request: :func:`send` itself, or a test's platform with its signature."""

    def __call__(
        self,
        method: str,
        url: str,
        *,
        policy: Policy,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | None = None,
        json: Any = None,
        until: float | None = None,
    ) -> requests.Response: ...


def send(
    method: str,
    url: str,
    *,
    policy: Policy,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | bytes | None = None,
    json: Any = None,
    until: float | None = None,
) -> requests.Response:
    """Send one request under ``policy`` and return the whole answer (any status).

    ``until`` (a :func:`time.monotonic` instant) ends the request earlier than the policy's
    timeout: a caller's budget for several requests. Raise a ``requests`` exception (see
    the module docstring) when no answer can be had.
    """
    deadline = time.monotonic() + policy.timeout
    if until is not None:
        deadline = min(deadline, until)
    method = method.upper()
    body, sent = _body(data, json, headers)
    for _hop in range(policy.max_redirects + 1):
        response = _once(method, url, body, sent, policy, deadline)
        location = response.headers.get("Location")
        if method != "GET" or response.status_code not in REDIRECTS or not location:
            return response
        target = urljoin(url, location)
        if _origin(target) != _origin(url):
            raise OutboundRefused(f"{url} redirects to another origin ({target[:200]}): refused")
        url = target
    raise OutboundRefused(f"more than {policy.max_redirects} redirects from {url}")


def _origin(url: str) -> str:
    try:
        return origin(url)
    except ValueError as exc:
        raise OutboundRefused(str(exc)) from exc


def _body(
    data: Mapping[str, str] | bytes | None, json: Any, headers: Mapping[str, str] | None
) -> tuple[bytes | None, dict[str, str]]:
    sent = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
    sent.update(headers or {})
    lower = {name.lower() for name in sent}
    if json is not None:
        if "content-type" not in lower:
            sent["Content-Type"] = "application/json"
        return jsonlib.dumps(json).encode(), sent
    if isinstance(data, Mapping):
        if "content-type" not in lower:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        return urlencode(data).encode(), sent
    return data, sent


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    target: str  # path and query
    body: bytes | None
    headers: dict[str, str]


def _once(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    policy: Policy,
    deadline: float,
) -> requests.Response:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise OutboundRefused(f"not an http(s) URL: {url[:200]!r}")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("a URL with a user name or password is refused")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise OutboundRefused(f"malformed port in {url[:200]!r}") from exc
    host = parts.hostname.rstrip(".")
    addresses = _checked(host, _lookup(host, port, policy, deadline), policy)
    request = _Request(
        method,
        url,
        (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        body,
        {**headers, "Host": _host_header(host, port, scheme)},
    )
    unreachable: requests.RequestException | None = None
    for address in addresses:
        key: Key = (scheme, host, port, address, policy.ca_certs)
        try:
            kept = _pool.take(key)
            if kept is not None:
                try:
                    return _exchange(kept, key, request, policy, deadline, reused=True)
                except _Stale:
                    if method != "GET":  # it may have been received: not sent twice
                        raise requests.ConnectionError(
                            f"{url}: the kept-alive connection was cut"
                        ) from None
            return _exchange(_connect(key, deadline), key, request, policy, deadline, reused=False)
        except _Unreachable as exc:
            unreachable = exc  # this address cannot be reached: try the next one
    raise unreachable or requests.ConnectionError(f"{host} has no address")


def _lookup(host: str, port: int, policy: Policy, deadline: float) -> list[str]:
    """Resolve ``host`` once, within the deadline (an IP literal needs no lookup)."""
    if parse_address(host) is not None:
        return [host.strip("[]")]
    future = _resolvers.submit(policy.resolve, host, port)
    try:
        addresses = future.result(timeout=max(deadline - time.monotonic(), 0))
    except concurrent.futures.TimeoutError:
        raise requests.ConnectTimeout(f"looking up {host} took too long") from None
    except (OSError, UnicodeError) as exc:
        raise requests.ConnectionError(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise requests.ConnectionError(f"{host} resolves to no address")
    return addresses


def _checked(host: str, addresses: list[str], policy: Policy) -> list[str]:
    """``addresses`` if the policy lets the tool connect to every one; else OutboundRefused."""
    if policy.any_address or host.lower() in policy.private_hosts:
        return addresses
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            where = (
                f"{host} is" if host.strip("[]") == address else f"{host} resolves to {address},"
            )
            raise OutboundRefused(
                f"{where} a {reason} address: refused (an administrator can register this "
                "host with 'koula platforms add')"
            )
    return addresses


def _host_header(host: str, port: int, scheme: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"


class _Unreachable(requests.ConnectionError):
    """No connection to this address (refused, unreachable): another address may do."""


class _Stale(Exception):
    """A connection closed before anything came back."""


def _connect(key: Key, deadline: float) -> HTTPConnection:
    """A new connection to the pinned address ``key[3]``, TLS checked for the name ``key[1]``."""
    scheme, host, port, address, ca_certs = key
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise requests.ConnectTimeout(f"no time left to connect to {host}")
    conn: HTTPConnection
    if scheme == "https":
        conn = HTTPSConnection(
            address,
            port,
            timeout=remaining,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs or certifi.where(),
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        conn = HTTPConnection(address, port, timeout=remaining)
    watchdog = _Watchdog(remaining, conn)
    try:
        conn.connect()
    except Exception as exc:
        conn.close()
        if watchdog.fired or _connect_timed_out(exc):
            raise requests.ConnectTimeout(f"no connection to {host} ({address}) in time") from exc
        if isinstance(exc, ssl.SSLError | NameMismatch | urllib3.exceptions.SSLError):
            raise requests.exceptions.SSLError(f"TLS with {host} ({address}): {exc}") from exc
        if isinstance(exc, OSError | urllib3.exceptions.HTTPError):
            raise _Unreachable(f"cannot connect to {host} ({address}): {exc}") from exc
        raise
    finally:
        watchdog.cancel()
    return conn


def _exchange(
    conn: HTTPConnection,
    key: Key,
    request: _Request,
    policy: Policy,
    deadline: float,
    *,
    reused: bool,
) -> requests.Response:
    """Send ``request`` on ``conn`` and read the whole answer before ``deadline``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        conn.close()
        raise requests.ConnectTimeout(f"no time left to send to {request.url}")
    conn.timeout = remaining  # each socket operation; the watchdog bounds them all together
    watchdog = _Watchdog(remaining, conn)
    watchdog.hold(conn.sock)
    answered = False
    try:
        conn.request(
            request.method,
            request.target,
            body=request.body,
            headers=request.headers,
            preload_content=False,
            decode_content=True,
        )
        answer = conn.getresponse()
        answered = True
        content = _read(answer, policy.max_bytes, deadline, request.url)
    except ResponseTooLarge:
        conn.close()
        raise
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError, ValueError) as exc:
        conn.close()
        if watchdog.fired or time.monotonic() >= deadline or _timed_out(exc):
            raise DeadlineExceeded(
                f"{request.url}: no whole answer within {policy.timeout:g} s"
            ) from exc
        if reused and not answered and isinstance(exc, _STALE):
            raise _Stale(str(exc)) from exc
        raise requests.ConnectionError(f"{request.url}: {type(exc).__name__}: {exc}") from exc
    finally:
        watchdog.cancel()
    if conn.is_connected:
        _pool.give(key, conn)
    else:
        conn.close()
    return _response(answer, content, request.url)


_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _connect_timed_out(exc: BaseException) -> bool:
    """True for a connection attempt that timed out (urllib3's NewConnectionError, a refused
    or unreachable address, subclasses its ConnectTimeoutError: it is not one)."""
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(exc, TimeoutError | urllib3.exceptions.ConnectTimeoutError)


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError)


def _read(answer: urllib3.HTTPResponse, max_bytes: int, deadline: float, url: str) -> bytes:
    """The decoded body, at most ``max_bytes``; raise ResponseTooLarge or DeadlineExceeded."""
    length = answer.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise ResponseTooLarge(f"{url}: the answer ({length} bytes) is over {max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    while chunk := answer.read(CHUNK, decode_content=True):
        total += len(chunk)
        if total > max_bytes:
            raise ResponseTooLarge(f"{url}: the answer is over {max_bytes} bytes")
        chunks.append(chunk)
        if time.monotonic() >= deadline:
            raise TimeoutError("deadline passed while reading")
    answer.close()
    return b"".join(chunks)


def _response(answer: urllib3.HTTPResponse, content: bytes, url: str) -> requests.Response:
    """A plain ``requests.Response`` holding the whole answer (``.json()``, ``.links``...)."""
    response = requests.Response()
    response.status_code = answer.status
    response.headers = CaseInsensitiveDict(answer.headers)
    response._content = content
    response.url = url
    response.reason = answer.reason or ""
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    return response


class _Watchdog:
    """Cuts ``conn``'s socket when ``seconds`` pass, unless cancelled first."""

    def __init__(self, seconds: float, conn: HTTPConnection) -> None:
        self.fired = False
        self._conn = conn
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def hold(self, sock: socket.socket | None) -> None:
        """Keep ``sock`` to cut: the connection may drop its own reference while reading."""
        with self._lock:
            self._sock = sock
            if self.fired and sock is not None:
                _cut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self._sock or self._conn.sock
            if sock is not None:
                _cut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _cut(sock: socket.socket) -> None:
    """Shut the socket down under a blocked read (the plain socket's method, also for TLS)."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Idle:
    """Idle keep-alive connections per (scheme, host, port, address, CA bundle)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: collections.OrderedDict[Key, list[HTTPConnection]] = collections.OrderedDict()

    def take(self, key: Key) -> HTTPConnection | None:
        with self._lock:
            kept = self._idle.get(key) or []
            while kept:
                conn = kept.pop()
                if conn.is_connected:
                    return conn
                conn.close()
        return None

    def give(self, key: Key, conn: HTTPConnection) -> None:
        with self._lock:
            kept = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(kept) < IDLE_PER_ORIGIN:
                kept.append(conn)
                conn = None  # type: ignore[assignment]
            while len(self._idle) > IDLE_ORIGINS:
                for old in self._idle.popitem(last=False)[1]:
                    old.close()
        if conn is not None:
            conn.close()

    def clear(self) -> None:
        with self._lock:
            for kept in self._idle.values():
                for conn in kept:
                    conn.close()
            self._idle.clear()


_pool = _Idle()
_resolvers = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="resolve")


def forget_connections() -> None:
    """Close every idle kept-alive connection (tests, and after a change of policy)."""
    _pool.clear()
