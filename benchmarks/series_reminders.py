"""Time and peak memory of one reminder pass over many open experiments, in the core.

Generates N open commitments lazily (default 100,000): learners of 40 sessions, committed
over the last four weeks with a 14-day window, 2 days' notice (7 for a quarter of the
sessions), 5% without an e-mail address and 2% unsubscribed. Then times, on one day:

* a :class:`koula.ReminderPass` over the commitments as an adapter would hand them over
  (:class:`koula.OpenCommitment` values), with the keys sent the day before as
  ``already_sent``;
* the same starting from each learner's stored state (JSON decoded with
  ``LearnerState.from_data``, then :func:`koula.open_commitment`), as the LTI worker will;
* :func:`koula.reach`, the staff view's count of who cannot be reminded;

and prints the reminders due, the counts, and each one's peak memory (tracemalloc, in a
separate run), which stays flat: nothing is kept per commitment. Times are the best of
``--repeat`` runs. It prints figures and asserts nothing.

    .venv/bin/python benchmarks/series_reminders.py [--commitments 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import best_of, peak_of
from koula import (
    LearnerState,
    OpenCommitment,
    ReminderPass,
    Session,
    get_template,
    open_commitment,
    reach,
)
from koula.state import PartState

TODAY = dt.date(2026, 12, 1)
SESSIONS = 40


def sessions() -> list[Session]:
    template = get_template("default-koula")
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    return [
        Session(
            f"s{n:02d}",
            f"Session {n + 1}",
            template,
            start + dt.timedelta(days=n % 28),
            reminder_days=7 if n % 4 == 0 else 2,
        )
        for n in range(SESSIONS)
    ]


def stored_states(count: int, seed: int) -> Iterator[tuple[Session, str, dict[str, Any]]]:
    """Yield (session, learner id, stored state JSON) for ``count`` open experiments."""
    rng = random.Random(seed)
    series = sessions()
    for n in range(count):
        session = series[n % SESSIONS]
        committed = dt.datetime.combine(
            TODAY - dt.timedelta(days=rng.randint(0, 27)), dt.time(10), dt.UTC
        )
        state = LearnerState(
            PartState({"practice_name": "Pair review"}, done_at=committed),
            PartState(
                {"action": f"Run a retro {n % 100}", "confidence": 3},
                done_at=committed,
                due_on=committed.date() + dt.timedelta(days=14),
            ),
        )
        yield session, f"l{n:06d}", state.to_data()


def contact(learner_id: str) -> dict[str, Any]:
    n = int(learner_id[1:])
    return {
        "email": None if n % 20 == 0 else f"{learner_id}@example.org",
        "unsubscribed": n % 50 == 1,
        "language": "fr" if n % 3 == 0 else "en",
        "name": f"Learner {n}",
    }


def commitments(stored: Iterable[tuple[Session, str, dict[str, Any]]]) -> Iterator[OpenCommitment]:
    """Yield the open experiments of ``stored`` states, as the LTI worker will read them."""
    for session, learner_id, data in stored:
        found = open_commitment(
            session, learner_id, LearnerState.from_data(data), **contact(learner_id)
        )
        if found is not None:
            yield found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    count, seed = args.commitments, args.seed
    stored = list(stored_states(count, seed))  # as a database holds them
    ready = list(commitments(stored))  # as an adapter hands them over
    yesterday = ReminderPass(TODAY - dt.timedelta(days=1))
    sent = frozenset(reminder.key for reminder in yesterday.reminders(ready))

    def pass_over(items: Any) -> ReminderPass:
        today = ReminderPass(TODAY, already_sent=sent)
        for _ in today.reminders(items):
            pass
        return today

    ready_time, found = best_of(args.repeat, lambda: pass_over(ready))
    full_time, _ = best_of(args.repeat, lambda: pass_over(commitments(stored)))
    reach_time, counted = best_of(args.repeat, lambda: reach(ready))
    today: ReminderPass = found  # type: ignore[assignment]
    print(f"open experiments: {len(ready):,}; keys sent the day before: {len(sent):,}")
    print(
        f"reminder pass over OpenCommitment values: {ready_time:.3f} s"
        f" ({len(ready) / ready_time:,.0f} commitments/s); best of {args.repeat}"
    )
    print(f"the same from stored states (decode + open_commitment + pass): {full_time:.2f} s")
    print(
        f"due today: {today.due:,} to send; {today.sent_before:,} already sent;"
        f" {today.no_email:,} without an address; {today.unsubscribed:,} unsubscribed"
    )
    print(f"reach (the staff view's counts): {reach_time:.3f} s, {counted}")
    print(f"peak memory, pass over values: {peak_of(lambda: pass_over(ready)) / 1024:,.0f} KiB")
    peak = peak_of(lambda: pass_over(commitments(stored)))
    print(f"peak memory, pass from stored states: {peak / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
