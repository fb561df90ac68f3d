"""N concurrent learners through the whole loop, with one and with two tool processes.

Each learner is a thread with its own browser session. It does a real OIDC login and
signed launch from the test platform (``koula_demo.lms``, on loopback), then
four of the learner actions of ``docs/learner-api.md`` through the tool's API with the page's
bearer token: ``save_draft``, ``submit_deliverable``, ``commit_experiment``,
``submit_return``. Each thread runs ``--rounds`` learners one after the other, so
``--learners`` learners are always in flight.

Modes (``--modes``, default ``serve1 serve2 gunicorn1 gunicorn2``):

* ``serve1``: one ``koula serve`` process (waitress, 8 threads, in-process score worker);
* ``serve2``: two ``koula serve`` processes on two ports sharing one database and one
  secret key; learners alternate between them (even learners on the first, odd ones on
  the second), each through the login, launch and actions of its own process, as a
  sticky load balancer would send them.

Both modes register the same two client ids (one per process in ``serve2``, both on the
one process in ``serve1``) and spread learners over the same ``--courses`` resource
links, so the workload is the same and only the number of processes changes.

It prints, for the mixed run (launches and actions interleaved as learners arrive):
launches/s, actions/s, p50 and p95 latency per kind, non-200 answers, and how long the
last score took to reach the platform's gradebook (every learner's final grade must be
``Completed``). Then the cost of one launch next to its floor, measured in this process:
one RS256 check of a real id_token with PyJWT (as ``lti/services/id_token.py`` does) plus
one committed row insert on the same database.

    .venv/bin/python benchmarks/load.py [--learners 20] [--rounds 5] [--courses 4]
        [--modes serve1 serve2 gunicorn1 gunicorn2] [--backend postgres|sqlite]
        [--redis redis://127.0.0.1:6379/0]

Tool processes, the test platform and the client threads share the machine's cores:
the figures are for the whole system on one machine, not for the tool alone.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import POSTGRES_URL, ROOT, RunningTool, free_port

CLIENTS = ("bench-a", "bench-b")
ACTIONS = [
    ("save_draft", {"part": "deliverable", "values": {"problem": "Reviews come too late."}}),
    ("submit_deliverable", {"values": CARD}),
    ("commit_experiment", {"values": COMMITMENT}),
    ("submit_return", {"values": RETURN}),
]
KINDS = ["launch", *(name for name, _ in ACTIONS)]


@dataclass
class Tally:
    """Latencies per kind and failed answers, filled by the learner threads."""

    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool, detail: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.failures.append(f"{kind}: {detail[:200]}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(call: Callable[[], requests.Response]) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


def run_learner(platform: Platform, tally: Tally, number: int, courses: int) -> str | None:
    """One learner: login + launch, then the four actions. Return the learner's user id
    when every answer was a 200, else None."""
    launched = launch_learner(platform, tally, number, courses)
    return act_learner(tally, *launched) if launched else None


def launch_learner(
    platform: Platform, tally: Tally, number: int, courses: int
) -> tuple[str, requests.Session, dict[str, Any]] | None:
    """Login + launch (each hop timed apart); return the user, the session and the context."""
    user = f"learner-{number}-{secrets.token_hex(3)}"
    course = (number // len(CLIENTS)) % courses
    session = browser_session()

    def hop(response: requests.Response, *_: Any, **__: Any) -> None:
        parts = urlsplit(response.url)
        side = "platform" if response.url.startswith(platform.url) else "tool"
        tally.add(f"{side} {parts.path}", response.elapsed.total_seconds(), True, "")

    session.hooks["response"].append(hop)
    seconds, response = timed(
        lambda: platform.launch(
            session,
            client_id=CLIENTS[number % len(CLIENTS)],
            user=user,
            context_id=f"course-{course}",
            resource_link_id=f"link-{course}",
            custom={"koula_template": "default-koula"},
        )
    )
    session.hooks["response"].remove(hop)
    ok = response.status_code == 200 and 'id="koula-context"' in response.text
    tally.add("launch", seconds, ok, f"{response.status_code} {response.text[:200]}")
    return (user, session, context_of(response)) if ok else None


def act_learner(
    tally: Tally, user: str, session: requests.Session, context: dict[str, Any]
) -> str | None:
    """The four actions with the page's bearer token; the user when all answered 200."""
    headers = {"Authorization": f"Bearer {context['token']}"}
    for name, body in ACTIONS:
        seconds, answer = timed(
            lambda name=name, body=body: session.post(
                f"{context['api']}/{name}", json=body, headers=headers, timeout=60
            )
        )
        ok = answer.status_code == 200
        tally.add(name, seconds, ok, f"{answer.status_code} {answer.text}")
        if not ok:
            return None
    return user


