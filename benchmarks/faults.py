"""Score delivery under faults: a failing, slow platform, and a worker killed mid-run.

The tool runs as ``koula serve --no-worker`` on PostgreSQL with one separate score worker
(``koula worker``: the plain delivery loop, or with ``--worker celery`` the Celery worker of
``docs/deploy.md`` with Redis). The test platform (``koula_demo.lms``) answers a share
of score requests with HTTP 500 (``--fail``, a third by default) and delays another share
(``--slow`` for ``--slow-seconds``: a third, 0.5 s); every ``--hang-every`` seconds one score
request hangs ``--hang-seconds``, longer than the tool's ``KOULA_HTTP_TIMEOUT`` (2 s), so the
tool cannot know whether it landed (an ambiguous timeout).

``--learners`` learners (``--concurrency`` at a time) each launch for real and change their
score four times (``save_draft``, ``submit_deliverable``, ``commit_experiment``,
``submit_return``; Started, InProgress, Submitted, Completed), with a think time between
actions. ``--kill-after`` seconds into the run, while a score request hangs at the platform,
the worker gets SIGKILL and a new one starts at once.

Checked per learner and printed (the contract: only the newest waiting score needs to be
sent, so an older change may be *superseded*, never delivered twice nor out of order):

* in order: the timestamps the platform accepted strictly increase, in arrival order;
* at most once: the accepted scores are a subsequence of the learner's changes, none twice;
* nothing lost: the last accepted score is the learner's last change, and every outbox
  row is ``delivered`` or ``superseded`` (none pending or refused);

then the delivery rate, the retries, and the time the restarted worker took to deliver what
the killed one had claimed (they wait for their lease: 3 x KOULA_HTTP_TIMEOUT + 10 s,
16 s here). Exit status 1 when a check fails.

    .venv/bin/python benchmarks/faults.py [--learners 40] [--concurrency 10]
        [--worker thread|celery] [--kill-after 12] [--no-kill] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import ROOT, RunningTool

CLIENT_ID = "faults"
ACTIONS = [
    ("save_draft", {"part": "deliverable", "values": {"problem": "Reviews come too late."}}),
    ("submit_deliverable", {"values": CARD}),
    ("commit_experiment", {"values": COMMITMENT}),
    ("submit_return", {"values": RETURN}),
]
Change = tuple[str, float]  # (activityProgress, score as a share of the maximum)


@dataclass
class Learners:
    """What each learner changed, in order, as the tool's answers reported it."""

    changes: dict[str, list[Change]] = field(default_factory=dict)
    changed_at: dict[tuple[str, Change], float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    last_action_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Worker:
    """One ``koula worker`` process on the tool's database, its output in a log file."""

    def __init__(self, tool: RunningTool, env: dict[str, str], number: int) -> None:
        self.log_path = tool.log_path.parent / f"worker-{number}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "koula.cli", "worker"],
            cwd=ROOT,
            env={**tool.env, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()


def share(progress: dict[str, Any]) -> Change:
    return progress["activity"], round(float(progress["score"]), 4)


def received_change(body: dict[str, Any]) -> Change:
    return body["activityProgress"], round(body["scoreGiven"] / body["scoreMaximum"], 4)


def run_learner(platform: Platform, learners: Learners, number: int, think: float) -> None:
    user = f"learner-{number}-{secrets.token_hex(3)}"
    session = browser_session()
    response = platform.launch(
        session, client_id=CLIENT_ID, user=user, custom={"koula_template": "default-koula"}
    )
    if response.status_code != 200:
        with learners.lock:
            learners.errors.append(f"launch {response.status_code}: {response.text[:200]}")
        return
    context = context_of(response)
    changes: list[Change] = []
    progress = share(context["state"]["progress"])
    for name, body in ACTIONS:
        time.sleep(random.uniform(0, think))
        answer = session.post(
            f"{context['api']}/{name}",
            json=body,
            timeout=60,
            headers={"Authorization": f"Bearer {context['token']}"},
        )
        if answer.status_code != 200:
            with learners.lock:
                learners.errors.append(f"{name} {answer.status_code}: {answer.text[:200]}")
            break
        now = share(answer.json()["progress"])
        if now != progress:
            changes.append(now)
            progress = now
            with learners.lock:
                learners.changed_at[(user, now)] = time.time()
    with learners.lock:
        learners.changes[user] = changes
        learners.last_action_at = max(learners.last_action_at, time.perf_counter())


def outbox(tool: RunningTool) -> list[dict[str, Any]]:
    with psycopg.connect(tool.env["KOULA_DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT payload->>'userId', status, attempts, uncertain, last_error "
            "FROM koula_lti_scoreoutbox ORDER BY id"
        ).fetchall()
    keys = ("user", "status", "attempts", "uncertain", "last_error")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def is_subsequence(part: list[Change], whole: list[Change]) -> bool:
    position = iter(whole)
    return all(any(item == candidate for candidate in position) for item in part)


def check(platform: Platform, learners: Learners, rows: list[dict[str, Any]]) -> list[str]:
    """Every broken promise, one line each (empty when delivery kept the contract)."""
    problems = []
    accepted: dict[str, list[dict[str, Any]]] = {}
    for score in platform.scores():
        accepted.setdefault(score["body"]["userId"], []).append(score["body"])
    for user, changes in learners.changes.items():
        bodies = accepted.get(user, [])
        got = [received_change(body) for body in bodies]
        stamps = [dt.datetime.fromisoformat(body["timestamp"]) for body in bodies]
        if any(later <= earlier for earlier, later in itertools.pairwise(stamps)):
            problems.append(f"{user}: timestamps not strictly increasing: {stamps}")
        repeated = [change for change, count in Counter(got).items() if count > 1]
        if repeated:
            problems.append(f"{user}: delivered more than once: {repeated} (all: {got})")
        elif not is_subsequence(got, changes):
            problems.append(f"{user}: out of order or unknown: got {got}, changed {changes}")
        if changes and (not got or got[-1] != changes[-1]):
            problems.append(f"{user}: last change {changes[-1]} not the grade (got {got})")
    stuck = [row for row in rows if row["status"] not in ("delivered", "superseded")]
    for row in stuck[:10]:
        problems.append(f"outbox row of {row['user']} left {row['status']}: {row['last_error']}")
    for problem in list(problems[:3]):
        user = problem.split(":", 1)[0]
        for request in platform.score_requests:
            body = request.get("body") or {}
            if body.get("userId") == user:
                problems.append(
                    f"    {user} request: HTTP {request['status']} {received_change(body)} "
                    f"timestamp {body['timestamp']} answered at {request['received_at']:.2f}"
                )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--think", type=float, default=4.0, help="max seconds between actions")
    parser.add_argument("--fail", type=float, default=1 / 3)
    parser.add_argument("--slow", type=float, default=1 / 3)
    parser.add_argument("--slow-seconds", type=float, default=0.5)
    parser.add_argument("--hang-every", type=float, default=5.0)
    parser.add_argument("--hang-seconds", type=float, default=3.0)
    parser.add_argument("--kill-after", type=float, default=12.0)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--worker", choices=["thread", "celery"], default="thread")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    random.seed(args.seed)
    prefix = f"koula-faults-{secrets.token_hex(4)}"
    worker_env = {"KOULA_WORKER": args.worker}
    if args.worker == "celery":
        worker_env |= {"KOULA_REDIS_URL": args.redis, "KOULA_REDIS_PREFIX": prefix}
    with tempfile.TemporaryDirectory() as folder, Platform() as platform:
        # the tool's defaults in tests: HTTP timeout 2 s, first retry after 0.2 s (doubling)
        tool = RunningTool(Path(folder), backend="postgres", worker=False, **worker_env)
        workers: list[Worker] = []
        try:
            tool.register(platform, CLIENT_ID, "faults-deployment")
            workers.append(Worker(tool, worker_env, 1))
            platform.score_fault_rates(
                fail=args.fail, slow=args.slow, seconds=args.slow_seconds, seed=args.seed
            )
            learners = Learners()
            done = threading.Event()
            started = time.perf_counter()

            def hangs() -> None:  # while learners act; one at a time, never piled up
                while not done.wait(args.hang_every):
                    if not platform.gradebook_store._faults.delays:
                        platform.slow_next_scores(1, args.hang_seconds)

            threading.Thread(target=hangs, daemon=True).start()
            killed_at = None
            with ThreadPoolExecutor(args.concurrency) as pool:
                futures = [
                    pool.submit(run_learner, platform, learners, n, args.think)
                    for n in range(args.learners)
                ]
                if not args.no_kill:
                    time.sleep(max(args.kill_after - (time.perf_counter() - started), 0))
                    killed_at = kill_mid_request(platform, workers, tool, worker_env, args)
                for future in futures:
                    future.result()
            done.set()
            changes = sum(len(c) for c in learners.changes.values())
            deadline = time.monotonic() + 600
            while True:
                rows = outbox(tool)
                if rows and all(row["status"] != "pending" for row in rows):
                    break
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            finished = time.perf_counter()
            platform.score_fault_rates()
            problems = check(platform, learners, rows) + learners.errors
            report(args, platform, learners, rows, changes, started, finished, killed_at)
        finally:
            for worker in workers:
                worker.stop()
            tool.stop()
            if args.worker == "celery":
                import redis

                client = redis.Redis.from_url(args.redis, socket_timeout=5)
                keys = list(client.scan_iter(match=f"{prefix}*", count=500))
                if keys:
                    client.delete(*keys)
    if problems:
        print(f"\nFAILED: {len(problems)} problems")
        for problem in problems[:30]:
            print(f"  - {problem}")
        return 1
    print("\nOK: every learner's changes arrived in order, none twice, the last one in each grade")
    return 0


def kill_mid_request(
    platform: Platform,
    workers: list[Worker],
    tool: RunningTool,
    env: dict[str, str],
    args: argparse.Namespace,
) -> float:
    """SIGKILL the worker while one of its score requests hangs at the platform; restart it."""
    platform.slow_next_scores(1, args.hang_seconds)
    deadline = time.monotonic() + 60
    # the hanging request has arrived once the platform's one-shot delay is taken
    while platform.gradebook_store._faults.delays and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    workers[-1].kill()
    killed_at = time.perf_counter()
    print("worker killed (SIGKILL) while a score request hung at the platform; restarted")
    workers.append(Worker(tool, env, len(workers) + 1))
    return killed_at


def report(
    args: argparse.Namespace,
    platform: Platform,
    learners: Learners,
    rows: list[dict[str, Any]],
    changes: int,
    started: float,
    finished: float,
    killed_at: float | None,
) -> None:
    requests_seen = platform.score_requests
    statuses = Counter(request["status"] for request in requests_seen)
    status_of = Counter(row["status"] for row in rows)
    attempts = [row["attempts"] for row in rows if row["status"] == "delivered"]
    print(
        f"worker: {args.worker}; {len(learners.changes)} learners, {changes} score changes; "
        f"platform: {args.fail:.0%} of score requests answer 500, {args.slow:.0%} wait "
        f"{args.slow_seconds} s, one hangs {args.hang_seconds} s every {args.hang_every} s "
        f"(tool timeout 2 s)"
    )
    print(
        f"outbox: {status_of['delivered']} delivered, {status_of['superseded']} superseded "
        f"(a newer change of the same learner was waiting), "
        f"{sum(1 for r in rows if r['status'] not in ('delivered', 'superseded'))} other"
    )
    print(
        f"score requests received by the platform: {len(requests_seen)} "
        f"({', '.join(f'{code}: {n}' for code, n in sorted(statuses.items()))}); "
        f"accepted scores: {len(platform.scores())} (rows the tool marked delivered: "
        f"{status_of['delivered']}; the difference: timed-out attempts that landed after all, "
        f"of rows then superseded or sent again)"
    )
    if attempts:
        print(
            f"attempts per delivered score: mean {sum(attempts) / len(attempts):.2f}, "
            f"max {max(attempts)}; retries in all: "
            f"{sum(row['attempts'] - 1 for row in rows if row['attempts'])}"
        )
    waits = sorted(
        score["received_at"] - learners.changed_at[(score["body"]["userId"], change)]
        for score in platform.scores()
        if (score["body"]["userId"], change := received_change(score["body"]))
        in learners.changed_at
    )
    if waits:
        print(
            f"from the action to the platform's gradebook, per accepted score: p50 "
            f"{waits[len(waits) // 2]:.1f} s, p95 {waits[int(len(waits) * 0.95) - 1]:.1f} s, "
            f"max {waits[-1]:.1f} s"
        )
    seconds = finished - started
    print(
        f"all {changes} changes settled {seconds:.1f} s after the first launch "
        f"({status_of['delivered'] / seconds:.2f} scores delivered/s; last learner action at "
        f"{learners.last_action_at - started:.1f} s)"
    )
    if killed_at is not None:
        print(
            f"worker killed at {killed_at - started:.1f} s and restarted at once; the outbox "
            f"was settled {finished - killed_at:.1f} s after the kill (claimed rows wait for "
            f"their lease, 3 x KOULA_HTTP_TIMEOUT + 10 s)"
        )
    uncertain = sum(1 for row in rows if row["uncertain"])
    print(f"rows left marked uncertain (a timed-out attempt): {uncertain}")


if __name__ == "__main__":
    sys.exit(main())
