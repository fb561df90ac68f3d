"""Koula's login + launch and learner actions next to a floor tool, interleaved (issue 14).

Each round starts both tools afresh: each a new database (SQLite file, or a new PostgreSQL
database with ``--postgres``) and a new gunicorn with 2 sync workers; Koula runs its
production configuration (``lti.gunicorn_conf``, JSON access log included) on ``lti.wsgi``,
the floor is ``benchmarks/floor_tool.py`` (a small WSGI tool doing every check a correct tool
must). The two are interleaved phase by phase: each phase runs on one tool, then at once on
the other (the order alternating by round), so the two figures of a ratio are taken seconds
apart, under the same load of this shared machine. 3 rounds by default.

The platform side stays outside the measured processes: this script publishes the
platform's JWKS on loopback, and each simulated browser (a process of its own, so clients
do not share one interpreter lock) plays the platform's authorization endpoint itself:
it checks the tool's authentication request (scope, response type and mode, prompt,
client id, registered redirect URI, login hint, state, nonce) and signs the id_token
(RS256) for it. A browser keeps cookies as browsers do on loopback (``Secure`` ones
included), starts the login, follows its redirect, posts the id_token and state to the
tool, and checks that the activity page came back (Koula: the page with
``id="koula-context"``, not the new-window page; the floor: its activity page). Every
learner is a new browser.

Per round and tool, after a warm-up that reaches both workers: launches with 4 browsers at once,
then each of those learners' two actions (``save_draft`` and ``submit_deliverable``,
whose score Koula writes to its outbox, checked after the run; the floor: the same
bodies to its one action), then launches with 8 browsers at once; then, for Koula, a trivial
request (``GET /healthz``: one ``SELECT 1`` through Django and every middleware), what the
web stack costs before any of the tool's own work. The tool's CPU time
comes from the scheduler's count of the gunicorn master and its workers
(``/proc/<pid>/task/<tid>/schedstat``, in nanoseconds), read before and after each phase;
it is the figure to size with, since this machine's cores are shared by the browsers and
other work.

    .venv/bin/python benchmarks/launch_cost.py [--rounds 3] [--launches 200] [--postgres]
        [--quick] [--profile DIR]

``--quick`` runs one small round (for the test). ``--profile DIR`` runs Koula alone, each
worker under cProfile (``benchmarks/profiled_gunicorn.py``, CPU time), and prints where its
time went in the launches (4 browsers) and in the actions.

The comparison's ratios divide Koula's figure by the floor's (for rates, the floor's by
Koula's): how many times the floor's cost. It is given twice: the ratio of the two medians,
and the median (and range) of each round's Koula run over the same round's floor run, which
shared the machine's load of the moment.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the browsers (spawned processes) import koula_demo from here
    sys.path.insert(0, str(ROOT))
POSTGRES_URL = os.environ.get("KOULA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ACTIONS = (
    ("save_draft", {"part": "deliverable", "values": {"problem": "Reviews come too late."}}),
    (
        "submit_deliverable",
        {
            "values": {
                "practice_name": "Pair review",
                "problem": "Reviews come too late.",
                "steps": ["Pick a pair", "Review within a day"],
            }
        },
    ),
)
COURSES = 4
WORKERS = 2


# -- the platform: keys, JWKS on loopback, the id_token a browser gets ------------------


@dataclass(frozen=True)
class PlatformSide:
    """What browsers need to play the platform's authorization endpoint."""

    issuer: str
    private_pem: str
    kid: str

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks.json"


