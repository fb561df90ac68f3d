"""Time, peak memory and SQL queries of one reminder pass of the LTI tool, on PostgreSQL.

Seeds a fresh PostgreSQL database (:mod:`benchmarks.lti_database`) with S sessions
(default 20) of N learners each (default 5,000), every learner's experiment committed
and still open: S x N open commitments (default 100,000). The sessions were held on
different days between 6 and 27 days before ``--today`` (the first ones closest to 13
days before, so even a tiny run has reminders due); each learner committed on the day of
the session or up to two days later, with the default template's 14-day window; every
fourth session sends its first reminder 7 days before the due date, the others 2. 5% of
learners have no e-mail address and 2% unsubscribed.

Then it runs :func:`lti.services.reminders.reminders_run` for ``--today`` (what ``koula
reminders run`` and the worker call), with the e-mails of
:func:`lti.views.reminder_mail.compose_reminder` written by ``KOULA_EMAIL_URL=mailbox://``
into a temporary folder (one ``.eml`` file each, no network), and prints:

* the first pass of the day: the time, the reminders sent and skipped (no address,
  unsubscribed, already sent, failed), the SQL queries and the peak Python memory
  (tracemalloc: a separate run, after the sent reminders' rows and files were removed,
  since tracing slows everything down);
* a second pass the same day, which sends nothing (every key is already stored): reading
  every open commitment, choosing the reminders due and finding each one's key already
  stored, without composing or sending.

It prints figures and asserts nothing. At the full size it runs for about 10 minutes on
this project's machine (the traced run is the slowest).

    .venv/bin/python benchmarks/lti_reminder_pass.py [--sessions 20] [--learners 5000]
        [--today 2026-12-01]

Needs PostgreSQL (KOULA_TEST_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test);
the database it creates is dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.lti_database import (
    CARD,
    COMMITMENT,
    Pattern,
    count_queries,
    seed_course,
    state_after,
    throwaway_database,
)
from benchmarks.measure import best_of, peak_of

FIRST_DAY, LAST_DAY = 6, 27  # days before --today that the sessions were held


def session_times(sessions: int, today: dt.date) -> list[dt.datetime]:
    """The sessions' times: each on its own day (while days last), closest to 13 days ago first."""
    days = sorted(range(FIRST_DAY, LAST_DAY + 1), key=lambda day: abs(day - 13))
    return [
        dt.datetime.combine(today, dt.time(9), dt.UTC) - dt.timedelta(days=days[n % len(days)])
        for n in range(sessions)
    ]


def committed_after(days: int) -> Pattern:
    """A learner who committed ``days`` days after the session, at 10:00 UTC."""

    def build(at: dt.datetime) -> dict[str, Any]:
        when = at.replace(hour=10) + dt.timedelta(days=days)
        return state_after(
            [
                ("submit_deliverable", {"values": CARD}, at),
                ("commit_experiment", {"values": COMMITMENT}, when),
            ]
        )

    return (70, 20, 10)[days], build


PATTERNS = [committed_after(days) for days in range(3)]


def reminder_pass(today: dt.date) -> Any:
    from lti.services.reminders import reminders_run
    from lti.views.reminder_mail import compose_reminder

    return reminders_run(today=today, compose=compose_reminder)


def forget_sent(mailbox: Path) -> None:
    """Remove the reminders sent (their keys and their files), so a pass sends them again."""
    from lti.models import SentReminder

    SentReminder.objects.all().delete()
    shutil.rmtree(mailbox)
    mailbox.mkdir()


def counts(done: Any) -> str:
    return (
        f"{len(done.sent):,} sent, {done.failed:,} failed, {done.no_email:,} without an"
        f" e-mail address, {done.unsubscribed:,} unsubscribed, {done.already_sent:,}"
        f" already sent; {done.open:,} open experiments read"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--learners", type=int, default=5_000)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="koula-bench-mail-") as folder:
        mailbox = Path(folder)
        environment = {"KOULA_EMAIL_URL": f"mailbox://{mailbox}"}
        with throwaway_database(environment) as database:
            started = time.perf_counter()
            seed_course(
                session_times(args.sessions, args.today),
                args.learners,
                PATTERNS,
                reminder_days=lambda number: 7 if number % 4 == 3 else None,
            )
            rows = args.sessions * args.learners
            print(
                f"seeded {args.sessions} sessions x {args.learners:,} learners = {rows:,} open"
                f" commitments in {time.perf_counter() - started:.1f} s, on PostgreSQL"
                f" (database {database}, dropped at the end)"
            )
            seconds, done = best_of(1, lambda: reminder_pass(args.today))
            files = sum(1 for _ in mailbox.iterdir())
            forget_sent(mailbox)
            with count_queries() as queries:
                peak = peak_of(lambda: reminder_pass(args.today))
            print(
                f"first pass on {args.today}: {seconds:.2f} s"
                f" ({1000 * seconds / max(1, len(done.sent)):.1f} ms per reminder sent),"
                f" {queries.count:,} SQL queries,"
                f" peak {peak / 2**20:.1f} MiB; {counts(done)}; {files:,} e-mails written"
            )
            seconds, again = best_of(1, lambda: reminder_pass(args.today))
            with count_queries() as queries:
                reminder_pass(args.today)
            print(
                f"second pass the same day: {seconds:.2f} s, {queries.count:,} SQL queries;"
                f" {counts(again)}"
            )


if __name__ == "__main__":
    main()
