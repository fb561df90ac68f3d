"""The one outbound-call policy (``lti/outbound.py``, issue 9 point 2), in this process and
over real loopback HTTP: a deadline for the whole request, a size cap, TLS checked for the
URL's host name, no redirect to another origin, addresses judged with ``ipaddress`` and the
connection pinned to the very address checked. A test server that must be refused records
every request and connection it gets, and must get none.

Over ``koula serve`` (a tool with a public ``KOULA_BASE_URL``): dynamic registration by
invitation refuses configuration URLs on loopback in every spelling, without a request;
a platform an admin added on a private address still launches and gets its grades.
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
import requests.adapters

from koula_demo.learner_calls import CARD, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool
from lti.addresses import address_refusal, is_loopback_host, origin
from lti.config import ConfigError, check_url
from lti.outbound import (
    DeadlineExceeded,
    OutboundRefused,
    Policy,
    ResponseTooLarge,
    forget_connections,
    send,
)
from tests.lti.conftest import CONFIGURED
from tests.lti.outbound_servers import (
    Answer,
    certificate,
    dripping,
    json_answer,
    recording,
    server_tls,
    wait_until,
)
from tests.lti.test_service_origins import services_moved_to

OPEN = Policy(timeout=2, max_bytes=100_000, any_address=True)  # a tool on loopback
PUBLIC = Policy(timeout=2, max_bytes=100_000)  # a tool on the internet


@pytest.fixture(autouse=True)
def fresh_connections() -> Iterator[None]:
    forget_connections()
    yield
    forget_connections()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "0.0.0.0",
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fc00::1",
        "100.64.0.1",
        "224.0.0.1",
        "ff02::1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "64:ff9b::a01:203",  # NAT64 around 10.1.2.3
    ],
)
def test_every_address_that_is_not_public_is_refused(address):
    assert address_refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_a_public_address_is_allowed(address):
    assert address_refusal(address) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::ffff:127.0.0.1]", True),
        ("0.0.0.0", False),
        ("127.1", False),  # resolvers read it as 127.0.0.1; it is no address literal
        ("koula.example.org", False),
    ],
)
def test_loopback_is_judged_by_ipaddress_not_by_spelling(host, loopback):
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("url", ["http://0.0.0.0:8000", "http://127.1:8000", "http://10.0.0.5"])
def test_plain_http_is_refused_off_loopback_whatever_the_spelling(url):
    with pytest.raises(ConfigError):
        check_url(url, "KOULA_BASE_URL")


@pytest.mark.parametrize("url", ["http://127.0.0.2:8000", "http://[::ffff:127.0.0.1]:8000"])
def test_plain_http_is_accepted_on_any_loopback_address(url):
    assert check_url(url, "KOULA_BASE_URL") == url


def test_an_origin_has_one_spelling():
    assert origin("HTTPS://LMS.Example.org:443/path?x=1") == "https://lms.example.org"
    assert origin("http://lms.example.org.:8080/") == "http://lms.example.org:8080"
    assert origin("https://user@evil.example/") == "https://evil.example"


def test_a_tool_on_loopback_calls_a_loopback_server():
    with recording() as server:
        answer = send("GET", f"{server.url}/keys", policy=OPEN)
    assert answer.status_code == 200
    assert answer.json() == {"ok": True}


@pytest.mark.parametrize("spelling", ["127.0.0.1", "127.1", "[::ffff:127.0.0.1]", "0.0.0.0"])
def test_a_public_tool_sends_nothing_to_loopback_in_any_spelling(spelling):
    with recording() as internal, pytest.raises(OutboundRefused, match="address: refused"):
        send("GET", f"http://{spelling}:{internal.port}/admin", policy=PUBLIC)
    assert internal.requests == []
    assert internal.connections == set()


def test_a_name_is_resolved_once_and_the_connection_goes_to_the_address_checked():
    lookups: list[str] = []
    answers = iter([["127.0.0.1"], ["127.0.0.2"]])  # a second lookup would rebind the name

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    policy = Policy(
        timeout=2, max_bytes=1000, private_hosts=frozenset({"lms.test"}), resolve=resolve
    )
    with recording() as server:
        answer = send("GET", f"http://lms.test:{server.port}/jwks", policy=policy)
    assert answer.status_code == 200
    assert lookups == ["lms.test"]
    assert server.requests == [("GET", "/jwks", f"lms.test:{server.port}")]


def test_a_name_with_any_private_address_is_refused_before_any_connection():
    policy = Policy(
        timeout=2, max_bytes=1000, resolve=lambda host, port: ["93.184.216.34", "127.0.0.1"]
    )
    refused = re.escape("resolves to 127.0.0.1, a loopback address")
    with recording() as internal, pytest.raises(OutboundRefused, match=refused):
        send("GET", f"http://rebind.test:{internal.port}/", policy=policy)
    assert internal.requests == []


def test_a_host_an_admin_registered_may_be_private_and_no_other():
    policy = Policy(
        timeout=2,
        max_bytes=1000,
        private_hosts=frozenset({"moodle.intranet"}),
        resolve=lambda host, port: ["127.0.0.1"],
    )
    with recording() as server:
        assert send("GET", f"http://moodle.intranet:{server.port}/", policy=policy).ok
        with pytest.raises(OutboundRefused):
            send("GET", f"http://other.intranet:{server.port}/", policy=policy)
    assert [path for _, path, _ in server.requests] == ["/"]


def test_the_deadline_bounds_the_whole_request_not_each_read():
    with dripping() as drip:  # a whole answer, one byte a second: about 80 s
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            send("GET", f"{drip.url}/openid", policy=OPEN)
        elapsed = time.monotonic() - started
    print(f"\na server dripping a byte a second was cut after {elapsed:.2f} s (deadline 2 s)")


def test_an_answer_over_the_cap_is_refused():
    with recording(json_answer(b"x" * 200_000)) as server, pytest.raises(ResponseTooLarge):
        send("GET", f"{server.url}/big", policy=OPEN)


def _chunked_bomb(handler: BaseHTTPRequestHandler) -> None:
    """200 kB of zeros, gzipped to a few hundred bytes, in chunks and without a length."""
    packed = gzip.compress(b"0" * 200_000)
    handler.send_response(200)
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed))


def test_the_cap_counts_decoded_bytes_of_a_chunked_compressed_answer():
    with recording(_chunked_bomb) as server, pytest.raises(ResponseTooLarge):
        send("GET", f"{server.url}/bomb", policy=OPEN)


def _redirect_to(location: str) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/moved":
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            json_answer()(handler)

    return answer


def test_a_redirect_to_another_origin_is_refused_and_the_other_server_gets_nothing():
    with (
        recording() as other,
        recording(_redirect_to(f"{other.url}/steal")) as server,
        pytest.raises(OutboundRefused, match="another origin"),
    ):
        send("GET", f"{server.url}/moved", policy=OPEN)
    assert other.requests == []


def test_a_redirect_on_the_same_origin_is_followed_by_a_get_only():
    with recording(_redirect_to("/here")) as server:
        assert send("GET", f"{server.url}/moved", policy=OPEN).json() == {"ok": True}
        assert send("POST", f"{server.url}/moved", policy=OPEN, json={}).status_code == 302
    assert [(method, path) for method, path, _ in server.requests] == [
        ("GET", "/moved"),
        ("GET", "/here"),
        ("POST", "/moved"),
    ]


def test_a_url_with_user_info_is_refused():
    with recording() as server, pytest.raises(OutboundRefused, match="user name"):
        send("GET", f"http://user:secret@127.0.0.1:{server.port}/", policy=OPEN)
    assert server.requests == []


def test_tls_is_checked_for_the_host_name_while_connecting_to_the_pinned_address(tmp_path):
    cert, key = certificate(tmp_path, "lms.test")
    other_cert, other_key = certificate(tmp_path, "other.test")

    def policy(ca: str | None) -> Policy:
        return Policy(
            timeout=2,
            max_bytes=1000,
            private_hosts=frozenset({"lms.test"}),
            resolve=lambda host, port: ["127.0.0.1"],
            ca_certs=ca,
        )

    with recording(tls=server_tls(cert, key)) as server:
        url = f"https://lms.test:{server.port}/jwks"
        with pytest.raises(requests.exceptions.SSLError):
            send("GET", url, policy=policy(None))  # an unknown authority
        assert send("GET", url, policy=policy(str(cert))).json() == {"ok": True}
        assert server.requests == [("GET", "/jwks", f"lms.test:{server.port}")]
    with recording(tls=server_tls(other_cert, other_key)) as impostor:
        with pytest.raises(requests.exceptions.SSLError):  # trusted, but for another name
            send("GET", f"https://lms.test:{impostor.port}/", policy=policy(str(other_cert)))
        assert impostor.requests == []


def test_a_kept_alive_connection_is_reused_for_the_same_address():
    with recording() as server:
        for _ in range(3):
            assert send("GET", f"{server.url}/token", policy=OPEN).ok
    assert len(server.requests) == 3
    assert len(server.connections) == 1


# -- over HTTP: koula serve with a public base URL ---------------------------------------


@pytest.fixture(scope="module")
def public_tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTool]:
    """``koula serve`` on loopback, but configured as the public tool it is in production."""
    tool = RunningTool(
        tmp_path_factory.mktemp("public-tool"), KOULA_BASE_URL="https://koula.example.test"
    )
    yield tool
    tool.stop()


def registration_link(tool: RunningTool) -> str:
    """A fresh invitation (``koula platforms invite``), as a URL of the loopback server."""
    done = tool.koula("platforms", "invite", "--note", "outbound policy test")
    assert done.returncode == 0, done.stdout + done.stderr
    (link,) = re.findall(r"https://koula\.example\.test/lti/register/\S+", done.stdout)
    return tool.url + urlsplit(link).path


@pytest.mark.parametrize(
    "configuration",
    [
        "http://127.0.0.1:{port}/openid",
        "http://127.0.0.2:{port}/openid",
        "http://[::ffff:127.0.0.1]:{port}/openid",
        "https://127.0.0.2:{port}/openid",
        "https://[::ffff:127.0.0.1]:{port}/openid",
        "https://127.1:{port}/openid",
        "https://0.0.0.0:{port}/openid",
        "https://localhost:{port}/openid",
    ],
)
def test_a_public_tool_refuses_a_configuration_on_loopback_and_sends_it_nothing(
    public_tool, configuration
):
    with recording() as internal, recording(host="127.0.0.2") as internal_2:
        query = {
            "openid_configuration": configuration.format(
                port=internal_2.port if "127.0.0.2" in configuration else internal.port
            ),
            "registration_token": "token",
        }
        answer = requests.get(f"{registration_link(public_tool)}?{urlencode(query)}", timeout=30)
    assert answer.status_code == 400, answer.text[:2000]
    assert "private or local network" in answer.text
    assert internal.requests == internal_2.requests == []
    assert internal.connections == internal_2.connections == set()


class ToTheTool(requests.adapters.HTTPAdapter):
    """Carries a browser's requests for the public URL to the loopback server, as a reverse
    proxy would: cookies stay with the public URL, as in a real browser."""

    def __init__(self, public: str, local: str) -> None:
        super().__init__()
        self.public, self.local = public, local

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        public_url = request.url
        local = request.copy()
        local.url = self.local + public_url[len(self.public) :]
        response = super().send(local, **kwargs)
        response.url = public_url
        return response


def test_a_public_tool_reaches_a_platform_an_admin_added_on_a_private_address(public_tool):
    """``koula platforms add`` vouches for its hosts: a public tool fetches the keys, the token
    and the scores of a platform on loopback; a service origin the launch names is used once
    an admin trusts it, and not before."""
    public = "https://koula.example.test"
    with Platform() as platform:
        done = public_tool.koula(
            "platforms",
            "add",
            "--issuer",
            platform.issuer,
            "--client-id",
            "private-client",
            "--deployment-id",
            "d-1",
            "--auth-login-url",
            platform.auth_url,
            "--auth-token-url",
            platform.token_url,
            "--keyset-url",
            platform.jwks_url,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        platform.add_tool(
            "private-client",
            "d-1",
            login_url=f"{public}/lti/login",
            launch_url=f"{public}/lti/launch",
            jwks_url=f"{public_tool.url}/lti/jwks.json",  # the platform's own fetch
        )

        def learner(user: str, **options: Any) -> tuple[requests.Session, dict[str, Any]]:
            session = browser_session()
            session.mount(public + "/", ToTheTool(public, public_tool.url))
            page = platform.launch(
                session, client_id="private-client", custom=CONFIGURED, user=user, **options
            )
            assert page.status_code == 200, page.text[:2000]
            return session, context_of(page)

        def submitted(session: requests.Session, context: dict[str, Any]) -> None:
            answer = session.post(
                f"{context['api']}/submit_deliverable",
                json={"values": CARD},
                headers={"Authorization": f"Bearer {context['token']}"},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text[:500]

        def delivered(user: str) -> bool:
            return any(score["body"]["userId"] == user for score in platform.scores())

        submitted(*learner("on-the-intranet"))  # keys fetched from 127.0.0.1 at launch
        assert wait_until(lambda: delivered("on-the-intranet"), 30)  # token and score too

        elsewhere = platform.url.replace("127.0.0.1", "localhost")
        session, context = learner(
            "elsewhere", resource_link_id="rl-2", token_mutator=services_moved_to(elsewhere)
        )
        submitted(session, context)
        time.sleep(1.5)
        assert not delivered("elsewhere")
        trust = ("platforms", "trust-origin", "private-client", elsewhere)
        assert public_tool.koula(*trust).returncode == 0
        assert wait_until(lambda: delivered("elsewhere"), 30)
        assert platform.server_errors == []
