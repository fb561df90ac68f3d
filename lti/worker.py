"""The score delivery loop (``KOULA_WORKER=thread``): inside ``koula serve`` or as ``koula worker``.

Each pass also sends one batch of due xAPI statements when an LRS is configured
(:func:`lti.services.xapi_delivery.deliver_statements`). When no score is due, the loop also
writes the queued CSV exports
(:mod:`lti.services.exports`), and once an hour (the first time soon after it starts) makes
a reminder pass (:func:`lti.services.reminders.reminders_run`): the reminders are due by
the day, and a pass sends each at most once, so hourly passes only make up quickly for a
day the tool was down, at the cost of one read of the open experiments an hour. With the
reminder pass comes the retention pass (:func:`erase_expired_answers`), when
``KOULA_RETENTION_DAYS`` is set. The pass
asks ``stop`` before each reminder, and stops at the first failure to reach the mail
server, so neither shutdown nor the scores wait for every reminder to time out.

When ``stop`` is set the loop takes no new score: the one in flight finishes
(its HTTP call is bounded by ``KOULA_HTTP_TIMEOUT``) and the rows claimed with
it go back to the queue (:func:`lti.services.delivery.unclaim`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections

from lti.services.delivery import deliver_due
from lti.services.exports import run_due_exports
from lti.services.learner_data import erase_expired
from lti.services.reminders import UNREACHABLE, reminders_run
from lti.services.xapi_delivery import deliver_statements
from lti.views.reminder_mail import compose_reminder

__all__ = [
    "erase_expired_answers",
    "run_worker",
    "send_reminders",
    "start_worker_thread",
    "stop_worker_thread",
]

log = logging.getLogger(__name__)
REMINDER_SECONDS = 3600.0


def run_worker(stop: threading.Event, *, interval: float | None = None) -> None:
    """Deliver due scores until ``stop`` is set; a pass that handled rows is followed at once."""
    interval = settings.KOULA_WORKER_INTERVAL if interval is None else interval
    log.info("score delivery worker started")
    reminders_at = time.monotonic()
    while not stop.is_set():
        close_old_connections()
        try:
            handled = deliver_due(stop=stop)
            if not stop.is_set():
                handled += deliver_statements(stop=stop)
            if not handled and not stop.is_set():
                handled = run_due_exports()
            if not handled and not stop.is_set() and time.monotonic() >= reminders_at:
                reminders_at = time.monotonic() + REMINDER_SECONDS
                send_reminders(should_stop=stop.is_set)
                erase_expired_answers(should_stop=stop.is_set)
        except Exception:  # the database may be briefly unreachable: try again next tick
            log.exception("score delivery pass failed")
            handled = 0
        if not handled:
            stop.wait(interval)
    close_old_connections()
    log.info("score delivery worker stopped")


def send_reminders(should_stop: Callable[[], bool] | None = None) -> None:
    """Make one reminder pass for today (UTC) and log what it did; ``should_stop`` is asked
    before each reminder (the loop's stop event: shutdown does not wait for the pass)."""
    today = dt.datetime.now(dt.UTC).date()
    done = reminders_run(
        today=today, compose=compose_reminder, on_sent=lambda line: None, should_stop=should_stop
    )
    if not done.configured:
        log.info("reminder pass: no e-mail sent, KOULA_EMAIL_URL is not set")
        return
    log.info(
        "reminder pass: %d sent, %d failed, %d without address, %d unsubscribed, %d open",
        done.sent_count,
        done.failed,
        done.no_email,
        done.unsubscribed,
        done.open,
    )
    if done.stopped == UNREACHABLE:
        log.warning(
            "reminder pass stopped, the mail server could not be reached (%s); the reminders "
            "not sent go with a later pass",
            done.stopped_by,
        )
    elif done.stopped:
        log.info("reminder pass stopped (%s); the rest goes with a later pass", done.stopped)


def erase_expired_answers(should_stop: Callable[[], bool] | None = None) -> None:
    """Make one retention pass (``KOULA_RETENTION_DAYS``, docs/privacy.md; nothing when it
    is unset) with the reminder pass, and log how many records it erased."""
    if not settings.KOULA_RETENTION_DAYS:
        return
    erased = erase_expired(should_stop=should_stop)
    log.info("retention pass: %d records erased", erased)


def start_worker_thread(
    stop: threading.Event, *, interval: float | None = None
) -> threading.Thread:
    thread = threading.Thread(
        target=run_worker,
        args=(stop,),
        kwargs={"interval": interval},
        name="koula-score-worker",
        daemon=True,
    )
    thread.start()
    return thread


def stop_worker_thread(stop: threading.Event, thread: threading.Thread) -> None:
    """Ask the loop to stop and wait up to ``KOULA_SHUTDOWN_GRACE`` seconds for it."""
    stop.set()
    thread.join(settings.KOULA_SHUTDOWN_GRACE)
    if thread.is_alive():
        log.warning("score worker still busy after the grace period; its lease will expire")
