"""Launches per second and scores delivered per second of the LTI tool, on this machine.

Runs the tool as ``koula serve`` (a real process; SQLite by default, PostgreSQL
with ``--postgres``) against the test platform, both on loopback, and prints:

* login + launch per second (the whole OIDC round trip, sequential and with threads);
* learner actions per second (``submit_deliverable``);
* scores delivered per second by the tool's worker, from the first queued to the last received:
  the delivery thread of ``koula serve`` by default, or with ``--worker celery`` one Celery
  ``koula worker`` (``KOULA_WORKER_CONCURRENCY`` threads, 4 by default) with Redis, as in
  ``docs/deploy.md``; ``--platform-ms`` makes the platform take that long over every score;
  with ``--backlog`` the worker (a separate ``koula worker``) starts only once every score is
  queued, and the rate is the drain of that backlog (first to last score received).

    .venv/bin/python benchmarks/lti_throughput.py [--launches 200] [--threads 4] [--postgres]
        [--worker thread|celery] [--redis redis://127.0.0.1:6379/0] [--platform-ms 0] [--backlog]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from koula_demo.learner_calls import context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool

CARD = {"practice_name": "Pair review", "problem": "Late reviews", "steps": ["Pick a pair"]}


def launch(platform: Platform, user: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = platform.launch(
        browser_session(), client_id="bench", user=user, custom={"koula_template": "default-koula"}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:300]
    return elapsed, context_of(response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--worker", choices=["thread", "celery"], default="thread")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="--worker celery")
    parser.add_argument("--platform-ms", type=float, default=0.0, help="per score request")
    parser.add_argument("--backlog", action="store_true", help="start the worker after actions")
    args = parser.parse_args()
    celery = args.worker == "celery"
    prefix = f"koula-bench-{secrets.token_hex(4)}"
    extra = (
        {"KOULA_WORKER": "celery", "KOULA_REDIS_URL": args.redis, "KOULA_REDIS_PREFIX": prefix}
        if celery
        else {}
    )
    with tempfile.TemporaryDirectory() as folder, Platform() as platform:
        tool = RunningTool(
            Path(folder),
            backend="postgres" if args.postgres else "sqlite",
            KOULA_RETRY_BASE_SECONDS="1",
            worker=not (celery or args.backlog),
            **extra,
        )
        worker = tool.start_worker() if celery and not args.backlog else None
        try:
            tool.register(platform, "bench", "bench-deployment")
            launch(platform, "warm-up")
            started = time.perf_counter()
            sequential = [launch(platform, f"seq-{i}") for i in range(args.launches // 2)]
            seq_seconds = time.perf_counter() - started
            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                parallel = list(
                    pool.map(lambda i: launch(platform, f"par-{i}"), range(args.launches // 2))
                )
            par_seconds = time.perf_counter() - started
            contexts = [context for _, context in sequential + parallel]
            if args.platform_ms:
                platform.score_fault_rates(slow=1.0, seconds=args.platform_ms / 1000)
            before = len(platform.scores())
            started = time.perf_counter()

            def submit(context: dict) -> None:
                answer = requests.post(
                    f"{context['api']}/submit_deliverable",
                    json={"values": CARD},
                    timeout=30,
                    headers={"Authorization": f"Bearer {context['token']}"},
                )
                assert answer.status_code == 200, answer.text

            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(submit, contexts))
            if args.backlog:
                worker = tool.start_worker()
            action_seconds = time.perf_counter() - started
            deadline = time.monotonic() + 600
            while len(platform.scores()) - before < len(contexts):
                if time.monotonic() > deadline:
                    raise SystemExit("scores did not all arrive within 10 minutes")
                time.sleep(0.05)
            delivery_seconds = time.perf_counter() - started
            backend = "PostgreSQL" if args.postgres else "SQLite"
            latencies = sorted(seconds for seconds, _ in sequential)
            if celery:
                delivery = "one Celery koula worker (4 threads, Redis)"
            else:
                delivery = (
                    "one koula worker (delivery loop)" if args.backlog else "in-process worker"
                )
            if args.backlog:
                delivery += ", started once every score was queued"
            print(
                f"backend: {backend}; {len(contexts)} learners; tool: koula serve (waitress, "
                f"8 threads), {delivery}; platform answers scores in +{args.platform_ms:.0f} ms"
            )
            print(
                f"login+launch, sequential: {len(sequential) / seq_seconds:7.1f} /s  "
                f"(p50 {statistics.median(latencies) * 1000:.0f} ms, "
                f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms)"
            )
            print(f"login+launch, {args.threads} threads: {len(parallel) / par_seconds:7.1f} /s")
            print(
                f"submit_deliverable, {args.threads} threads: "
                f"{len(contexts) / action_seconds:7.1f} /s"
            )
            if not args.backlog:
                print(
                    f"scores delivered: {len(contexts) / delivery_seconds:7.1f} /s "
                    f"({len(contexts)} scores in {delivery_seconds:.1f} s from the first action)"
                )
            received = sorted(score["received_at"] for score in platform.scores()[before:])
            if len(received) > 1:
                print(
                    f"scores delivered, first to last received: "
                    f"{(len(received) - 1) / (received[-1] - received[0]):7.1f} /s"
                    + (" (a queued backlog)" if args.backlog else "")
                )
            print(f"access tokens issued by the platform: {platform.tokens_issued}")
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=40)
            tool.stop()
            if celery:
                import redis

                client = redis.Redis.from_url(args.redis, socket_timeout=5)
                keys = list(client.scan_iter(match=f"{prefix}*", count=500))
                if keys:
                    client.delete(*keys)


if __name__ == "__main__":
    main()