@contextlib.contextmanager
def platform_side() -> Iterator[PlatformSide]:
    """A fresh RSA key and its JWKS served on loopback until the block ends."""
    from koula_demo.lms.keys import generate_key

    key = generate_key()
    body = json.dumps({"keys": [key.public_jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = 200 if self.path == "/jwks.json" else 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield PlatformSide(f"http://127.0.0.1:{server.server_port}", key.private_pem, key.kid)
    finally:
        server.shutdown()
        server.server_close()


def id_token_for(
    platform: PlatformSide, tool: ToolSide, auth: dict[str, str], number: int, key: Any
) -> str:
    """The id_token the platform answers a valid authentication request with."""
    import jwt

    course = number % COURSES
    now = int(time.time())
    claim = "https://purl.imsglobal.org/spec/lti"
    payload = {
        "iss": platform.issuer,
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": auth["login_hint"],
        "iat": now,
        "exp": now + 300,
        "nonce": auth["nonce"],
        "name": f"Learner {number}",
        "given_name": "Learner",
        "family_name": str(number),
        "email": f"learner{number}@example.org",
        f"{claim}/claim/version": "1.3.0",
        f"{claim}/claim/message_type": "LtiResourceLinkRequest",
        f"{claim}/claim/deployment_id": tool.deployment_id,
        f"{claim}/claim/target_link_uri": tool.launch_url,
        f"{claim}/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        f"{claim}/claim/resource_link": {"id": f"link-{course}", "title": "Koula activity"},
        f"{claim}/claim/context": {
            "id": f"course-{course}",
            "label": f"C{course}",
            "title": f"Course {course}",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        f"{claim}/claim/launch_presentation": {
            "document_target": "iframe",
            "return_url": f"{platform.issuer}/return",
            "locale": "en",
        },
        f"{claim}/claim/custom": {"koula_template": "default-koula"},
        f"{claim}/claim/tool_platform": {"guid": platform.issuer, "name": "Benchmark platform"},
        f"{claim}-ags/claim/endpoint": {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "lineitems": f"{platform.issuer}/lineitems?context=course-{course}",
            "lineitem": f"{platform.issuer}/lineitems/{course}",
        },
        f"{claim}-nrps/claim/namesroleservice": {
            "context_memberships_url": f"{platform.issuer}/memberships/course-{course}",
            "service_versions": ["2.0"],
        },
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": platform.kid})


# -- the browsers (each a process) ------------------------------------------------------


@dataclass(frozen=True)
class ToolSide:
    """What a browser needs of the tool under test."""

    kind: str  # "koula" or "floor"
    login_url: str
    launch_url: str
    client_id: str
    deployment_id: str


@dataclass(frozen=True)
class LaunchJob:
    platform: PlatformSide
    tool: ToolSide
    numbers: tuple[int, ...]


@dataclass
class LaunchResult:
    seconds: float
    context: dict[str, str] | None
    failure: str = ""


_keys: dict[str, Any] = {}


def _signing_key(pem: str) -> Any:
    if pem not in _keys:
        from cryptography.hazmat.primitives import serialization

        _keys[pem] = serialization.load_pem_private_key(pem.encode(), password=None)
    return _keys[pem]


def launch_all(job: LaunchJob) -> list[LaunchResult]:
    """One browser: a whole login + launch per learner number, one after the other."""
    return [launch_one(job.platform, job.tool, number) for number in job.numbers]


def launch_one(platform: PlatformSide, tool: ToolSide, number: int) -> LaunchResult:
    from koula_demo.lms import browser_session

    session = browser_session()  # a new browser for each learner
    key = _signing_key(platform.private_pem)
    user = f"learner-{number}-{secrets.token_hex(4)}"
    params = {
        "iss": platform.issuer,
        "login_hint": user,
        "target_link_uri": tool.launch_url,
        "lti_message_hint": secrets.token_urlsafe(12),
        "client_id": tool.client_id,
        "lti_deployment_id": tool.deployment_id,
    }
    started = time.perf_counter()
    login = session.get(tool.login_url, params=params, allow_redirects=False, timeout=60)
    location = login.headers.get("Location", "")
    if login.status_code != 302 or not location.startswith(platform.auth_url + "?"):
        return LaunchResult(0.0, None, f"login {login.status_code}: {login.text[:200]}")
    auth = dict(parse_qsl(urlsplit(location).query))
    problems = _auth_problems(auth, tool, user)
    if problems:
        return LaunchResult(0.0, None, f"authentication request: {problems}")
    id_token = id_token_for(platform, tool, auth, number, key)
    page = session.post(
        auth["redirect_uri"], data={"id_token": id_token, "state": auth["state"]}, timeout=60
    )
    seconds = time.perf_counter() - started
    context = _page_context(tool, page.text) if page.status_code == 200 else None
    if context is None:
        return LaunchResult(seconds, None, f"launch {page.status_code}: {page.text[:300]}")
    return LaunchResult(seconds, context)


def _auth_problems(auth: dict[str, str], tool: ToolSide, user: str) -> list[str]:
    expected = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": tool.client_id,
        "redirect_uri": tool.launch_url,
        "login_hint": user,
    }
    problems = [
        f"{name} is not {value!r}" for name, value in expected.items() if auth.get(name) != value
    ]
    return problems + [f"no {name}" for name in ("state", "nonce") if not auth.get(name)]


KOULA_CONTEXT = re.compile(
    r'<script type="application/json" class="koula-context" id="koula-context">(.*?)</script>',
    re.S,
)
FLOOR_CONTEXT = re.compile(r'id="floor-activity" data-api="([^"]+)" data-token="([^"]+)"')


def _page_context(tool: ToolSide, text: str) -> dict[str, str] | None:
    """The activity page's API and token; None for any other page (the new-window page)."""
    if tool.kind == "koula":
        match = KOULA_CONTEXT.search(text)
        if not match:
            return None
        context = json.loads(match.group(1))
        return {"api": context["api"], "token": context["token"]}
    found = FLOOR_CONTEXT.search(text)
    return {"api": found.group(1), "token": found.group(2)} if found else None


@dataclass(frozen=True)
class ActionJob:
    contexts: tuple[dict[str, str], ...]


def act_all(job: ActionJob) -> list[tuple[str, float, str]]:
    """One browser: each learner's actions in order; (name, seconds, failure or "")."""
    import requests

    done = []
    for context in job.contexts:
        headers = {"Authorization": f"Bearer {context['token']}"}
        for name, body in ACTIONS:
            started = time.perf_counter()
            answer = requests.post(f"{context['api']}/{name}", json=body, headers=headers)
            seconds = time.perf_counter() - started
            failure = "" if answer.status_code == 200 else f"{answer.status_code} {answer.text}"
            done.append((name, seconds, failure[:300]))
    return done


def ask_all(job: tuple[str, int]) -> list[tuple[str, float, str]]:
    """One browser: ``GET url`` ``count`` times; (url, seconds, failure or "")."""
    import requests

    url, count = job
    done = []
    for _ in range(count):
        started = time.perf_counter()
        answer = requests.get(url)
        seconds = time.perf_counter() - started
        done.append((url, seconds, "" if answer.status_code == 200 else str(answer.status_code)))
    return done


# -- the tools under test ---------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) so far of process ``pid`` and its children."""
    return sum(process_cpu(each) for each in [pid, *children_of(pid)])


def process_cpu(pid: int) -> float:
    """CPU seconds so far of process ``pid``'s live threads, to the nanosecond: the scheduler's
    own count (``/proc/<pid>/task/<tid>/schedstat``; a thread that has ended is no longer
    counted, and gunicorn's sync workers and master run one thread). Where that count is
    missing or reads zero (a kernel without ``CONFIG_SCHED_INFO``, or with it only through
    delay accounting switched off), the user + system time of ``/proc/<pid>/stat``, in clock
    ticks (10 ms): over 200 launches that is 0.05 ms a launch, the size of the last savings."""
    total = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):  # ended meanwhile
                total += int((task / "schedstat").read_text().split()[0])
    if total:
        return total / 1e9
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql)


class Gunicorn:
    """One tool under gunicorn (2 sync workers) with a fresh database, on a free port."""

    kind = ""

    def __init__(self, folder: Path, platform: PlatformSide, *, postgres: bool) -> None:
        folder.mkdir(parents=True)
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = f"koula_bench_{secrets.token_hex(4)}" if postgres else ""
        if self.database:
            _admin(f'CREATE DATABASE "{self.database}"')
        self.database_url = (
            POSTGRES_URL.rsplit("/", 1)[0] + "/" + self.database
            if self.database
            else str(folder / ("koula.sqlite3" if self.kind == "koula" else "floor.sqlite3"))
        )
        self.client_id = f"bench-{self.kind}"
        self.deployment_id = f"{self.client_id}-deployment"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **self.environment(platform)}
        self.prepare(platform)
        self.log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *self.gunicorn_args(), "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(WORKERS), "--worker-class", "sync",
             "--threads", "1", self.app],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.wait_ready()

    app = ""

    def environment(self, platform: PlatformSide) -> dict[str, str]:
        raise NotImplementedError

    def prepare(self, platform: PlatformSide) -> None:
        raise NotImplementedError

    def gunicorn_args(self) -> list[str]:
        return []

    @property
    def side(self) -> ToolSide:
        raise NotImplementedError

    def wait_ready(self) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                answer = requests.get(self.side.login_url, timeout=2)
                if answer.status_code < 500 and len(self.workers()) == WORKERS:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(
            f"{self.kind} did not start:\n{(self.folder / 'gunicorn.log').read_text()}"
        )

    def workers(self) -> list[int]:
        return children_of(self.process.pid)

    def cpu(self) -> float:
        """CPU seconds (user + system) of the master and its workers so far."""
        return cpu_of(self.process.pid)

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        if self.database:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                return connection.execute(query).fetchall()
        with contextlib.closing(sqlite3.connect(self.database_url, timeout=30)) as connection:
            return connection.execute(query).fetchall()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.database:
            _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


