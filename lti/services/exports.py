"""CSV exports prepared in the background, for activities too large to stream in one request.

Staff ask for an export (:func:`request_export`); a worker takes it from the
queue (the :class:`~lti.models.ReportExport` table, as scores take the outbox),
writes the CSV to ``KOULA_EXPORT_DIR`` under a temporary name, saying how many
rows are written as it goes, and renames it when complete, so a download never
reads half a file. With ``KOULA_WORKER=celery`` a message wakes a Celery worker;
otherwise the tool's own worker loop (in ``koula serve`` or ``koula worker``)
takes it. A worker that dies leaves its lease to expire, and the export is
taken again from the start. Files older than ``KOULA_EXPORT_KEEP_HOURS`` go.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from koula import LearnerState, stream_members_csv
from lti.models import Activity, LearnerRecord, ReportExport
from lti.services.activities import template_of
from lti.services.reports import activity_members
from lti.services.rosters import course_learners

__all__ = ["LEASE", "export_file", "request_export", "run_due_exports"]

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
PROGRESS_EVERY = 2000
EXPORT_TASK = "koula.export_report"


def request_export(activity: Activity) -> ReportExport:
    """Queue a CSV export of ``activity`` and wake a worker; return the queued export."""
    _forget_old_exports()
    export = ReportExport.objects.create(activity=activity)
    if getattr(settings, "KOULA_WORKER", "thread") == "celery":
        transaction.on_commit(_wake_celery)
    return export


def export_file(export: ReportExport) -> Path | None:
    """Return the finished CSV of ``export``, or None while it is not ready (or gone)."""
    if export.status != ReportExport.Status.DONE or not export.file_name:
        return None
    path = Path(settings.KOULA_EXPORT_DIR) / export.file_name
    return path if path.is_file() else None


def run_due_exports() -> int:
    """Write every queued export (and any whose worker died); return how many were taken."""
    taken = 0
    while (export := _claim()) is not None:
        taken += 1
        _write(export)
    return taken


def _claim() -> ReportExport | None:
    now = timezone.now()
    with transaction.atomic():
        due = ReportExport.objects.filter(
            Q(status=ReportExport.Status.QUEUED)
            | Q(status=ReportExport.Status.RUNNING, lease_until__lt=now)
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        export = due.first()
        if export is None:
            return None
        export.status = ReportExport.Status.RUNNING
        export.lease_until = now + LEASE
        export.rows_written = 0
        export.learners = LearnerRecord.objects.filter(activity_id=export.activity_id).count()
        export.save(update_fields=["status", "lease_until", "rows_written", "learners"])
    return export


def _write(export: ReportExport) -> None:
    folder = Path(settings.KOULA_EXPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"koula-{export.activity_id}-{export.pk}-{secrets.token_hex(8)}.csv"
    partial = folder / (name + ".part")
    try:
        activity = Activity.objects.get(pk=export.activity_id)
        template = template_of(activity)
        if template is None:
            raise ValueError("the activity has no template any more")
        written = [0]

        def counted() -> Iterator[tuple[str, str, LearnerState]]:
            for learner in activity_members(activity):
                yield learner
                written[0] += 1
                if written[0] % PROGRESS_EVERY == 0:
                    _progress(export, written[0])

        # The roster's learners who have not started follow the members, as in the
        # streamed CSV (lti/views/report.py).
        lines = stream_members_csv(template, counted(), roster=course_learners(activity))
        with partial.open("w", encoding="utf-8", newline="") as handle:
            handle.write(next(lines) + next(lines))  # the byte order mark, the header
            rows = 0
            for line in lines:
                handle.write(line)
                rows += 1
        os.replace(partial, folder / name)
    except Exception as error:  # a broken export is said to staff, never retried forever
        log.exception("CSV export %s failed", export.pk)
        partial.unlink(missing_ok=True)
        _finish(export, ReportExport.Status.FAILED, error=str(error)[:500])
        return
    # The roster's learners who have not started are rows too: the file has ``rows`` learners.
    _finish(export, ReportExport.Status.DONE, rows_written=rows, learners=rows, file_name=name)


def _progress(export: ReportExport, rows: int) -> None:
    ReportExport.objects.filter(pk=export.pk).update(
        rows_written=rows, lease_until=timezone.now() + LEASE
    )


def _finish(export: ReportExport, status: str, **fields: object) -> None:
    ReportExport.objects.filter(pk=export.pk).update(
        status=status, finished_at=timezone.now(), lease_until=None, **fields
    )
    log.info("CSV export %s: %s", export.pk, status)


def _forget_old_exports() -> None:
    """Delete the files and rows of exports older than ``KOULA_EXPORT_KEEP_HOURS``."""
    limit = timezone.now() - dt.timedelta(hours=settings.KOULA_EXPORT_KEEP_HOURS)
    old = ReportExport.objects.filter(requested_at__lt=limit)
    for name in old.exclude(file_name="").values_list("file_name", flat=True):
        (Path(settings.KOULA_EXPORT_DIR) / name).unlink(missing_ok=True)
    old.delete()
    folder = Path(settings.KOULA_EXPORT_DIR)
    for partial in folder.glob("*.part") if folder.is_dir() else ():
        if partial.stat().st_mtime < limit.timestamp():  # left by a worker that died
            partial.unlink(missing_ok=True)


def _wake_celery() -> None:
    from lti.celery_app import app

    try:
        app.send_task(EXPORT_TASK, retry=False)
    except Exception:
        log.warning("cannot reach the Celery broker; the workers' sweep will run the export")
