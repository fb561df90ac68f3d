"""Activities and users as a launch describes them.

An activity is configured by the custom parameters that deep linking put on
the link (``koula_template``, ``koula_return_window_days``, ``koula_weights``,
``koula_reminder_days``, ``koula_score_maximum``) or, for a link made by hand, by staff at
first launch.

The launch's service URLs (AGS line items, NRPS roster) are kept as the platform sent
them, but used only on an origin the registration trusts (:mod:`lti.origins`): a launch
naming another origin still opens, the log names the URL (when a launch changes the URLs;
each refused call logs it too), and the staff view says which URL was refused and why
(:func:`activity_service_refusals`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from koula import ActivitySettings, KoulaError, SessionTemplate, activity_template, check_settings
from koula.messages import pick_language
from lti.claims import CLAIM, LaunchData
from lti.models import Activity, LtiUser, Registration
from lti.origins import service_refusal
from lti.services.course_links import course_url
from lti.services.picker import REMINDER_DAYS_PARAMETER, Choice, default_title
from lti.services.raw_rows import Columns, column, insert, table, update
from lti.services.rows import fetch_one
from lti.services.session_dates import custom_session_date
from lti.services.staff_forms import form_activity

__all__ = [
    "SERVICES",
    "activity_configure",
    "activity_for_launch",
    "activity_service_refusals",
    "activity_settings",
    "launch_rows",
    "launch_user",
    "settings_from_custom",
    "template_of",
    "user_for_launch",
]

log = logging.getLogger(__name__)
Row = tuple[Any, ...]
_UNREAD = object()  # a row not read yet

# The activity's service URLs, each with the service's name in messages.
SERVICES = (
    ("lineitem_url", "AGS line item"),
    ("lineitems_url", "AGS line items"),
    ("memberships_url", "NRPS roster"),
)
# The fields a launch updates from its claims.
LAUNCH_FIELDS = (
    *(field for field, _service in SERVICES),
    "context_id",
    "title",
    "ags_scopes",
    "course_url",
    "settings",
    "configured",
    "score_maximum",
    "session_date",
)


def settings_from_custom(custom: Any) -> dict[str, Any] | None:
    """Return activity settings from Koula's custom parameters, or None when there are none
    (or their template, window or weights are not valid). Reminder days the core refuses
    (``koula_reminder_days``: not 0 to its most) are left out, the default then applies."""
    if not isinstance(custom, dict) or not custom.get("koula_template"):
        return None
    values = [custom.get(name, "") for name in SETTINGS_PARAMETERS]
    # The links of a course send the same few values at every launch: read once. A long
    # value (a platform's claims can be large) or one that is no cache key (a list, an
    # object) is read each time.
    short = all(len(str(value)) <= _KEPT_LENGTH for value in values)
    try:
        found = (_settings_from if short else _settings_from.__wrapped__)(*values)
    except TypeError:
        found = _settings_from.__wrapped__(*values)
    return None if found is None else dict(found)


_KEPT_LENGTH = 255  # longer values are read each time, not kept
SETTINGS_PARAMETERS = (
    "koula_template",
    "koula_return_window_days",
    "koula_weights",
    REMINDER_DAYS_PARAMETER,
    "koula_xapi_text",
)


@lru_cache(maxsize=256, typed=True)  # typed: 1 and True read differently
def _settings_from(
    template: Any, window_days: Any, weights: Any, reminder_days: Any, xapi_text: Any
) -> dict[str, Any] | None:
    """:func:`settings_from_custom` of the values of :data:`SETTINGS_PARAMETERS`."""
    data: dict[str, Any] = {"template_id": str(template)}
    window = _whole(window_days)
    if window is not None:
        data["return_window_days"] = window
    parts = str(weights).split(",")
    if len(parts) == 3:
        try:
            numbers = [float(weight) for weight in parts]
        except ValueError:
            numbers = []
        if numbers:
            names = ("deliverable_weight", "commitment_weight", "return_weight")
            data.update(zip(names, numbers, strict=True))
    if check_settings(ActivitySettings(**data), language="en"):
        return None
    reminder = _whole(reminder_days)
    if reminder is not None and not check_settings(
        ActivitySettings(reminder_days=reminder), language="en"
    ):  # out of the core's range: left out, the default applies
        data["reminder_days"] = reminder
    if str(xapi_text).strip() == "1":  # the return's text in xAPI
        data["xapi_text"] = True
    return data


def _whole(value: Any) -> int | None:
    """The whole number a custom parameter spells in ASCII digits (None for anything else)."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def activity_for_launch(launch: LaunchData, *, row: object = _UNREAD) -> Activity:
    """Return the launch's activity (created on first launch), updated from the claims;
    ``row`` is its row when :func:`launch_rows` read it (None: there was none)."""
    link = launch.claim("resource_link") or {}
    context = launch.claim("context") or {}
    activity = _activity(launch.deployment_pk, str(link["id"]), row)
    ags = launch.claim("ags") or {}
    nrps = launch.claim("nrps") or {}
    before = {field: getattr(activity, field) for field in LAUNCH_FIELDS}
    known = [getattr(activity, field) for field, _service in SERVICES]
    activity.context_id = str(context.get("id", "")) if isinstance(context, dict) else ""
    activity.title = str(link.get("title") or activity.title or "")[:255]
    activity.lineitem_url = str(ags.get("lineitem") or activity.lineitem_url or "")
    activity.lineitems_url = str(ags.get("lineitems") or activity.lineitems_url or "")
    activity.ags_scopes = list(ags.get("scope") or activity.ags_scopes or [])
    activity.memberships_url = str(nrps.get("context_memberships_url") or "")
    activity.course_url = course_url(launch) or activity.course_url
    configured = settings_from_custom(launch.claims.get(CLAIM["custom"]))
    if configured is not None:
        activity.settings, activity.configured = configured, True
        custom = launch.claims.get(CLAIM["custom"]) or {}
        maximum = str(custom.get("koula_score_maximum", ""))
        if maximum.replace(".", "", 1).isdigit() and float(maximum) > 0:
            activity.score_maximum = float(maximum)
        # The link's date is the first one; a date staff set in the staff view stays.
        activity.session_date = activity.session_date or custom_session_date(custom)
    # Only what the launch changed is written (most launches change nothing), so a launch
    # never writes back fields another request set meanwhile (the next host, say).
    changed = [field for field in LAUNCH_FIELDS if getattr(activity, field) != before[field]]
    if changed:
        activity.save(update_fields=changed)
    if [getattr(activity, field) for field, _service in SERVICES] != known:  # new URLs: check
        registration = Registration.objects.get(pk=launch.registration_id)
        for service, url, reason in activity_service_refusals(activity, registration):
            log.warning(
                "launch of activity %s names an untrusted %s URL %s: %s; it is not used",
                activity.pk,
                service,
                url[:500],
                reason,
            )
    return activity