def _pids(tool: Any) -> list[int]:
    return tool.pids if isinstance(tool, ProductionTool) else [tool.process.pid]


def start_tools(folder: Path, processes: int, backend: str) -> list[RunningTool]:
    """``processes`` ``koula serve`` processes on one database and one secret key."""
    secret = secrets.token_urlsafe(32)
    production = {"KOULA_WORKER_INTERVAL": "1", "KOULA_RETRY_BASE_SECONDS": "2"}
    tools: list[RunningTool] = []
    for number in range(processes):
        data = folder / f"tool-{number}"
        data.mkdir()
        if not tools:
            tools.append(RunningTool(data, backend=backend, **production, KOULA_SECRET_KEY=secret))
            continue
        shared = {**production, "KOULA_SECRET_KEY": secret}
        if tools[0].database:
            shared["KOULA_DATABASE_URL"] = tools[0].env["KOULA_DATABASE_URL"]
        else:  # SQLite: the same file, through the first tool's data folder
            shared["KOULA_DATA_DIR"] = tools[0].env["KOULA_DATA_DIR"]
        tools.append(RunningTool(data, **shared))
    return tools


class ProductionTool:
    """gunicorn + Redis + one Celery ``koula worker`` on a fresh PostgreSQL database.

    Quacks like :class:`RunningTool` where this script needs it: ``url``, ``env``,
    ``database``, ``register``, ``pids`` and ``stop``.
    """

    def __init__(self, folder: Path, web_workers: int, redis_url: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = f"koula_test_{secrets.token_hex(4)}"
        self.prefix = f"koula-bench-{secrets.token_hex(4)}"
        self.redis_url = redis_url
        _admin(f'CREATE DATABASE "{self.database}"')
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KOULA_DATA_DIR": str(folder),
            "KOULA_BASE_URL": self.url,
            "KOULA_DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + "/" + self.database,
            "KOULA_SECRET_KEY": secrets.token_urlsafe(32),
            "KOULA_REDIS_URL": redis_url,
            "KOULA_REDIS_PREFIX": self.prefix,
            "KOULA_WORKER": "celery",
            "KOULA_HTTP_TIMEOUT": "2",
            "KOULA_BIND": f"127.0.0.1:{self.port}",
            "KOULA_WEB_WORKERS": str(web_workers),
        }
        self.log_path = folder / "tool.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        done = self.koula("migrate")
        assert done.returncode == 0, done.stdout + done.stderr
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:lti.gunicorn_conf",
                 "lti.wsgi:application"],
                cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [sys.executable, "-m", "koula.cli", "worker"],
                cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            ),
        ]  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/readyz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def koula(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "koula.cli", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    register = RunningTool.register

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        self._log.close()
        _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
        if keys:
            client.delete(*keys)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds of ``pids`` and of their live descendants (gunicorn's workers...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    wanted, frontier = set(pids), list(pids)
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in wanted:
                wanted.add(child)
                frontier.append(child)
    total = 0.0
    for pid in wanted:
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
    return total


def wait_for_final_grades(platform: Platform, users: list[str], seconds: float) -> float:
    """Seconds until every user's gradebook entry says Completed (SystemExit on timeout)."""
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    wanted = set(users)
    while True:
        done = {
            user
            for item in list(platform.line_items)
            for user, grade in platform.gradebook(item).items()
            if grade.get("activityProgress") == "Completed"
        }
        if wanted <= done:
            return time.perf_counter() - started
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(wanted - done)} final grades missing after {seconds:.0f} s")
        time.sleep(0.1)


@dataclass
class ModeResult:
    mode: str
    learners: int
    seconds: float
    latencies: dict[str, list[float]]
    failures: list[str]
    grades_after: float
    unloaded_launch: list[float]
    unloaded_hops: dict[str, list[float]]
    floor: dict[str, float]
    cpu_each: tuple[float, float]
    tool_cpu: float
    harness_cpu: float


def run_mode(mode: str, args: argparse.Namespace, folder: Path) -> ModeResult:
    root = folder / mode
    root.mkdir()
    with Platform() as platform:
        tools: list[Any]
        if mode.startswith("gunicorn"):
            if args.backend != "postgres":
                raise SystemExit("the gunicorn modes run on PostgreSQL")
            tools = [ProductionTool(root / "tool", int(mode[-1]), args.redis)]
        else:
            tools = start_tools(root, int(mode[-1]), args.backend)
        processes = len(tools)
        try:
            for number, client in enumerate(CLIENTS):
                tools[number % processes].register(platform, client, f"{client}-deployment")
            # Warm-up: activities created, keys fetched, connections open.
            tally = Tally()
            for number in range(args.courses * len(CLIENTS)):
                run_learner(platform, tally, number, args.courses)
            # Unloaded, one request at a time: latency per hop, and the tool's CPU per launch
            # and per action (its score's delivery included).
            tally = Tally()
            pids = [pid for tool in tools for pid in _pids(tool)]
            cpu = tree_cpu(pids)
            launched = [
                launch_learner(platform, tally, number, args.courses)
                for number in range(args.sequential)
            ]
            cpu_launch = (tree_cpu(pids) - cpu) / args.sequential
            cpu = tree_cpu(pids)
            users = [act_learner(tally, *learner) for learner in launched if learner]
            wait_for_final_grades(platform, [user for user in users if user], 60)
            cpu_action = (tree_cpu(pids) - cpu) / (args.sequential * len(ACTIONS))
            unloaded = tally.latencies["launch"]
            unloaded_hops = {
                kind: values for kind, values in tally.latencies.items() if " /" in kind
            }
            if tally.failures:
                raise SystemExit(f"unloaded run failed: {tally.failures[:3]}")
            tally = Tally()
            total = args.learners * args.rounds
            tool_cpu = tree_cpu(pids)
            own_cpu = time.process_time()
            started = time.perf_counter()
            with ThreadPoolExecutor(args.learners) as pool:
                users = list(
                    pool.map(lambda n: run_learner(platform, tally, n, args.courses), range(total))
                )
            seconds = time.perf_counter() - started
            tool_cpu = tree_cpu(pids) - tool_cpu
            own_cpu = time.process_time() - own_cpu
            if tally.failures:
                print(f"[{mode}] {len(tally.failures)} failed answers, e.g. {tally.failures[:3]}")
            grades_after = wait_for_final_grades(platform, [u for u in users if u], 600)
            cost = floor(platform, tools[0])
            return ModeResult(
                mode,
                total,
                seconds,
                dict(tally.latencies),
                tally.failures,
                grades_after,
                unloaded,
                unloaded_hops,
                cost,
                (cpu_launch, cpu_action),
                tool_cpu,
                own_cpu,
            )
        finally:
            for tool in reversed(tools):
                tool.stop()


def floor(platform: Platform, tool: RunningTool, samples: int = 300) -> dict[str, float]:
    """One RS256 id_token check (PyJWT, as the tool does) and one committed insert, in-process.

    The id_token is the platform's last real one (signed for ``CLIENTS[0]``); the insert
    goes to a scratch table of the tool's own database (SQLite: a file next to it).
    """
    id_token = platform.last_id_token
    assert id_token
    claims = jwt.decode(id_token, options={"verify_signature": False})
    key = jwt.PyJWK(platform.current_key.public_jwk).key
    checks = []
    for _ in range(samples):
        started = time.perf_counter()
        jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=claims["aud"],
            issuer=platform.issuer,
            leeway=60,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
        checks.append(time.perf_counter() - started)
    inserts = _inserts(tool, samples)
    return {"verify": statistics.median(checks), "insert": statistics.median(inserts)}


def _inserts(tool: RunningTool, samples: int) -> list[float]:
    """Committed single-row inserts (like the used-nonce row a launch writes)."""
    times = []
    if tool.database:
        import psycopg

        with psycopg.connect(tool.env["KOULA_DATABASE_URL"], autocommit=True) as connection:
            connection.execute(
                "CREATE TABLE bench_floor (id bigserial PRIMARY KEY, nonce text UNIQUE, "
                "expires_at timestamptz)"
            )
            for _ in range(samples):
                started = time.perf_counter()
                connection.execute(
                    "INSERT INTO bench_floor (nonce, expires_at) VALUES (%s, now())",
                    (secrets.token_urlsafe(16),),
                )
                times.append(time.perf_counter() - started)
        return times
    path = Path(tool.env["KOULA_DATA_DIR"]) / "floor.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE bench_floor (id integer PRIMARY KEY, nonce text UNIQUE, expires_at text)"
    )
    for _ in range(samples):
        started = time.perf_counter()
        connection.execute(
            "INSERT INTO bench_floor (nonce, expires_at) VALUES (?, datetime('now'))",
            (secrets.token_urlsafe(16),),
        )
        times.append(time.perf_counter() - started)
    connection.close()
    return times


