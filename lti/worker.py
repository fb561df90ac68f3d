"""The score delivery loop (``KOULA_WORKER=thread``): inside ``koula serve`` or as ``koula worker``.

When no score is due, the loop also writes the queued CSV exports
(:mod:`lti.services.exports`).

When ``stop`` is set the loop takes no new score: the one in flight finishes
(its HTTP call is bounded by ``KOULA_HTTP_TIMEOUT``) and the rows claimed with
it go back to the queue (:func:`lti.services.delivery.unclaim`).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from lti.services.delivery import deliver_due
from lti.services.exports import run_due_exports

__all__ = ["run_worker", "start_worker_thread", "stop_worker_thread"]

log = logging.getLogger(__name__)


def run_worker(stop: threading.Event, *, interval: float | None = None) -> None:
    """Deliver due scores until ``stop`` is set; a pass that handled rows is followed at once."""
    interval = settings.KOULA_WORKER_INTERVAL if interval is None else interval
    log.info("score delivery worker started")
    while not stop.is_set():
        close_old_connections()
        try:
            handled = deliver_due(stop=stop)
            if not handled and not stop.is_set():
                handled = run_due_exports()
        except Exception:  # the database may be briefly unreachable: try again next tick
            log.exception("score delivery pass failed")
            handled = 0
        if not handled:
            stop.wait(interval)
    close_old_connections()
    log.info("score delivery worker stopped")


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