def activity_configure(activity_id: int, choice: Choice, *, language: str) -> Activity:
    """Set up the activity ``activity_id`` as staff chose in the picker at first launch."""
    activity = form_activity(activity_id, language)  # ActivityGone when deleted since
    activity.settings, activity.configured = choice.settings_data(), True
    activity.score_maximum = choice.score_maximum
    activity.session_date = choice.session_date or activity.session_date
    activity.title = activity.title or default_title(choice, language)
    activity.save()
    return activity


def activity_service_refusals(
    activity: Activity, registration: Registration
) -> list[tuple[str, str, str]]:
    """``(service, URL, reason)`` for each service URL of ``activity`` that the tool refuses
    to call, because its origin is not one ``registration`` trusts."""
    refused = []
    for field, service in SERVICES:
        url = getattr(activity, field)
        reason = service_refusal(registration, url) if url else None
        if reason is not None:
            refused.append((service, url, reason))
    return refused


def _activity(deployment_pk: int, resource_link_id: str, row: object) -> Activity:
    """The deployment's activity of the resource link, created on its first launch (two
    first launches at once: the unique constraint keeps one, the other reads it); ``row``
    as :func:`activity_for_launch` has it."""
    if row is _UNREAD:
        row = fetch_one(_sql().activity, [deployment_pk, resource_link_id])
    if isinstance(row, tuple):
        return _sql().activities.instance(row)
    activity, _ = Activity.objects.get_or_create(
        deployment_id=deployment_pk, resource_link_id=resource_link_id
    )
    return activity


