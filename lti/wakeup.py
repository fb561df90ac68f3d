"""Waking the Celery workers when a score is written (``KOULA_WORKER=celery`` only).

After the learner's transaction commits, one message asks a worker to deliver
the due scores now. Sending it never fails the request: if Redis cannot be
reached the score waits in the outbox for the workers' next sweep.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from lti.models import ScoreOutbox

__all__ = ["connect", "wake_workers"]

log = logging.getLogger(__name__)


def wake_workers() -> None:
    from lti.celery_app import DELIVER_SCORES, app

    try:
        app.send_task(DELIVER_SCORES, retry=False)
    except Exception:
        log.warning("cannot reach the Celery broker; the workers' sweep will send the score")


def _score_written(sender: Any, instance: ScoreOutbox, created: bool, **_: Any) -> None:
    if created:
        transaction.on_commit(wake_workers)


def connect() -> None:
    """Wake the workers after each new outbox row, when scores go through Celery."""
    if getattr(settings, "KOULA_WORKER", "thread") == "celery":
        post_save.connect(_score_written, sender=ScoreOutbox, dispatch_uid="koula-wake-workers")
