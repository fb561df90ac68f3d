"""Celery tasks: deliver the due scores (and say when to look again).

:func:`deliver_scores` runs delivery passes (the scores, and a batch of xAPI statements
when an LRS is configured) until nothing is due, then asks
for one more run when the earliest pending score or statement comes due (one message per
second of due time, whichever worker asks). On warm shutdown (SIGTERM) the
pass in flight finishes its score and gives the rest back to the queue. Each
worker also sweeps every ``KOULA_SWEEP_SECONDS``: scores written while Redis
or every worker was down are delivered all the same. :func:`reminders_pass` makes the
reminder pass the beat schedule asks for daily (:mod:`lti.celery_app`), and the retention
pass after it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import signals
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone

from lti.celery_app import DELIVER_SCORES, SEND_REMINDERS, app
from lti.logs import log_context
from lti.services.delivery import deliver_due, next_due
from lti.services.exports import EXPORT_TASK, run_due_exports
from lti.services.xapi_delivery import deliver_statements, next_statement_due
from lti.worker import erase_expired_answers, send_reminders

__all__ = ["deliver_scores", "export_reports", "reminders_pass", "schedule_delivery"]

log = logging.getLogger(__name__)
PASS_SECONDS = 30.0
stopping = threading.Event()


@app.task(name=DELIVER_SCORES, bind=True)
def deliver_scores(self: Any) -> int:
    """Deliver every due score; return how many rows were handled."""
    with log_context(task_id=self.request.id):
        handled, started = 0, time.monotonic()
        close_old_connections()
        try:
            while not stopping.is_set():
                count = deliver_due(stop=stopping)
                if not stopping.is_set():  # and a batch of xAPI statements (when configured)
                    count += deliver_statements(stop=stopping)
                handled += count
                if not count:
                    break
                if time.monotonic() - started > PASS_SECONDS:  # let other messages through
                    schedule_delivery(0)
                    return handled
            if not stopping.is_set():
                due = min(
                    (moment for moment in (next_due(), next_statement_due()) if moment),
                    default=None,
                )
                if due is not None:
                    schedule_delivery(max((due - timezone.now()).total_seconds(), 0))
        finally:
            close_old_connections()
        return handled


@app.task(name=EXPORT_TASK, bind=True)
def export_reports(self: Any) -> int:
    """Write the queued CSV exports; return how many were taken."""
    with log_context(task_id=self.request.id):
        close_old_connections()
        try:
            return run_due_exports()
        finally:
            close_old_connections()


@app.task(name=SEND_REMINDERS, bind=True)
def reminders_pass(self: Any) -> None:
    """Make the day's reminder pass (the beat schedule asks for it daily)."""
    with log_context(task_id=self.request.id):
        close_old_connections()
        try:
            send_reminders()
            erase_expired_answers()
        finally:
            close_old_connections()


def schedule_delivery(seconds: float) -> None:
    """Ask for a delivery run in ``seconds`` (once per second of due time across workers)."""
    moment = int(time.time() + seconds)
    if cache.add(f"deliver-at:{moment}", 1, int(seconds) + 60):
        deliver_scores.apply_async(countdown=max(seconds, 0.05))


def _sweep(stop: threading.Event) -> None:
    while not stop.wait(settings.KOULA_SWEEP_SECONDS):
        try:
            if cache.add("deliver-sweep", 1, max(int(settings.KOULA_SWEEP_SECONDS) - 1, 1)):
                deliver_scores.delay()
                export_reports.delay()
        except Exception:  # Redis down: the next sweep tries again
            log.warning("cannot reach Redis to sweep the outbox", exc_info=True)


@signals.worker_ready.connect
def _start_sweeping(**_: Any) -> None:
    stopping.clear()
    threading.Thread(target=_sweep, args=(stopping,), name="koula-sweep", daemon=True).start()
    deliver_scores.delay()  # what waited while no worker ran
    export_reports.delay()


@signals.worker_shutting_down.connect
def _stop(**_: Any) -> None:
    log.info("worker stopping: scores in flight finish, claimed ones go back to the queue")
    stopping.set()