def user_for_launch(launch: LaunchData) -> LtiUser:
    """Return the launch's user (created on their first launch), with the name, e-mail and
    language of this launch."""
    return launch_user(launch)[0]


def launch_user(launch: LaunchData, *, row: object = _UNREAD) -> tuple[LtiUser, bool]:
    """:func:`user_for_launch`, and whether this launch created the user (a user just
    created has no other row yet); ``row`` is the user's row when :func:`launch_rows` read
    it (None: there was none)."""
    name = str(launch.claims.get("name") or "")[:255]
    email = str(launch.claims.get("email") or "")[:255]
    key = [launch.registration_id, str(launch.claims["sub"])]
    if row is _UNREAD:
        row = fetch_one(_sql().user, key)
    # None: a first launch; two at once: one inserts, the other reads its row
    if not isinstance(row, tuple):
        defaults = {"name": name, "email": email, "language": pick_language(launch.locale)}
        fields = {"registration_id": key[0], "sub": key[1]}
        made = insert(LtiUser, unless_taken=True, **fields, **defaults)
        if made is not None:
            return LtiUser(pk=made, **fields, **defaults), True
        user, _ = LtiUser.objects.get_or_create(**fields, defaults=defaults)
    else:
        user = _sql().users.instance(row)
    language = pick_language(launch.locale, user.language)
    if (user.name, user.email, user.language) != (name, email, language):
        user.name, user.email, user.language = name, email, language
        update(LtiUser, user.pk, name=name, email=email, language=language)
    return user, False


def launch_rows(launch: LaunchData) -> tuple[Row | None, Row | None]:
    """The rows of the launch's activity and user, None for one there is not yet, in one
    statement (for :func:`activity_for_launch` and :func:`launch_user`)."""
    link = launch.claim("resource_link") or {}
    key = [launch.deployment_pk, str(link["id"]), launch.registration_id, str(launch.claims["sub"])]
    row = fetch_one(_sql().both, key)
    assert row is not None  # one row, whatever the joins find
    width = _sql().activities.width
    activity, user = row[:width], row[width:]
    return (activity if activity[0] is not None else None), (user if user[0] is not None else None)


@dataclass(frozen=True)
class _Statements:
    """The launch's statements, written once (:mod:`lti.services.raw_rows`)."""

    activities: Columns[Activity]
    activity: str
    users: Columns[LtiUser]
    user: str
    both: str


@cache
def _sql() -> _Statements:
    activities, users = Columns(Activity, "a"), Columns(LtiUser, "u")
    of_link = (
        f"a.{column(Activity, 'deployment')} = %s AND a.{column(Activity, 'resource_link_id')} = %s"
    )
    of_sub = f"u.{column(LtiUser, 'registration')} = %s AND u.{column(LtiUser, 'sub')} = %s"
    return _Statements(
        activities=activities,
        activity=f"SELECT {activities.sql} FROM {table(Activity)} a WHERE {of_link}",
        users=users,
        user=f"SELECT {users.sql} FROM {table(LtiUser)} u WHERE {of_sub}",
        both=(
            f"SELECT {activities.sql}, {users.sql} FROM (SELECT 1) launch "
            f"LEFT JOIN {table(Activity)} a ON {of_link} LEFT JOIN {table(LtiUser)} u ON {of_sub}"
        ),
    )


def activity_settings(activity: Activity) -> ActivitySettings:
    allowed = ActivitySettings.__dataclass_fields__
    return ActivitySettings(**{k: v for k, v in activity.settings.items() if k in allowed})


def template_of(activity: Activity) -> SessionTemplate | None:
    """Return the activity's template, or None when it is not (or no longer) valid."""
    try:
        return activity_template(activity_settings(activity))
    except KoulaError:
        return None
