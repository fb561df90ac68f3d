"""Time, peak memory and SQL queries of the LTI tool's series report and series CSV, on PostgreSQL.

Seeds a fresh PostgreSQL database (:mod:`benchmarks.lti_database`) with one course of S
sessions (default 20, one every fortnight) of N learners each (default 5,000), every
learner with a state in every session: 5% a draft, 15% the practice card only, 25%
committed with the experiment still open, and 55% returned (applied yes, partly or no,
on time or late, with common blockers, some with a value story). Then, through
:class:`lti.services.series.ActivitySeries` (the core's ``SeriesStore`` over the tool's
rows), it times end to end, reading the database included:

* :func:`koula.series_report` of the whole series;
* :func:`koula.stream_series_csv`, every line encoded (one row per learner per session);

and prints for each: the rows read, the best time of ``--repeat`` runs (the machines are
shared), the peak Python memory (tracemalloc, in a separate run, since tracing slows
everything down) and the number of SQL queries. It prints figures and asserts nothing;
issue 11 aims at a series report under 2 s for 20 sessions x 5,000 learners.

    .venv/bin/python benchmarks/lti_series_report.py [--sessions 20] [--learners 5000] [--repeat 3]

Needs PostgreSQL (KOULA_TEST_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test);
the database it creates is dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.lti_database import (
    CARD,
    COMMITMENT,
    Pattern,
    Step,
    count_queries,
    seed_course,
    state_after,
    throwaway_database,
)
from benchmarks.measure import best_of, peak_of

FIRST_SESSION = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
BLOCKERS = [[], ["No time"], ["Manager said no"], ["No time!", "Tooling"], ["Too many meetings."]]


def card(at: dt.datetime) -> list[Step]:
    return [("submit_deliverable", {"values": CARD}, at)]


def committed(at: dt.datetime) -> list[Step]:
    return [*card(at), ("commit_experiment", {"values": COMMITMENT}, at)]


def returned(applied: str, blockers: list[str], *, late: bool, story: bool) -> Pattern:
    """The pattern of a learner who reported back on their experiment."""
    values: dict[str, Any] = {
        "applied": applied,
        "what_happened": "We tried it twice; the second time went better.",
        "confidence": 4,
        "blockers": blockers,
    }
    if story:
        values |= {"value_story": "Reviews now land within a day.", "value_cycle": "applied"}
    back = dt.timedelta(days=20 if late else 10)
    return 5, lambda at: state_after(
        [*committed(at), ("submit_return", {"values": values}, at + back)]
    )


DRAFT = {"part": "deliverable", "values": {"practice_name": "Half a card"}}
PATTERNS: list[Pattern] = [
    (5, lambda at: state_after([("save_draft", DRAFT, at)])),
    (15, lambda at: state_after(card(at))),
    (25, lambda at: state_after(committed(at))),
    *[
        returned(applied, blockers, late=n % 3 == 0, story=n % 4 == 0)
        for n, (applied, blockers) in enumerate(
            (applied, blockers) for applied in ("yes", "partly") for blockers in BLOCKERS
        )
    ],
    returned("no", ["No time"], late=False, story=False),
]


def csv_lines(activity: Any) -> int:
    from koula import stream_series_csv
    from lti.services.series import ActivitySeries

    size = 0
    for line in stream_series_csv(ActivitySeries(activity)):
        size += len(line.encode("utf-8"))
    return size


def report(activity: Any) -> Any:
    from koula import series_report
    from lti.services.series import ActivitySeries

    return series_report(ActivitySeries(activity))


def staff_page(activity: Any) -> int:
    """The staff view of the series' last session (its series table, check-in, reach and
    this activity's report), as a staff launch draws it; return the page's size."""
    from lti.models import LtiUser
    from lti.views.staff import staff_view

    viewer = LtiUser.objects.filter(registration=activity.deployment.registration).first()
    return len(staff_view(activity, "en", viewer=viewer.pk if viewer else None).content)


def queries_of(run: Any) -> int:
    with count_queries() as queries:
        run()
    return queries.count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--learners", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is kept")
    args = parser.parse_args()
    with throwaway_database() as database:
        started = time.perf_counter()
        times = [FIRST_SESSION + dt.timedelta(days=14 * n) for n in range(args.sessions)]
        activity = seed_course(times, args.learners, PATTERNS)
        rows = args.sessions * args.learners
        print(
            f"seeded {args.sessions} sessions x {args.learners:,} learners = {rows:,} records"
            f" in {time.perf_counter() - started:.1f} s, on PostgreSQL (database {database},"
            " dropped at the end)"
        )
        seconds, found = best_of(args.repeat, lambda: report(activity))
        totals = found.totals  # type: ignore[attr-defined]
        print(
            f"series report: {rows:,} rows in {seconds:.2f} s (best of {args.repeat}),"
            f" {queries_of(lambda: report(activity))} SQL queries,"
            f" peak {peak_of(lambda: report(activity)) / 2**20:.1f} MiB;"
            f" participations {totals.participations:,}, returns {totals.returns:,},"
            f" applied {totals.applied:,}"
        )
        last = type(activity).objects.filter(context_id=activity.context_id).order_by("pk").last()
        seconds, size = best_of(args.repeat, lambda: staff_page(last))
        print(
            f"staff view of the last session: {size / 2**10:,.0f} KiB in {seconds:.2f} s"
            f" (best of {args.repeat}), {queries_of(lambda: staff_page(last))} SQL queries"
        )
        seconds, size = best_of(args.repeat, lambda: csv_lines(activity))
        print(
            f"series CSV: {rows:,} rows, {int(str(size)) / 2**20:.1f} MiB in {seconds:.2f} s"
            f" (best of {args.repeat}; {rows / seconds:,.0f} rows/s),"
            f" {queries_of(lambda: csv_lines(activity))} SQL queries,"
            f" peak {peak_of(lambda: csv_lines(activity)) / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
