"""``koula serve``, ``koula worker``, ``koula platforms add|list|invite|invites|revoke-invite``,
``koula report export`` (an activity's CSV, or with ``--series`` a course's), ``koula learners
export|erase`` (one learner's data, ``docs/privacy.md``), ``koula xapi retry`` (refused
statements back in the queue, ``docs/xapi.md``) and ``koula keys rotate``.

Registered on the core's command line through the ``koula.commands`` entry
point. Django is set up only when one of these commands runs.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["migrate", "register"]

MIGRATION_LOCK = 0x4B4F554C  # "KOUL": the advisory lock id held while migrating
Run = Callable[[argparse.Namespace, TextIO], int]


def _config_errors(run: Run) -> Run:
    """Wrap a command so that a configuration error (:class:`lti.config.ConfigError`, from
    the environment the settings read) is its message on standard error and exit status 2,
    not a traceback."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace, out: TextIO) -> int:
        from lti.config import ConfigError

        try:
            return run(args, out)
        except ConfigError as exc:
            print(f"koula: {exc}", file=sys.stderr)
            return 2

    return guarded


def register(commands: Any) -> None:
    """Add the LTI tool's commands to the ``koula`` subparsers."""
    serve = commands.add_parser("serve", help="run the LTI tool (and its score worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not deliver scores in this process (run 'koula worker' instead)",
    )
    serve.set_defaults(run=_serve)
    worker = commands.add_parser(
        "worker",
        help="deliver scores to the platforms' gradebooks (Celery when KOULA_WORKER=celery)",
    )
    worker.add_argument(
        "--beat",
        action="store_true",
        help="with KOULA_WORKER=celery, also run the daily reminder schedule (one worker only)",
    )
    worker.set_defaults(run=_worker)
    commands.add_parser(
        "migrate", help="apply the database migrations (safe to run from several hosts at once)"
    ).set_defaults(run=_migrate)
    platforms = commands.add_parser("platforms", help="platforms registered with the tool")
    actions = platforms.add_subparsers(dest="platforms_action", required=True)
    add = actions.add_parser("add", help="register a platform by hand")
    for name in (
        "issuer",
        "client-id",
        "deployment-id",
        "auth-login-url",
        "auth-token-url",
        "keyset-url",
    ):
        add.add_argument(f"--{name}", required=True)
    add.add_argument("--name", default="")
    add.add_argument(
        "--service-origin",
        action="append",
        default=[],
        metavar="URL",
        help="one more origin whose AGS and NRPS URLs the tool may call (repeatable)",
    )
    add.set_defaults(run=_platforms_add)
    trust = actions.add_parser(
        "trust-origin", help="let a platform's AGS and NRPS URLs use one more origin"
    )
    trust.add_argument("client_id", metavar="CLIENT_ID")
    trust.add_argument("url", metavar="URL", help="e.g. https://lms-api.example.org")
    trust.add_argument("--issuer", default="", help="when several platforms use CLIENT_ID")
    trust.set_defaults(run=_platforms_trust_origin)
    actions.add_parser("list", help="list the registered platforms").set_defaults(
        run=_platforms_list
    )
    _invitation_parsers(actions)
    report = commands.add_parser("report", help="activities' learner records")
    report_actions = report.add_subparsers(dest="report_action", required=True)
    export = report_actions.add_parser("export", help="one row per learner (CSV, UTF-8 BOM)")
    export.add_argument("--activity", type=int, help="the activity id (shown in its staff view)")
    export.add_argument(
        "--series",
        action="store_true",
        help="the course's series: one row per learner per session (with --context)",
    )
    export.add_argument(
        "--context",
        default="",
        help="the course's LTI context id (--series; --context=ID when it starts with '-')",
    )
    export.add_argument(
        "--deployment",
        default="",
        help="when several deployments have it (--deployment=ID when it starts with '-')",
    )
    export.add_argument("--issuer", default="", help="when several platforms have it")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", help="a file to write (default: standard output)")
    export.set_defaults(run=_report_export)
    _reminders_parsers(commands)
    _learners_parsers(commands)
    xapi = commands.add_parser("xapi", help="xAPI statements to the learning record store")
    xapi_actions = xapi.add_subparsers(dest="xapi_action", required=True)
    retry = xapi_actions.add_parser(
        "retry", help="put the statements the LRS refused back in the queue (docs/xapi.md)"
    )
    retry.add_argument("--activity", type=int, help="only this activity's (its id)")
    retry.set_defaults(run=_xapi_retry)
    keys = commands.add_parser("keys", help="the tool's signing keys")
    keys_actions = keys.add_subparsers(dest="keys_action", required=True)
    keys_actions.add_parser("rotate", help="make a new signing key").set_defaults(run=_rotate)