def report(results: list[ModeResult], args: argparse.Namespace) -> None:
    print(
        f"backend: {args.backend}; {args.learners} concurrent learners x {args.rounds} rounds; "
        f"{args.courses} courses x {len(CLIENTS)} client ids"
    )
    for result in results:
        launches = len(result.latencies.get("launch", []))
        actions = sum(len(result.latencies.get(name, [])) for name, _ in ACTIONS)
        print(
            f"\n[{result.mode}] {result.learners} learners in {result.seconds:.1f} s: "
            f"{launches / result.seconds:.1f} launches/s, "
            f"{actions / result.seconds:.1f} actions/s; "
            f"non-200 answers: {len(result.failures)}; last final grade in the gradebook "
            f"{result.grades_after:.1f} s after the last action"
        )
        print(
            f"  CPU during the run: tool processes {result.tool_cpu:.1f} s "
            f"({result.tool_cpu / result.learners * 1000:.0f} ms per learner loop), "
            f"platform + clients {result.harness_cpu:.1f} s "
            f"({result.harness_cpu / result.learners * 1000:.0f} ms per loop), "
            f"{os.cpu_count()} cores, wall {result.seconds:.1f} s"
        )
        for failure in result.failures[:5]:
            print(f"  ! {failure}")
        print(f"  {'kind':<24}{'count':>6}{'p50 ms':>9}{'p95 ms':>9}")
        hops = sorted(kind for kind in result.latencies if " /" in kind)
        for kind in ["launch", *(f"  {hop}" for hop in hops), *KINDS[1:]]:
            values = result.latencies.get(kind.strip(), [])
            if values:
                print(
                    f"  {kind:<24}{len(values):>6}{statistics.median(values) * 1000:>9.0f}"
                    f"{percentile(values, 0.95) * 1000:>9.0f}"
                )
        print(
            f"  tool CPU, one request at a time: {result.cpu_each[0] * 1000:.0f} ms per launch "
            f"(login + launch), {result.cpu_each[1] * 1000:.0f} ms per action (its score's "
            f"delivery included)"
        )
        parts = ", ".join(
            f"{kind} {statistics.median(values) * 1000:.1f}"
            for kind, values in sorted(result.unloaded_hops.items())
        )
        print(
            f"  unloaded launch (one learner at a time): p50 "
            f"{statistics.median(result.unloaded_launch) * 1000:.0f} ms; per hop, ms to the "
            f"answer's headers: {parts}"
        )
    cost = {part: min(result.floor[part] for result in results) for part in ("verify", "insert")}
    total = cost["verify"] + cost["insert"]
    print(
        f"\nfloor of one launch: {total * 1000:.2f} ms = RS256 id_token check "
        f"{cost['verify'] * 1000:.2f} ms + one committed insert {cost['insert'] * 1000:.2f} ms "
        f"(medians in-process, after each run; the lower kept)"
    )
    for result in results:
        launch = statistics.median(result.unloaded_launch)
        tool_post = statistics.median(result.unloaded_hops.get("tool /lti/launch", [0.0]))
        loaded = statistics.median(result.latencies.get("tool /lti/launch", [0.0]))
        print(
            f"  [{result.mode}] whole launch unloaded {launch * 1000:.0f} ms; the tool's "
            f"POST /lti/launch unloaded {tool_post * 1000:.1f} ms = {tool_post / total:.0f}x "
            f"the floor, under load {loaded * 1000:.0f} ms = {loaded / total:.0f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20, help="concurrent learners")
    parser.add_argument("--rounds", type=int, default=5, help="learners run by each thread")
    parser.add_argument("--courses", type=int, default=4, help="resource links per client id")
    parser.add_argument("--sequential", type=int, default=20, help="unloaded launches measured")
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=["serve1", "serve2", "gunicorn1", "gunicorn2"],
        default=["serve1", "serve2", "gunicorn1", "gunicorn2"],
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="gunicorn modes")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        load_before = os.getloadavg()
        results = [run_mode(mode, args, folder) for mode in args.modes]
    report(results, args)
    print(
        f"\nmachine load average (1 min) before: {load_before[0]:.1f}, after: "
        f"{os.getloadavg()[0]:.1f} ({os.cpu_count()} cores; other work on the machine "
        f"shares them)"
    )


if __name__ == "__main__":
    main()