class KoulaTool(Gunicorn):
    kind = "koula"
    app = "lti.wsgi:application"

    def environment(self, platform: PlatformSide) -> dict[str, str]:
        env = {
            "KOULA_DATA_DIR": str(self.folder),
            "KOULA_BASE_URL": self.url,
            "KOULA_SECRET_KEY": secrets.token_urlsafe(32),
            "KOULA_WEB_WORKERS": str(WORKERS),
            "KOULA_WEB_THREADS": "1",
            "KOULA_HTTP_TIMEOUT": "5",
        }
        if self.database:
            env["KOULA_DATABASE_URL"] = self.database_url
        return env

    def koula(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "koula.cli", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"koula {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def prepare(self, platform: PlatformSide) -> None:
        self.koula("migrate")
        self.koula(
            "platforms", "add", "--issuer", platform.issuer, "--client-id", self.client_id,
            "--deployment-id", self.deployment_id, "--auth-login-url", platform.auth_url,
            "--auth-token-url", f"{platform.issuer}/token", "--keyset-url", platform.jwks_url,
        )  # fmt: skip

    def gunicorn_args(self) -> list[str]:
        if "KOULA_PROFILE_DIR" in self.env:
            return ["-c", str(ROOT / "benchmarks" / "profiled_gunicorn.py")]
        return ["-c", "python:lti.gunicorn_conf"]

    @property
    def side(self) -> ToolSide:
        return ToolSide(
            "koula",
            f"{self.url}/lti/login",
            f"{self.url}/lti/launch",
            self.client_id,
            self.deployment_id,
        )

    def scores_queued(self) -> int:
        return int(self.sql("SELECT COUNT(*) FROM koula_lti_scoreoutbox")[0][0])


class FloorTool(Gunicorn):
    kind = "floor"
    app = "floor_tool:application"

    def environment(self, platform: PlatformSide) -> dict[str, str]:
        return {
            "FLOOR_DATABASE": self.database_url,
            "FLOOR_BASE_URL": self.url,
            "FLOOR_ISSUER": platform.issuer,
            "FLOOR_CLIENT_ID": self.client_id,
            "FLOOR_DEPLOYMENT_ID": self.deployment_id,
            "FLOOR_AUTH_URL": platform.auth_url,
            "FLOOR_JWKS_URL": platform.jwks_url,
            "FLOOR_SECRET": secrets.token_urlsafe(32),
        }

    def prepare(self, platform: PlatformSide) -> None:
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "floor_tool.py"), "migrate"],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"floor migrate failed:\n{done.stdout}{done.stderr}")

    def gunicorn_args(self) -> list[str]:
        return ["--pythonpath", str(ROOT / "benchmarks")]

    @property
    def side(self) -> ToolSide:
        return ToolSide(
            "floor", f"{self.url}/login", f"{self.url}/launch", self.client_id, self.deployment_id
        )