def _reminders_parsers(commands: Any) -> None:
    """``koula reminders run``: one reminder pass, for cron and tests (issue 11, point 4)."""
    reminders = commands.add_parser("reminders", help="reminder e-mails to learners")
    actions = reminders.add_subparsers(dest="reminders_action", required=True)
    run = actions.add_parser("run", help="send the reminders due today, print what was sent")
    run.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day to send for (default: today, UTC)"
    )
    run.set_defaults(run=_reminders_run)


def _learners_parsers(commands: Any) -> None:
    """``koula learners export|erase``: one learner's data on request (issue 13, point 4)."""
    learners = commands.add_parser("learners", help="one learner's data: a copy, or erasure")
    actions = learners.add_subparsers(dest="learners_action", required=True)
    export = actions.add_parser("export", help="everything Koula holds about a learner (JSON)")
    erase = actions.add_parser("erase", help="erase a learner's answers, drafts, name and e-mail")
    for action in (export, erase):
        action.add_argument("--issuer", required=True, help="the platform's issuer URL")
        action.add_argument(
            "--sub",
            required=True,
            help="the learner's user id on the platform (--sub=ID when it starts with '-')",
        )
    export.add_argument("--output", help="a file to write (default: standard output)")
    export.set_defaults(run=_learners_export)
    erase.add_argument("--yes", action="store_true", help="erase without asking (scripts, CI)")
    erase.add_argument("--by", help="who asks, for the audit log (default: your login name)")
    erase.set_defaults(run=_learners_erase)


def _invitation_parsers(actions: Any) -> None:
    """``koula platforms invite|invites|revoke-invite``: registration links (issue 9, point 1)."""
    invite = actions.add_parser(
        "invite", help="print a single-use link for a platform's dynamic registration"
    )
    invite.add_argument(
        "--expires",
        type=float,
        default=7 * 24,
        metavar="HOURS",
        help="hours the link stays valid (default: 168, 7 days; at most 2160, 90 days)",
    )
    invite.add_argument("--note", default="", help="a reminder of whom the link is for")
    invite.add_argument(
        "--port",
        type=int,
        default=8000,
        help="the port 'koula serve' listens on, for the link when KOULA_BASE_URL is not set",
    )
    invite.set_defaults(run=_platforms_invite)
    invites = actions.add_parser("invites", help="list the open registration links")
    invites.add_argument(
        "--all", action="store_true", help="also the used, revoked and expired ones"
    )
    invites.set_defaults(run=_platforms_invites)
    revoke = actions.add_parser("revoke-invite", help="cancel an unused registration link")
    revoke.add_argument(
        "invitation",
        metavar="TOKEN",
        help="the link, its token, or the id 'invites' shows (after '--' if it starts with '-')",
    )
    revoke.set_defaults(run=_platforms_revoke_invite)


