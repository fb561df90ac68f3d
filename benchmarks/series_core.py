"""Time and peak memory of the series report and the series CSV in the core, on this machine.

Builds a course of S sessions (default 20) of N learners each (default 5,000) in memory,
behind a small in-memory :class:`koula.SeriesStore` (the port the adapters implement),
with realistic states of the default Koula template: a fifth never start, some stop at a
draft, the card or the commitment; returns on time or late, applied yes/partly/no,
blockers from common wordings plus one-offs, value stories, shared cards and reuse marks.
The store keeps each state as its JSON data (``LearnerState.to_data``), as a database
does, and decodes it when a use case reads it, as an adapter does. Then it prints:

* the time to build the course, and to decode every state alone (not in the figures below);
* the time of :func:`koula.series_report` (one pass per session), reading the stored JSON
  (decoding included, as an adapter reads), and the core's part alone (the states decoded
  beforehand);
* the time and rows per second of :func:`koula.stream_series_csv` (one row per learner
  per session, decoding included), and its size;
* the peak memory (tracemalloc) of each, above the course already in memory, measured in
  a separate run, since tracing slows everything down.

Times are the best of ``--repeat`` runs (the machines are shared). It prints figures and
asserts nothing.

    .venv/bin/python benchmarks/series_core.py [--sessions 20] [--learners 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import best_of, peak_of
from koula import (
    LearnerState,
    Member,
    SeriesStore,
    Session,
    get_template,
    series_report,
    stream_series_csv,
)
from koula.community import public_id
from koula.state import PartState

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
BLOCKERS = ["Time", "time!", "No budget", "Manager said no", "Too many meetings.", "Pas le temps"]
CYCLES = ["immediate", "potential", "applied", "realised", "reframing"]


class MemoryCourse:
    """A course in memory: the :class:`koula.SeriesStore` port over dictionaries."""

    def __init__(self, now: dt.datetime) -> None:
        self.clock = now
        self.by_id: dict[str, Session] = {}
        self.stored: dict[str, dict[str, dict[str, Any]]] = {}

    def sessions(self) -> Iterator[Session]:
        yield from self.by_id.values()

    def members(self, session_id: str, *, committed: bool = False) -> Iterator[Member]:
        for learner_id, data in self.stored[session_id].items():
            yield learner_id, f"Learner {learner_id}", LearnerState.from_data(data)

    def learner_states(
        self, learner_id: str, session_ids: Collection[str]
    ) -> dict[str, dict[str, Any]]:
        return {s: self.stored[s][learner_id] for s in session_ids if learner_id in self.stored[s]}

    def save_state(self, session_id: str, learner_id: str, stored: dict[str, Any]) -> None:
        self.stored[session_id][learner_id] = stored

    def now(self) -> dt.datetime:
        return self.clock


def state_of(rng: random.Random, n: int, at: dt.datetime, scope: str) -> LearnerState:
    stage = rng.choices(range(6), weights=[20, 5, 15, 15, 10, 35])[0]
    marks = (public_id(scope, f"l{rng.randrange(50):05d}"),) if rng.random() < 0.1 else ()
    if stage == 0:
        return LearnerState(will_use=marks)
    if stage == 1:
        return LearnerState(PartState(draft={"practice_name": "Half a card"}))
    card = PartState(
        {"practice_name": f"Practice {n % 50}", "problem": "Late reviews", "steps": ["a", "b"]},
        done_at=at,
    )
    shared = at if n < 50 else None
    if stage == 2:
        return LearnerState(card, shared_at=shared, will_use=marks)
    commitment = PartState(
        {"action": "Run a five-minute retro", "confidence": rng.randint(1, 5)},
        done_at=at,
        due_on=at.date() + dt.timedelta(days=14),
    )
    share = rng.random() < 0.4
    if stage in (3, 4):
        return LearnerState(card, commitment, shared_at=shared, share_commitment=share)
    blockers = rng.sample(BLOCKERS, rng.randint(0, 2))
    if rng.random() < 0.2:
        blockers.append(f"Something specific to case {n}")
    values: dict[str, Any] = {
        "applied": rng.choice(["yes", "yes", "partly", "no"]),
        "what_happened": "We tried it twice; the second time went better.",
        "confidence": rng.randint(2, 5),
        "blockers": blockers,
    }
    if rng.random() < 0.3:
        values |= {"value_story": f"Story {n}: meetings end on time.", "value_cycle": "applied"}
    returned = PartState(values, done_at=at + dt.timedelta(days=10), on_time=rng.random() < 0.7)
    return LearnerState(
        card, commitment, returned, shared_at=shared, will_use=marks, share_commitment=share
    )


def build(sessions: int, learners: int, seed: int) -> MemoryCourse:
    rng = random.Random(seed)
    template = get_template("default-koula")
    course = MemoryCourse(T0 + dt.timedelta(days=14 * sessions))
    for number in range(sessions):
        at = T0 + dt.timedelta(days=14 * number)
        session = Session(
            f"s{number:02d}", f"Session {number + 1}", template, at, card_scope=f"scope-{number}"
        )
        course.by_id[session.id] = session
        course.stored[session.id] = {
            f"l{n:05d}": state_of(rng, n, at, session.card_scope).to_data() for n in range(learners)
        }
    return course


def csv_size(store: SeriesStore) -> int:
    return sum(len(line.encode("utf-8")) for line in stream_series_csv(store))


class Decoded(MemoryCourse):
    """The same course with every state decoded once, to time the core's part alone."""

    def __init__(self, course: MemoryCourse) -> None:
        super().__init__(course.clock)
        self.by_id = course.by_id
        self.members_of = {s: list(course.members(s)) for s in course.by_id}

    def members(self, session_id: str, *, committed: bool = False) -> Iterator[Member]:
        return iter(self.members_of[session_id])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--learners", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    build_time, built = best_of(1, lambda: build(args.sessions, args.learners, args.seed))
    course: MemoryCourse = built  # type: ignore[assignment]
    rows = args.sessions * args.learners
    decode_time, _ = best_of(
        args.repeat, lambda: [sum(1 for _ in course.members(s)) for s in course.by_id]
    )
    decoded = Decoded(course)
    report_time, report = best_of(args.repeat, lambda: series_report(course))
    core_time, _ = best_of(args.repeat, lambda: series_report(decoded))
    csv_time, size = best_of(args.repeat, lambda: csv_size(course))
    print(
        f"course: {args.sessions} sessions x {args.learners:,} learners = {rows:,} states"
        f" (built in {build_time:.2f} s; decoding them all alone: {decode_time:.2f} s)"
    )
    print(
        f"series report: {report_time:.2f} s reading the stored JSON;"
        f" {core_time:.2f} s over decoded states (the core alone); best of {args.repeat}"
    )
    print(
        f"series CSV: {csv_time:.2f} s, {rows / csv_time:,.0f} rows/s (decoding included),"
        f" {int(str(size)):,} bytes"
    )
    for name, run in (
        ("series report", lambda: series_report(course)),
        ("series CSV", lambda: csv_size(course)),
    ):
        print(f"peak memory above the course, {name}: {peak_of(run) / 1024:,.0f} KiB")
    totals = report.totals  # type: ignore[attr-defined]
    top = report.top_cards  # type: ignore[attr-defined]
    print(
        f"figures: participations {totals.participations:,}, returns {totals.returns:,},"
        f" applied {totals.applied:,}, hours invested {totals.minutes_invested / 60:,.0f},"
        f" most reuses of one card {top[0].reuses if top else 0}"
    )


if __name__ == "__main__":
    main()
