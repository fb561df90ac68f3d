"""Small loopback servers for the outbound-policy tests: one that records what reaches it,
one that drips its answer a byte a second, and a TLS certificate for a made-up host name.

Every server listens on a loopback address only and stops when its ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Answer = Callable[[BaseHTTPRequestHandler], None]


def json_answer(body: bytes = b'{"ok": true}', status: int = 200) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


@dataclass
class Recorder:
    """A loopback HTTP server that answers with ``answer`` and records every request."""

    url: str
    port: int
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, Host
    connections: set[tuple[str, int]] = field(default_factory=set)  # every one accepted


@contextmanager
def recording(
    answer: Answer | None = None, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> Iterator[Recorder]:
    """Serve on ``host`` (a loopback address) until the block ends; yield its Recorder."""
    respond = answer or json_answer()
    holder: list[Recorder] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            recorder = holder[0]
            recorder.requests.append((self.command, self.path, self.headers.get("Host", "")))
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            respond(self)

        do_GET = do_POST = do_PUT = _any

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]

    def accepted(request: object, client_address: tuple[str, int]) -> bool:
        holder[0].connections.add(client_address)  # every connection, even one never used
        return True

    server.verify_request = accepted  # type: ignore[method-assign,assignment]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    scheme = "https" if tls is not None else "http"
    holder.append(Recorder(f"{scheme}://{host}:{port}", port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Drip:
    """A loopback server that answers one byte a second: a whole, valid HTTP answer that
    takes about ``len(ANSWER)`` seconds to arrive."""

    url: str
    connections: int = 0


DRIP_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


@contextmanager
def dripping(seconds_per_byte: float = 1.0) -> Iterator[Drip]:
    """Serve the drip on 127.0.0.1 until the block ends (every connection is then cut)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    drip = Drip(f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.5)
            with contextlib.suppress(OSError):
                conn.recv(65536)  # the request (its first packet is enough here)
            for byte in DRIP_ANSWER:
                if stop.wait(seconds_per_byte):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            drip.connections += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield drip
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (a name or an IP address) and its key, as PEM
    files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([_subject(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{host}.pem", folder / f"{host}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _subject(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def server_tls(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def wait_until(check: Callable[[], bool], seconds: float) -> bool:
    """Poll ``check`` until it is true or ``seconds`` pass; return its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()