def setup(port: int | None = None) -> None:
    """Configure Django for the tool and apply migrations (``port``: the one ``koula serve``
    listens on, which the settings read as ``KOULA_PORT`` for the default base URL)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti.settings")
    if port is not None:
        os.environ.setdefault("KOULA_PORT", str(port))
    import django

    django.setup()
    migrate()


def migrate(verbosity: int = 0) -> None:
    """Apply pending migrations; on PostgreSQL one process at a time (an advisory lock), so
    tool and worker processes starting together never race on a schema change."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        call_command("migrate", verbosity=verbosity, interactive=False)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
        try:
            call_command("migrate", verbosity=verbosity, interactive=False)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


@_config_errors
def _migrate(args: argparse.Namespace, out: TextIO) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti.settings")
    import django

    django.setup()
    migrate(verbosity=1)
    print("Koula database is up to date.", file=out)
    return 0


@_config_errors
def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from lti.config import ConfigError, email_url

    try:
        setup(args.port)
        mail = email_url()  # a bad KOULA_EMAIL_URL stops the start, not the first pass
    except ConfigError as exc:
        print(f"koula serve: {exc}", file=out)
        return 2
    import waitress
    from django.conf import settings

    from lti.config import data_dir
    from lti.keys import current_key
    from lti.worker import start_worker_thread, stop_worker_thread
    from lti.wsgi import application

    current_key()
    stop = threading.Event()
    thread = None
    if not args.no_worker and settings.KOULA_WORKER == "thread":
        thread = start_worker_thread(stop)
    base = settings.BASE_URL
    delivery = {
        True: "scores: delivered by this process",
        False: "scores: not delivered here (run 'koula worker')",
    }[thread is not None]
    if not mail:
        delivery += "\n  reminders: no e-mail sent (KOULA_EMAIL_URL is not set)"
    elif thread is not None:
        delivery += "\n  reminders: e-mailed by this process (a pass at most hourly)"
    print(
        f"Koula LTI tool: {base}\n"
        f"  registration: 'koula platforms invite{_port_option(args.port)}' prints a "
        f"single-use link ({base}/lti/register/...) to paste into your platform\n"
        f"  login {base}/lti/login   launch {base}/lti/launch   keys {base}/lti/jwks.json\n"
        f"  data: {data_dir()}  database: {settings.DATABASES['default']['ENGINE']}\n"
        f"  {delivery}",
        file=out,
        flush=True,
    )
    server = waitress.create_server(
        application, host=args.host, port=args.port, threads=args.threads, ident="koula"
    )
    _stop_on_sigterm()
    try:
        server.run()  # returns on SIGTERM or Ctrl-C, after the requests in flight (5 s at most)
    finally:
        server.close()
        if thread is not None:
            stop_worker_thread(stop, thread)
    return 0


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into the same orderly stop as Ctrl-C (waitress stops on SystemExit)."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


@_config_errors
def _worker(args: argparse.Namespace, out: TextIO) -> int:
    from lti.config import ConfigError

    try:
        setup()
    except ConfigError as exc:
        print(f"koula worker: {exc}", file=out)
        return 2
    from django.conf import settings

    if settings.KOULA_WORKER == "celery":
        print("Koula score worker (Celery, Redis broker) starting.", file=out, flush=True)
        from lti.celery_app import app

        level = settings.KOULA_LOG_LEVEL
        argv = ["worker", "--loglevel", level, "--without-gossip", "--without-mingle"]
        if getattr(args, "beat", False):  # the reminder pass, daily (lti/celery_app.py)
            from lti.config import data_dir

            argv += ["--beat", "--schedule", str(data_dir() / "celerybeat-schedule")]
        app.worker_main(argv)
        return 0
    from lti.worker import run_worker

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(
        "Koula score worker running; Ctrl-C or SIGTERM stops it after the score in flight.",
        file=out,
        flush=True,
    )
    run_worker(stop)
    return 0