# -- one run, the rounds, the report ----------------------------------------------------


@dataclass
class Phase:
    """One measured phase: latencies, CPU seconds of the tool, wall seconds, failures."""

    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0
    wall: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.count * 1000 if self.count else float("nan")

    def p(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] * 1000


@dataclass
class Run:
    kind: str
    launch4: Phase
    actions: Phase
    launch8: Phase
    scores: int = 0
    trivial: Phase | None = None  # Koula's GET /healthz: what Django's stack itself costs


def _split(numbers: list[int], parts: int) -> list[tuple[int, ...]]:
    return [tuple(numbers[i::parts]) for i in range(parts)]


def _measured(pool: Any, tool: Gunicorn, work: Any, jobs: list[Any]) -> tuple[Phase, list[Any]]:
    """Run ``work`` on each job, one browser each; the phase's wall and CPU time, the results."""
    phase = Phase()
    cpu = tool.cpu()
    started = time.perf_counter()
    results = [result for batch in pool.map(work, jobs, chunksize=1) for result in batch]
    phase.wall = time.perf_counter() - started
    phase.cpu = tool.cpu() - cpu
    return phase, results


def launches(
    pool: Any, platform: PlatformSide, tool: Gunicorn, numbers: list[int], browsers: int
) -> tuple[Phase, list[dict[str, str]]]:
    jobs = [LaunchJob(platform, tool.side, part) for part in _split(numbers, browsers)]
    phase, results = _measured(pool, tool, launch_all, jobs)
    contexts = []
    for result in results:
        if result.context is None:
            phase.failures.append(result.failure)
        else:
            phase.latencies.append(result.seconds)
            contexts.append(result.context)
    return phase, contexts


