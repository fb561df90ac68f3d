"""Reminder e-mails: the daily pass over every open experiment, and staff's nudge.

:func:`reminders_run` reads the open commitments of every configured activity (streamed,
so memory stays flat), lets the core's :class:`koula.ReminderPass` say which reminders
are due on ``today``, and sends each one: its :class:`~lti.models.SentReminder` row (the
reminder's key, unique) is written first in its own transaction, so two passes at once
never send it twice (the second meets the unique key and skips it); if sending fails the
row is deleted, so the next pass retries, and the reminder counts as failed (whatever
failed: the server's refusal, or a letter that could not be made). The letters of a pass
share one connection to the mail server (:class:`lti.mail.MailSender`); when the server
cannot be reached the pass stops there (each letter would wait out ``KOULA_EMAIL_TIMEOUT``),
as it does when the caller's ``should_stop`` says so (the worker shutting down).
:func:`nudge_late` sends one now to each late learner of one activity, once a day, at
most ``limit`` in one go.

The words are not drawn here (services render nothing): the caller passes ``compose``,
which turns a reminder and its links (:mod:`lti.services.reminder_links`) into a
:class:`lti.mail.Letter`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from koula import (
    DUE_GRACE_DAYS,
    LearnerState,
    OpenCommitment,
    Reminder,
    ReminderKind,
    ReminderPass,
    Session,
    has_address,
    open_commitment,
    reminder_key,
)
from koula.messages import translate
from lti.errors import ActivityGone
from lti.mail import Letter, MailFailed, MailSender, MailUnreachable, mail_configured
from lti.models import Activity, LearnerRecord, SentReminder
from lti.services.reminder_links import ACTIVITY_GONE, ReminderLinks, reminder_links
from lti.services.series import ROWS_PER_READ, session_of

__all__ = [
    "INTERRUPTED",
    "LIMIT",
    "NUDGE",
    "UNREACHABLE",
    "PassSummary",
    "SentLine",
    "nudge_late",
    "reminders_run",
]

log = logging.getLogger(__name__)
NUDGE = "nudge"
UNREACHABLE, INTERRUPTED, LIMIT = "unreachable", "interrupted", "limit"
USER_FIELDS = ("user_id", "user__sub", "user__name", "user__email", "user__language")


@dataclass(frozen=True)
class SentLine:
    """One reminder sent: to whom (the platform's id and name), for which activity."""

    learner: str
    activity: str
    kind: str


@dataclass
class PassSummary:
    """What one pass (or one nudge) did; ``configured`` is False when no e-mail can leave."""

    today: dt.date
    configured: bool = True
    sent: list[SentLine] = field(default_factory=list)
    """The reminders sent, unless ``on_sent`` took them one by one (then empty)."""
    sent_count: int = 0
    failed: int = 0
    no_email: int = 0
    unsubscribed: int = 0
    already_sent: int = 0
    open: int = 0
    stopped: str = ""
    """Why it stopped before the end: UNREACHABLE (the mail server: ``stopped_by`` says
    what happened), INTERRUPTED (``should_stop``) or LIMIT (a nudge's cap); "" when not.
    The reminders it did not reach hold no key: the next pass (or nudge) sends them."""
    stopped_by: str = ""
    remaining: int = 0
    """A nudge that stopped: the late learners it did not try (a pass does not count them)."""
    on_sent: Callable[[SentLine], None] | None = field(default=None, repr=False)


Compose = Callable[[Reminder, ReminderLinks], Letter]
Send = Callable[[Letter], None]
ShouldStop = Callable[[], bool]


@contextlib.contextmanager
def _sender(send: Send | None) -> Iterator[Send]:
    """``send`` when given, else one connection to the mail server for the whole pass."""
    if send is not None:
        yield send
        return
    with MailSender() as sender:
        yield sender.send


def reminders_run(
    *,
    today: dt.date,
    compose: Compose,
    send: Send | None = None,
    on_sent: Callable[[SentLine], None] | None = None,
    should_stop: ShouldStop | None = None,
) -> PassSummary:
    """Send the reminders due on ``today`` over every configured activity; return the counts.

    Each reminder sent goes to ``on_sent`` as it leaves (memory stays flat however many go),
    or, without it, to the summary's ``sent``. Without ``KOULA_EMAIL_URL`` nothing is read or
    sent (``configured`` is False). The letters share one connection to the mail server
    (``send`` replaces it in tests). The pass stops early, saying so in ``stopped``, when the
    mail server cannot be reached (the other reminders would wait out the timeout each) or
    when ``should_stop`` (asked before each reminder) says so.
    """
    summary = PassSummary(today, configured=mail_configured(), on_sent=on_sent)
    if not summary.configured:
        return summary
    sent_keys = _SentKeys(today)
    core = ReminderPass(today, already_sent=sent_keys)
    activities = Activity.objects.filter(configured=True).order_by("pk")
    with _sender(send) as sending:
        for activity in activities.iterator(chunk_size=ROWS_PER_READ):
            session = session_of(activity)
            if session is None:
                continue
            sent_keys.read(activity)
            for reminder in core.reminders(_open_commitments(activity, session)):
                if should_stop is not None and should_stop():
                    summary.stopped = INTERRUPTED
                    break
                keyed_on = reminder.commitment.due_on
                _deliver(activity, reminder, reminder.kind, keyed_on, summary, compose, sending)
                if summary.stopped:
                    break
            if summary.stopped:
                break
    summary.open, summary.no_email = core.open, core.no_email
    summary.unsubscribed, summary.already_sent = (
        core.unsubscribed,
        core.sent_before + summary.already_sent,
    )
    return summary


def nudge_late(
    *,
    activity_id: int,
    today: dt.date,
    compose: Compose,
    language: str = "en",
    send: Send | None = None,
    limit: int | None = None,
    should_stop: ShouldStop | None = None,
) -> tuple[Activity, PassSummary]:
    """Send a reminder now to each learner of the activity whose experiment is past due, at
    most one a day per learner (the key of learner, activity, ``nudge`` and ``today``);
    return the activity and the counts. Raise ActivityGone when it was deleted.

    At most ``limit`` letters are tried; the nudge stops at the first failure to reach the
    mail server, or when ``should_stop`` says so. Then ``remaining`` counts the late
    learners it did not try (none is claimed: the next nudge tries them)."""
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise ActivityGone(translate(language, ACTIVITY_GONE), language=language)
    summary = PassSummary(today, configured=mail_configured())
    session = session_of(activity)
    if not summary.configured or session is None:
        return activity, summary
    tried = 0
    with _sender(send) as sending:
        for commitment in _open_commitments(activity, session):
            summary.open += 1
            if commitment.due_on >= today:
                continue
            if commitment.unsubscribed:
                summary.unsubscribed += 1
            elif not has_address(commitment.email):
                summary.no_email += 1
            elif summary.stopped:
                summary.remaining += 1
            elif limit is not None and tried >= limit:
                summary.stopped, summary.remaining = LIMIT, 1
            elif should_stop is not None and should_stop():
                summary.stopped, summary.remaining = INTERRUPTED, 1
            else:
                reminder = Reminder(commitment, ReminderKind.DUE, today)
                skipped = summary.already_sent
                _deliver(activity, reminder, NUDGE, today, summary, compose, sending)
                if summary.already_sent == skipped:  # a skip costs no letter
                    tried += 1
    return activity, summary


def _open_commitments(activity: Activity, session: Session) -> Iterator[_Addressed]:
    """The open experiments of ``activity``, read in chunks (one row at a time in memory)."""
    rows = (
        LearnerRecord.objects.filter(activity=activity, state__has_key="commitment")
        .order_by("pk")
        .values_list(*USER_FIELDS, "user__unsubscribed_at", "state")
    )
    for user_id, sub, name, email, language, unsubscribed_at, state in rows.iterator(
        chunk_size=ROWS_PER_READ
    ):
        found = open_commitment(
            session,
            sub,
            LearnerState.from_data(state),
            name=name,
            email=email,
            language=language or "en",
            unsubscribed=unsubscribed_at is not None,
        )
        if found is not None:
            yield _Addressed(**vars(found), user_id=user_id)


@dataclass(frozen=True)
class _Addressed(OpenCommitment):
    """An open commitment with its learner's row id (the core knows the platform's id)."""

    user_id: int = 0


def _deliver(
    activity: Activity,
    reminder: Reminder,
    kind: str,
    keyed_on: dt.date,
    summary: PassSummary,
    compose: Compose,
    send: Send,
) -> None:
    """Claim the reminder's key, then send; give the key back when sending fails."""
    c = reminder.commitment
    user_id = c.user_id if isinstance(c, _Addressed) else 0
    key = reminder_key(c.learner_id, c.session_id, kind, keyed_on)
    try:
        with transaction.atomic():
            row = SentReminder.objects.create(
                key=key, activity=activity, user_id=user_id, kind=kind, due_on=c.due_on
            )
    except IntegrityError:  # another pass (or an earlier one) has it
        summary.already_sent += 1
        return
    try:
        send(compose(reminder, reminder_links(activity, user_id, reminder)))
    except Exception as error:  # this reminder failed (a refusal, or a bug): not the others
        SentReminder.objects.filter(pk=row.pk).delete()
        summary.failed += 1
        if isinstance(error, MailUnreachable):  # the next letters would wait in vain
            summary.stopped, summary.stopped_by = UNREACHABLE, str(error)
        elif not isinstance(error, MailFailed):  # logged by lti.mail, without secrets
            _log_failure(activity, c.learner_id, kind, error)
        return
    except BaseException:  # the process stopping: the next pass tries it again
        SentReminder.objects.filter(pk=row.pk).delete()
        raise
    line = SentLine(f"{c.learner_id} {c.name}".strip(), str(activity), kind)
    summary.sent_count += 1
    if summary.on_sent is not None:
        summary.on_sent(line)
    else:
        summary.sent.append(line)


def _log_failure(activity: Activity, learner_id: str, kind: str, error: Exception) -> None:
    """Log a reminder that failed on an error other than the mail server's: where, never
    the error's text (it may quote the learner's address or name)."""
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    log.error(
        "reminder not sent (activity %s, learner %s, %s): %s at %s",
        activity.pk,
        learner_id,
        kind,
        type(error).__name__,
        f"{where.filename}:{where.lineno} in {where.name}" if where else "?",
    )


class _SentKeys:
    """``already_sent`` for the core's pass, one activity at a time: the keys of the
    reminders already sent for the due dates a pass on ``today`` may remind of, from
    :data:`koula.DUE_GRACE_DAYS` days ago on (one query per activity; at most two keys per
    learner held). A reminder sent meanwhile by another pass still meets
    the unique key when it is claimed."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.keys: frozenset[str] = frozenset()

    def read(self, activity: Activity) -> None:
        since = self.today - dt.timedelta(days=DUE_GRACE_DAYS)
        found = SentReminder.objects.filter(activity=activity, due_on__gte=since)
        self.keys = frozenset(found.exclude(kind=NUDGE).values_list("key", flat=True))

    def __contains__(self, key: object) -> bool:
        return key in self.keys