@_config_errors
def _platforms_add(args: argparse.Namespace, out: TextIO) -> int:
    from lti.config import ConfigError

    setup()
    from lti.services.registrations import platform_add

    try:
        registration, created = platform_add(
            issuer=args.issuer,
            client_id=args.client_id,
            deployment_id=args.deployment_id,
            auth_login_url=args.auth_login_url,
            auth_token_url=args.auth_token_url,
            keyset_url=args.keyset_url,
            name=args.name,
            service_origins=args.service_origin,
        )
    except ConfigError as exc:
        print(f"koula platforms add: {exc}", file=out)
        return 2
    verb = "Registered" if created else "Updated"
    print(f"{verb} {registration} with deployment {args.deployment_id}.", file=out)
    if registration.service_origins:
        print(f"Trusted service origins: {', '.join(registration.service_origins)}", file=out)
    return 0


@_config_errors
def _platforms_trust_origin(args: argparse.Namespace, out: TextIO) -> int:
    from lti.config import ConfigError

    _ = _cli_gettext(args)
    setup()
    from lti.services.registrations import trust_origin

    try:
        registration, trusted = trust_origin(
            client_id=args.client_id, url=args.url, issuer=args.issuer
        )
    except ConfigError as exc:
        print(f"koula platforms trust-origin: {exc}", file=out)
        return 2
    print(
        _(
            "{platform} now trusts {origin}: the AGS and NRPS addresses of its launches on "
            "that origin are used from now on."
        ).format(
            platform=f"{registration.issuer} (client_id={registration.client_id})", origin=trusted
        ),
        file=out,
    )
    return 0


@_config_errors
def _platforms_list(args: argparse.Namespace, out: TextIO) -> int:
    setup()
    from lti.models import Registration

    rows = Registration.objects.prefetch_related("deployments").order_by("issuer", "client_id")
    if not rows:
        print(
            "No platform registered yet: use 'koula platforms add' or dynamic registration.",
            file=out,
        )
    for registration in rows:
        deployments = ", ".join(d.deployment_id for d in registration.deployments.all()) or "-"
        trusted = ",".join(registration.service_origins or [])
        print(
            f"{registration.issuer}  client_id={registration.client_id}  deployments={deployments}"
            + (f"  service_origins={trusted}" if trusted else ""),
            file=out,
        )
    return 0


def _port_option(port: int) -> str:
    """`` --port N`` when ``koula platforms invite`` needs it to print this server's URL."""
    from lti.config import base_url_configured

    return "" if base_url_configured() or port == 8000 else f" --port {port}"


def _cli_gettext(args: argparse.Namespace) -> Any:
    from koula.messages import gettext_for, pick_language
    from lti.config import terminal_language

    return gettext_for(pick_language(getattr(args, "lang", None), terminal_language()))


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@_config_errors
def _platforms_invite(args: argparse.Namespace, out: TextIO) -> int:
    _ = _cli_gettext(args)
    setup(args.port)
    from lti.services.invitations import MAX_HOURS, MAX_NOTE, invitation_create

    if not 0 < args.expires <= MAX_HOURS:
        print(
            _(
                "koula platforms invite: --expires takes a number of hours above 0 and at "
                "most {most} (90 days), not {given}."
            ).format(most=MAX_HOURS, given=args.expires),
            file=out,
        )
        return 2
    if len(args.note) > MAX_NOTE:
        print(
            _("koula platforms invite: --note is at most {most} characters.").format(most=MAX_NOTE),
            file=out,
        )
        return 2
    made = invitation_create(hours=args.expires, note=args.note)
    print(
        _("Registration link (single use, valid until {when}):").format(
            when=_when(made.expires_at)
        ),
        file=out,
    )
    print(f"\n  {made.url}\n", file=out)
    print(
        _(
            "Paste it into the platform's dynamic registration (Moodle: Tool URL; Canvas: "
            "LTI Registration; Brightspace: Register Tool, Dynamic). It is shown only this "
            "once: Koula keeps only a hash of it."
        ),
        file=out,
    )
    print(
        _("Invitation {id}; 'koula platforms revoke-invite {id}' cancels it.").format(
            id=made.short_id
        ),
        file=out,
    )
    return 0