def actions(pool: Any, tool: Gunicorn, contexts: list[dict[str, str]], browsers: int) -> Phase:
    jobs = [ActionJob(tuple(contexts[i::browsers])) for i in range(browsers)]
    return _requests(pool, tool, act_all, jobs)


def trivial_requests(pool: Any, tool: Gunicorn, count: int, browsers: int) -> Phase:
    """``GET /healthz`` (one ``SELECT 1`` through Django and every middleware) ``count`` times."""
    jobs = [(f"{tool.url}/healthz", count // browsers)] * browsers
    return _requests(pool, tool, ask_all, jobs)


def _requests(pool: Any, tool: Gunicorn, work: Any, jobs: list[Any]) -> Phase:
    """A phase of requests, each answered ``(what, seconds, failure or "")`` by ``work``."""
    phase, results = _measured(pool, tool, work, jobs)
    for _what, seconds, failure in results:
        if failure:
            phase.failures.append(failure)
        else:
            phase.latencies.append(seconds)
    return phase


def one_round(
    number: int, pool: Any, platform: PlatformSide, folder: Path, args: argparse.Namespace
) -> list[Run]:
    """Both tools afresh, side by side: each phase runs on one, then at once on the other
    (the order alternating by round), so each ratio compares figures taken seconds apart,
    under the machine's load of that moment; a tool's CPU is read around its own phases."""
    kinds = ("koula", "floor") if number % 2 == 0 else ("floor", "koula")
    tools: dict[str, Gunicorn] = {}
    try:
        for kind in kinds:
            tool_class = KoulaTool if kind == "koula" else FloorTool
            tools[kind] = tool_class(
                folder / f"{kind}-{secrets.token_hex(3)}", platform, postgres=args.postgres
            )
        contexts: dict[str, list[dict[str, str]]] = {}
        for kind in kinds:  # warm-up: both workers reached (keys fetched, connections open)
            warm, contexts[kind] = launches(pool, platform, tools[kind], list(range(-16, 0)), 8)
            actions(pool, tools[kind], contexts[kind], 8)
            if warm.failures:
                log = (tools[kind].folder / "gunicorn.log").read_text()[-4000:]
                raise SystemExit(f"{kind}: warm-up launch failed: {warm.failures[0]}\n{log}")
        launch4, acted, launch8 = {}, {}, {}
        for kind in kinds:
            numbers = list(range(args.launches))
            launch4[kind], contexts[kind] = launches(pool, platform, tools[kind], numbers, 4)
        for kind in kinds:
            acted[kind] = actions(pool, tools[kind], contexts[kind], 4)
        for kind in kinds:
            more = list(range(args.launches, 2 * args.launches))
            launch8[kind], _ = launches(pool, platform, tools[kind], more, 8)
        koula = tools["koula"]
        assert isinstance(koula, KoulaTool)
        trivial = trivial_requests(pool, koula, 2 * args.launches, 4)
        return [
            Run(kind, launch4[kind], acted[kind], launch8[kind])
            if kind == "floor"
            else Run(
                kind, launch4[kind], acted[kind], launch8[kind], koula.scores_queued(), trivial
            )
            for kind in kinds
        ]
    finally:
        for tool in tools.values():
            tool.stop()


def _best_median(values: list[float], *, high: bool = False) -> str:
    best = max(values) if high else min(values)
    return f"{best:.2f} / {statistics.median(values):.2f}"


def _ratio(koula: float, floor: float, *, high: bool) -> float:
    """How many times the floor's cost Koula's figure is (nan when a figure is 0: fewer CPU
    ticks than one, in a short run)."""
    cost, base = (floor, koula) if high else (koula, floor)
    return cost / base if base else float("nan")


def report(runs: list[Run], args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\n{backend}; gunicorn, {WORKERS} sync workers per tool; {args.launches} launches per "
        f"phase; {args.rounds} rounds; best / median of the rounds"
    )
    rows = [
        ("launch CPU ms (login + launch)", lambda r: r.launch4.cpu_ms, False),
        ("launches/s, 4 browsers", lambda r: r.launch4.rate, True),
        ("launch p50 ms, 4 browsers", lambda r: r.launch4.p(0.5), False),
        ("launch p95 ms, 4 browsers", lambda r: r.launch4.p(0.95), False),
        ("launch CPU ms, 8 browsers", lambda r: r.launch8.cpu_ms, False),
        ("launches/s, 8 browsers", lambda r: r.launch8.rate, True),
        ("launch p50 ms, 8 browsers", lambda r: r.launch8.p(0.5), False),
        ("launch p95 ms, 8 browsers", lambda r: r.launch8.p(0.95), False),
        ("action CPU ms", lambda r: r.actions.cpu_ms, False),
        ("actions/s, 4 browsers", lambda r: r.actions.rate, True),
        ("action p50 ms, 4 browsers", lambda r: r.actions.p(0.5), False),
        ("action p95 ms, 4 browsers", lambda r: r.actions.p(0.95), False),
    ]
    by_kind = {kind: [r for r in runs if r.kind == kind] for kind in ("koula", "floor")}
    print(f"{'':34}{'koula':>18}{'floor':>18}{'Koula ÷ floor':>16}{'same round':>22}")
    for label, value, high in rows:
        koula = [value(r) for r in by_kind["koula"]]
        floor = [value(r) for r in by_kind["floor"]]
        ratio = _ratio(statistics.median(koula), statistics.median(floor), high=high)
        # Each round's Koula run next to that round's floor run: the machine's load shared.
        rounds = sorted(_ratio(k, f, high=high) for k, f in zip(koula, floor, strict=True))
        paired = f"{statistics.median(rounds):.2f}x ({rounds[0]:.2f}-{rounds[-1]:.2f})"
        print(
            f"{label:34}{_best_median(koula, high=high):>18}"
            f"{_best_median(floor, high=high):>18}{ratio:>15.2f}x{paired:>22}"
        )
    for kind, kind_runs in by_kind.items():
        failures = [
            f
            for r in kind_runs
            for p in (r.launch4, r.actions, r.launch8, r.trivial)
            if p is not None
            for f in p.failures
        ]
        print(
            f"{kind}: {len(failures)} failed answers"
            + (f", e.g. {failures[0]}" if failures else "")
        )
    trivial = [r.trivial.cpu_ms for r in by_kind["koula"] if r.trivial]
    floor_action = statistics.median(r.actions.cpu_ms for r in by_kind["floor"])
    if trivial:
        print(
            f"koula: a trivial request (GET /healthz, one SELECT 1 through Django and its "
            f"middlewares) costs {_best_median(trivial)} ms CPU, "
            f"{statistics.median(trivial) / floor_action:.2f}x the floor's whole action"
        )
    for run in by_kind["koula"]:
        acted = run.actions.count + 16 * len(ACTIONS)  # the warm-up's learners acted too
        print(f"koula: rows in the score outbox after a run: {run.scores} for {acted} actions")


def _row(run: Run) -> str:
    return (
        f"  {run.kind:6} launch {run.launch4.cpu_ms:6.2f} ms CPU, {run.launch4.rate:6.1f}/s, "
        f"p50/p95 {run.launch4.p(0.5):5.1f}/{run.launch4.p(0.95):5.1f} ms (4 browsers), "
        f"{run.launch8.p(0.5):5.1f}/{run.launch8.p(0.95):5.1f} ms (8); "
        f"action {run.actions.cpu_ms:5.2f} ms CPU, {run.actions.rate:6.1f}/s"
    )


def profile(args: argparse.Namespace) -> None:
    """Koula alone, its workers profiled during the launches and during the actions."""
    import pstats

    folder = args.profile.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    flag = folder / "phase"
    os.environ["KOULA_PROFILE_DIR"] = str(folder)
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory() as name,
        platform_side() as platform,
        context.Pool(8) as pool,
    ):
        tool = KoulaTool(Path(name) / "koula", platform, postgres=args.postgres)
        try:
            _, contexts = launches(pool, platform, tool, list(range(-16, 0)), 8)
            actions(pool, tool, contexts, 8)
            flag.write_text("launch")
            launched, contexts = launches(pool, platform, tool, list(range(args.launches)), 4)
            flag.write_text("action")
            acted = actions(pool, tool, contexts, 4)
            flag.write_text("")
        finally:
            tool.stop()
            del os.environ["KOULA_PROFILE_DIR"]
    for phase, measured in (("launch", launched), ("action", acted)):
        files = sorted(str(path) for path in folder.glob(f"{phase}-*.prof"))
        print(
            f"\n== {phase}: {measured.cpu_ms:.2f} ms CPU each, profiled; {len(files)} "
            "worker profiles, by cumulative time =="
        )
        pstats.Stats(*files).sort_stats("cumulative").print_stats(50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--launches", type=int, default=200, help="per phase")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="one round of 40 launches")
    parser.add_argument("--profile", type=Path, help="profile Koula's workers into this folder")
    args = parser.parse_args()
    if args.profile:
        profile(args)
        return
    if args.quick:
        args.rounds, args.launches = 1, 40
    load = os.getloadavg()[0]
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory() as name,
        platform_side() as platform,
        context.Pool(8) as pool,
    ):
        runs = []
        for number in range(args.rounds):
            for run in one_round(number, pool, platform, Path(name), args):
                print(_row(run), flush=True)
                runs.append(run)
    report(runs, args)
    print(
        f"machine load average (1 min) before: {load:.1f}, after: {os.getloadavg()[0]:.1f} "
        f"({os.cpu_count()} cores shared by the tools, the browsers and other work)"
    )


if __name__ == "__main__":
    main()
