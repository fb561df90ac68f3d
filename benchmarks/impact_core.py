"""Time and peak memory of the impact report and the CSV export in the core, on this machine.

Generates N learners lazily (default 100,000) with realistic states of the
default Koula template (a fifth never start, some stop at a draft, the card,
or the commitment; returns on time or late, applied yes/partly/no, blockers
drawn from common wordings plus one-offs, value stories), then prints:

* the time to compute the report with :class:`koula.impact.ImpactAccumulator`;
* the time and rows per second to stream the CSV with :func:`koula.export.stream_csv`;
* the peak memory (tracemalloc) of each, measured in a second run, since
  tracing slows everything down.

The learners are generated inside the timed loop, so the times include making
them; the generation alone is timed too. It prints figures and asserts nothing.

    .venv/bin/python benchmarks/impact_core.py [--learners 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from koula.export import stream_csv
from koula.impact import ImpactAccumulator
from koula.library import get_template
from koula.state import LearnerState, PartState

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
BLOCKERS = [
    "Time",
    "time!",
    "No time",
    "No budget",
    "Manager said no",
    "No slot on the meeting agenda",
    "Tool not installed",
    "Team on holiday",
    "Pas le temps",
    "Pas de créneau à l'ordre du jour",
    "Too many meetings.",
    "Customer cancelled",
]
CYCLES = ["immediate", "potential", "applied", "realised", "reframing"]
Learners = Iterator[tuple[str, LearnerState]]


def learners(count: int, seed: int) -> Learners:
    rng = random.Random(seed)
    for n in range(count):
        stage = rng.choices(range(6), weights=[20, 5, 15, 15, 10, 35])[0]
        yield f"learner-{n:06d}", state_at(stage, rng, n)


def state_at(stage: int, rng: random.Random, n: int) -> LearnerState:
    if stage == 0:
        return LearnerState()
    if stage == 1:
        return LearnerState(PartState(draft={"practice_name": "Half a card"}))
    card = PartState(
        {"practice_name": f"Practice {n % 50}", "problem": "Late reviews", "steps": ["a", "b"]},
        done_at=T0,
    )
    if stage == 2:
        return LearnerState(card)
    commitment = PartState(
        {
            "action": "Run a five-minute retro on Thursday",
            "success_signal": "Every action has an owner",
            "confidence": rng.randint(1, 5),
            "relevance": rng.randint(2, 5),
            "can_do_now": rng.choice(["yes", "partly", "no"]),
        },
        done_at=T0,
        due_on=dt.date(2026, 11, 16),
    )
    if stage in (3, 4):
        return LearnerState(card, commitment)
    blockers = rng.sample(BLOCKERS, rng.randint(0, 2))
    if rng.random() < 0.2:
        blockers.append(f"Something specific to case {n}")
    values = {
        "applied": rng.choice(["yes", "yes", "partly", "no"]),
        "what_happened": "We tried it twice; the second time went better.",
        "confidence": rng.randint(2, 5),
        "blockers": blockers,
    }
    if rng.random() < 0.3:
        values |= {"value_story": f"Story {n}: meetings end on time.", "value_cycle": "applied"}
    elif rng.random() < 0.5:
        values["value_cycle"] = rng.choice(CYCLES)
    returned = PartState(values, done_at=T0 + dt.timedelta(days=10), on_time=rng.random() < 0.7)
    return LearnerState(card, commitment, returned)


def report_of(items: Learners) -> object:
    accumulator = ImpactAccumulator(get_template("default-koula"))
    for learner_id, state in items:
        accumulator.add(learner_id, state)
    return accumulator.report(computed_at=T0)


def csv_size_of(items: Learners) -> object:
    return sum(
        len(line.encode("utf-8")) for line in stream_csv(get_template("default-koula"), items)
    )


def timed(run: Callable[[Learners], object], count: int, seed: int) -> tuple[float, object]:
    started = time.perf_counter()
    result = run(learners(count, seed))
    return time.perf_counter() - started, result


def peak_of(run: Callable[[Learners], object], count: int, seed: int) -> int:
    tracemalloc.start()
    try:
        run(learners(count, seed))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    count, seed = args.learners, args.seed
    get_template("default-koula")  # read the library once, outside the timings
    generation, _ = timed(lambda items: sum(1 for _ in items), count, seed)
    report_time, report = timed(report_of, count, seed)
    csv_time, size = timed(csv_size_of, count, seed)
    print(f"learners: {count:,} (generating them alone: {generation:.2f} s)")
    net_report, net_csv = report_time - generation, csv_time - generation
    print(f"impact report: {report_time:.2f} s, {net_report:.2f} s without generating")
    print(
        f"CSV: {csv_time:.2f} s, {count / csv_time:,.0f} rows/s"
        f" ({count / net_csv:,.0f} rows/s without generating), {int(str(size)):,} bytes"
    )
    for name, run in (("impact report", report_of), ("CSV", csv_size_of)):
        print(f"peak memory, {name}: {peak_of(run, count, seed) / 1024:,.0f} KiB")
    data = report.to_data()  # type: ignore[attr-defined]
    print(
        "figures: started {s}, returns {r}, applied rate {a}, top blocker {b!r}".format(
            s=data["started"]["count"],
            r=data["returns"]["count"],
            a=data["applied_rate"]["rate"],
            b=data["blockers"]["groups"][0],
        )
    )


if __name__ == "__main__":
    main()