def _registered(invitation: Any, _: Any) -> str:
    """The registration an invitation produced, as ``koula platforms list`` names it."""
    registration = invitation.registration
    if registration is None:
        return str(_("a platform since removed"))
    return f"{registration.issuer} (client_id={registration.client_id})"


@_config_errors
def _platforms_invites(args: argparse.Namespace, out: TextIO) -> int:
    _ = _cli_gettext(args)
    setup()
    from django.utils import timezone

    from lti.services.invitations import invitation_state, invitations_listed, short_id

    now = timezone.now()
    rows = invitations_listed(everything=args.all, now=now)
    if not rows:
        print(_("No open registration link: 'koula platforms invite' makes one."), file=out)
    for invitation in rows:
        state = invitation_state(invitation, now)
        if state == "spent":
            what = _("used {when} by {platform}").format(
                when=_when(invitation.spent_at), platform=_registered(invitation, _)
            )
        elif state == "revoked":
            what = _("revoked {when}").format(when=_when(invitation.revoked_at))
        elif state == "expired":
            what = _("expired {when}").format(when=_when(invitation.expires_at))
        else:
            what = _("open until {when}").format(when=_when(invitation.expires_at))
        made = _("made {when}").format(when=_when(invitation.created_at))
        note = f"  {invitation.note}" if invitation.note else ""
        print(f"{short_id(invitation)}  {what}  {made}{note}", file=out)
    return 0


@_config_errors
def _platforms_revoke_invite(args: argparse.Namespace, out: TextIO) -> int:
    _ = _cli_gettext(args)
    setup()
    from lti.services.invitations import InvitationNotFound, invitation_revoke, short_id

    try:
        invitation = invitation_revoke(reference=args.invitation)
    except InvitationNotFound as missing:
        if missing.several:
            message = _("{reference} is the start of several invitations' ids: give more of it.")
        else:
            message = _(
                "No invitation matches {reference}: give the registration link, or the id "
                "that 'koula platforms invites --all' shows."
            )
        print(
            f"koula platforms revoke-invite: {message.format(reference=missing.reference)}",
            file=out,
        )
        return 2
    if invitation.spent_at is not None:
        print(
            _("Invitation {id} was already used by {platform}: there is nothing to revoke.").format(
                id=short_id(invitation),
                platform=_registered(invitation, _),
            ),
            file=out,
        )
        return 2
    print(
        _("Invitation {id} is revoked: its link registers nothing any more.").format(
            id=short_id(invitation)
        ),
        file=out,
    )
    return 0


@_config_errors
def _rotate(args: argparse.Namespace, out: TextIO) -> int:
    setup()
    from lti.keys import RETIRE_AFTER, rotate_keys

    new, old = rotate_keys()
    retired = ", ".join(key.kid for key in old) or "none"
    print(
        f"New signing key {new.kid}; previous keys ({retired}) stay published for "
        f"{RETIRE_AFTER.days} days.",
        file=out,
    )
    return 0


@_config_errors
def _report_export(args: argparse.Namespace, out: TextIO) -> int:
    if args.series or args.context:
        return _series_export(args)
    if args.activity is None:
        print("koula report export: give --activity ID, or --series --context ID", file=sys.stderr)
        return 2
    setup()
    from koula import stream_members_csv
    from lti.models import Activity
    from lti.services.activities import template_of
    from lti.services.reports import activity_members
    from lti.services.rosters import course_learners

    activity = Activity.objects.filter(pk=args.activity).first()
    template = template_of(activity) if activity else None
    if activity is None or template is None:
        print(f"koula report export: no configured activity {args.activity}", file=sys.stderr)
        return 2
    roster = course_learners(activity)  # as the staff pages read it: the same rows
    lines = stream_members_csv(template, activity_members(activity), roster=roster)
    return _write(lines, args, "koula report export")


