"""The Celery application of the tool (``KOULA_WORKER=celery``): Redis carries its messages.

A message never holds a score: it only says "deliver the due scores now" (sent
after each learner action commits) or "at this time" (the next retry). The
outbox in the database stays the truth, and every worker also looks for due
scores every ``KOULA_SWEEP_SECONDS``, so nothing is lost when Redis or a worker
dies. A beat schedule asks for the daily reminder pass (:data:`SEND_REMINDERS`, at
``KOULA_REMINDER_HOUR`` UTC, default 7). Every key and queue starts with
``KOULA_REDIS_PREFIX``, so several tools
(or test runs) can share one Redis. This module imports no Django model: web
processes send tasks by name; ``celery -A lti.celery_app worker`` (or
``koula worker``) runs them from :mod:`lti.tasks`. Celery reads this before Django's
settings exist, so it reads its settings through :mod:`lti.config`, as they do.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

from lti import config

__all__ = ["DELIVER_SCORES", "SEND_REMINDERS", "app"]

DELIVER_SCORES = "koula.deliver_scores"
SEND_REMINDERS = "koula.send_reminders"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti.settings")
_prefix = config.redis_prefix()
_timeout = config.number("KOULA_REDIS_TIMEOUT", 2)

app = Celery("koula", include=["lti.tasks"])
app.conf.update(
    broker_url=config.redis_url() or "memory://",
    broker_connection_timeout=_timeout,
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        "global_keyprefix": f"{_prefix}:celery:",
        "socket_timeout": _timeout,
        "socket_connect_timeout": _timeout,
        "visibility_timeout": 3600,  # longer than any retry delay (10 minutes at most)
    },
    task_default_queue=f"{_prefix}-scores",
    task_ignore_result=True,
    task_publish_retry=False,  # a web request never waits on Redis: the sweep catches up
    worker_pool=config.text("KOULA_WORKER_POOL", "threads"),  # scores wait on HTTP
    worker_concurrency=config.whole("KOULA_WORKER_CONCURRENCY", 4),
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,  # keep the tool's JSON log lines
    worker_enable_remote_control=False,
    worker_cancel_long_running_tasks_on_connection_loss=False,
    # One reminder pass a day (``celery -A lti.celery_app beat``, or ``koula worker --beat``);
    # a pass sends each reminder once, so an extra pass or a second beat sends nothing twice.
    beat_schedule={
        "koula-reminders": {
            "task": SEND_REMINDERS,
            "schedule": crontab(hour=config.reminder_hour(), minute=0),
        }
    },
    timezone="UTC",
)
