"""A learner action's own cost, without the web server: Koula's and the floor's, in process.

Learners are launched through each tool under gunicorn, as ``launch_cost.py`` does; the tool
is then stopped and its WSGI application (``lti.wsgi.application``, the floor's
``floor_tool.application``) is called in this process with the same requests the browsers
send (``save_draft`` then ``submit_deliverable`` for each learner: the first makes the
learner's record, both queue a score). What gunicorn, the socket and the access line cost is
outside these figures: ``launch_cost.py`` measures the whole.

    .venv/bin/python benchmarks/action_in_process.py [--learners 300] [--postgres] [--tool koula]
    .venv/bin/python benchmarks/action_in_process.py --instructions   # under valgrind (Debian's)

``--instructions`` runs itself under valgrind's callgrind, counting the instructions of the
measured actions only (the launches and the set-up are not counted): unlike CPU time, the
count does not move with the machine's load, so two versions of the code compare to a
percent. It is slow (about a minute for the default 60 learners).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import launch_cost as bench
from measure import instructions_of, switch_counting, wsgi_request

WARM_UP = 20  # learners whose actions run before the measure (imports, caches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=0, help="300; 60 with --instructions")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--tool", choices=["koula", "floor", "both"], default="both")
    parser.add_argument("--instructions", action="store_true", help="count them (callgrind)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--under-callgrind", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.learners = args.learners or (60 if args.instructions else 300)
    if args.one:  # one tool in a process of its own (each imports its own application)
        measure(args, args.tool, counting=args.under_callgrind)
        return
    for tool in ["koula", "floor"] if args.tool == "both" else [args.tool]:
        if args.instructions:
            count_instructions(args, tool)
        else:
            subprocess.run([sys.executable, __file__, *_passed(args, tool)], check=True)


def _passed(args: argparse.Namespace, tool: str) -> list[str]:
    passed = ["--learners", str(args.learners), "--tool", tool, "--one"]
    return passed + (["--postgres"] if args.postgres else [])


def count_instructions(args: argparse.Namespace, tool: str) -> None:
    total = instructions_of(__file__, _passed(args, tool), tool)
    actions = 2 * (args.learners - WARM_UP)
    print(
        f"{tool}: {total / actions / 1e6:.3f} million instructions per action ({actions} actions)"
    )


def measure(args: argparse.Namespace, kind: str, *, counting: bool) -> None:
    """Launch ``--learners`` learners through ``kind`` under gunicorn, then act in process."""
    context = multiprocessing.get_context("spawn")
    tool_class = bench.KoulaTool if kind == "koula" else bench.FloorTool
    with (
        tempfile.TemporaryDirectory() as folder,
        bench.platform_side() as platform,
        context.Pool(4) as pool,
    ):
        tool = tool_class(Path(folder) / kind, platform, postgres=args.postgres)
        try:
            _act_in_process(args, kind, tool, pool, platform, counting=counting)
        finally:
            tool.stop()  # its PostgreSQL database dropped


def _act_in_process(
    args: argparse.Namespace, kind: str, tool: Any, pool: Any, platform: Any, *, counting: bool
) -> None:
    _, contexts = bench.launches(pool, platform, tool, list(range(args.learners)), 4)
    if len(contexts) != args.learners:
        raise SystemExit(f"{kind}: {args.learners - len(contexts)} launches failed")
    tool.process.terminate()  # its workers gone: only this process answers now
    tool.process.wait()
    application = _application(kind, tool.env)
    answers: list[str] = []
    _act(application, contexts[:WARM_UP], answers)
    started = time.process_time()
    if counting:  # callgrind counts from here (it is off while nothing is measured)
        switch_counting(True)
    _act(application, contexts[WARM_UP:], answers)
    if counting:
        switch_counting(False)
    seconds = time.process_time() - started
    failed = [status for status in answers if not status.startswith("200")]
    if failed:
        raise SystemExit(f"{kind}: {len(failed)} actions failed: {failed[:3]}")
    if kind == "koula" and tool.scores_queued() != len(answers):
        raise SystemExit(f"koula: {tool.scores_queued()} scores queued for {len(answers)} actions")
    actions = 2 * (len(contexts) - WARM_UP)
    database = "PostgreSQL" if args.postgres else "SQLite"
    if not counting:  # valgrind's CPU time says nothing
        print(
            f"{kind}: {seconds / actions * 1000:.3f} ms CPU per action in process "
            f"({actions} actions, {database})"
        )


def _application(kind: str, env: dict[str, str]) -> Any:
    os.environ.update(
        {key: value for key, value in env.items() if key.startswith(("KOULA", "FLOOR"))}
    )
    if kind == "floor":
        sys.path.insert(0, str(bench.ROOT / "benchmarks"))
        from floor_tool import application

        return application
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti.settings")
    from lti.wsgi import application as koula

    return koula


def _act(application: Any, contexts: list[dict[str, str]], answers: list[str]) -> None:
    """Each learner's actions, in order, as WSGI calls; each answer's status into ``answers``."""

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        answers.append(status)

    for context in contexts:
        for name, body in bench.ACTIONS:
            request = wsgi_request(
                "POST",
                f"{context['api']}/{name}",
                json.dumps(body).encode(),
                HTTP_AUTHORIZATION=f"Bearer {context['token']}",
            )
            answer = application(request, start_response)
            b"".join(answer)
            if hasattr(answer, "close"):
                answer.close()


if __name__ == "__main__":
    main()