def _series_export(args: argparse.Namespace) -> int:
    """``koula report export --series --context ID``: the series CSV of one course."""
    if not (args.series and args.context) or args.activity is not None:
        print(
            "koula report export: --series needs --context ID (and no --activity)", file=sys.stderr
        )
        return 2
    setup()
    from koula import stream_series_csv
    from koula.messages import pick_language
    from lti.config import terminal_language
    from lti.selectors.series import context_series
    from lti.services.rosters import course_learners
    from lti.services.series import ActivitySeries

    found = context_series(args.context, deployment_id=args.deployment, issuer=args.issuer)
    if not found:
        print(
            f"koula report export: no configured activity in context {args.context}",
            file=sys.stderr,
        )
        return 2
    if len(found) > 1:
        print(
            f"koula report export: context {args.context} is in {len(found)} deployments; "
            "choose one with --deployment (and --issuer):",
            file=sys.stderr,
        )
        for activity in found:
            deployment = activity.deployment
            print(
                f"  --issuer {deployment.registration.issuer} "
                f"--deployment {deployment.deployment_id}",
                file=sys.stderr,
            )
        return 2
    language = pick_language(terminal_language())
    roster = course_learners(found[0])  # as the staff pages read it: the same rows
    lines = stream_series_csv(ActivitySeries(found[0]), language=language, roster=roster)
    return _write(lines, args, "koula report export")


def _write(lines: Any, args: argparse.Namespace, command: str) -> int:
    """Write ``lines`` to the file ``args.output``, else to standard output; return the exit
    status: 2, with a message on standard error, when the file cannot be written."""
    if not args.output:
        sys.stdout.writelines(lines)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(lines)
    except OSError as exc:
        _ = _cli_gettext(args)
        message = _("{command}: cannot write {file}: {reason}. Nothing was written there.")
        reason = exc.strerror or str(exc)
        print(message.format(command=command, file=args.output, reason=reason), file=sys.stderr)
        return 2
    return 0


@_config_errors
def _reminders_run(args: argparse.Namespace, out: TextIO) -> int:
    """One pass: a line per reminder sent (learner, activity, kind), then the counts.

    Errors go to standard error (exit 2); a pass the mail server stopped exits 1."""
    import datetime as dt
    import re

    from lti.config import ConfigError

    _ = _cli_gettext(args)
    try:
        if args.today and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", args.today):
            raise ValueError(args.today)
        today = dt.date.fromisoformat(args.today) if args.today else dt.datetime.now(dt.UTC).date()
    except ValueError:
        message = _("koula reminders run: --today takes a date as YYYY-MM-DD, not {given!r}.")
        print(message.format(given=args.today), file=sys.stderr)
        return 2
    try:
        setup()
        from lti.services.reminders import UNREACHABLE, reminders_run
        from lti.views.reminder_mail import compose_reminder

        def report(line: Any) -> None:  # as each leaves: a cron log shows the progress
            print(f"{line.learner}\t{line.activity}\t{line.kind}", file=out, flush=True)

        done = reminders_run(today=today, compose=compose_reminder, on_sent=report)
    except ConfigError as exc:
        print(f"koula reminders run: {exc}", file=sys.stderr)
        return 2
    if not done.configured:
        print(_("No reminder sent: KOULA_EMAIL_URL is not set (docs/deploy.md)."), file=out)
        return 0
    print(
        _(
            "Reminders for {day}: {sent} sent, {failed} failed (retried next pass), {no_email} "
            "without an e-mail address, {unsubscribed} unsubscribed, {already} already sent; "
            "{open} open experiments."
        ).format(
            day=today.isoformat(),
            sent=done.sent_count,
            failed=done.failed,
            no_email=done.no_email,
            unsubscribed=done.unsubscribed,
            already=done.already_sent,
            open=done.open,
        ),
        file=out,
    )
    if done.stopped == UNREACHABLE:
        message = _(
            "koula reminders run: the pass stopped, the mail server could not be reached "
            "({reason}); the reminders not sent go with the next pass."
        )
        print(message.format(reason=done.stopped_by), file=sys.stderr)
        return 1
    return 0


@_config_errors
def _learners_export(args: argparse.Namespace, out: TextIO) -> int:
    """Write the learner's data as JSON; exit 2 when Koula holds nothing about them."""
    import datetime as dt
    import json

    _ = _cli_gettext(args)
    setup()
    from lti.selectors.learner_data import learner_export

    data = learner_export(args.issuer, args.sub, now=dt.datetime.now(dt.UTC))
    if data is None:
        print(_unknown_learner(args, "export", _), file=sys.stderr)
        return 2
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _write([text], args, "koula learners export")


@_config_errors
def _learners_erase(args: argparse.Namespace, out: TextIO) -> int:
    """Erase the learner's data (after a question on a terminal, or with ``--yes``); exit 2
    for an unknown learner, or without ``--yes`` when standard input is not a terminal."""
    import getpass

    _ = _cli_gettext(args)
    if not args.yes:
        if not sys.stdin.isatty():
            message = _(
                "koula learners erase: add --yes to erase without a question (standard input "
                "is not a terminal); nothing was erased."
            )
            print(message, file=sys.stderr)
            return 2
        question = _(
            "Erase everything Koula holds about {sub} of {issuer}? This cannot be undone. [y/N] "
        )
        answer = input(question.format(sub=args.sub, issuer=args.issuer))
        if answer.strip().lower() not in ("y", "yes", "o", "oui"):
            print(_("Nothing was erased."), file=out)
            return 1
    setup()
    from lti.services.learner_data import erase_learner

    by = args.by or os.environ.get("KOULA_OPERATOR") or getpass.getuser()
    done = erase_learner(args.issuer, args.sub, by=f"cli:{by}")
    if not done.found:
        print(_unknown_learner(args, "erase", _), file=sys.stderr)
        return 2
    if not done.accounts:
        message = _("Nothing left to erase: this learner was erased on {when}.")
        print(message.format(when=_when(done.erased_before)), file=out)
        return 0
    labels = _erasure_labels(_)
    removed = "; ".join(
        _("{label}: {count}").format(label=labels.get(name, name), count=count)
        for name, count in sorted(done.removed.items())
        if count
    )
    message = _("Erased: {removed}. Recorded in the audit log (without the learner's id).")
    print(message.format(removed=removed), file=out)
    return 0


def _erasure_labels(_: Any) -> dict[str, str]:
    """What an erasure removed (:class:`lti.services.learner_data.Erasure`), in words."""
    return {
        "accounts": _("platform accounts"),
        "records": _("activity records (answers and drafts)"),
        "host_turns": _("host turns"),
        "reminders": _("reminders sent"),
        "scores": _("scores"),
        "scores_not_delivered": _("scores not yet delivered"),
        "statements": _("xAPI statements"),
        "statements_not_sent": _("xAPI statements not yet sent"),
        "statements_scrubbed": _("xAPI statements stripped of the learner's words"),
        "prepared_exports": _("prepared exports"),
        "shared_cards": _("shared cards"),
    }


@_config_errors
def _xapi_retry(args: argparse.Namespace, out: TextIO) -> int:
    """Put the refused statements back in the queue, due now; print how many."""
    _ = _cli_gettext(args)
    setup()
    from lti.services.xapi_delivery import requeue_refused

    count = requeue_refused(activity_id=args.activity)
    message = _("{count} refused statements are back in the queue; the worker sends them now.")
    print(message.format(count=count), file=out)
    return 0


def _unknown_learner(args: argparse.Namespace, action: str, _: Any) -> str:
    message = _(
        "koula learners {action}: Koula holds nothing about the learner {sub} of {issuer} "
        "(check the issuer URL, as 'koula platforms list' shows it, and the platform's user id)."
    )
    return message.format(action=action, sub=args.sub, issuer=args.issuer)
