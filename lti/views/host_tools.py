"""The run-sheet and the hand-over form: what staff and the learner hosting next get."""

from __future__ import annotations

from markupsafe import Markup

from koula import Actor, CheckIn, NotPermitted, SessionTemplate, check_in
from koula_ui.handover import render_host_tools
from lti.models import Activity
from lti.services.community import activity_volunteers
from lti.services.series import ActivitySeries

__all__ = ["host_check_in", "host_tools", "runsheet"]


def host_tools(
    activity: Activity,
    template: SessionTemplate,
    language: str,
    *,
    api: str,
    token: str,
    viewer: str | None = None,
) -> Markup:
    """Return what the learner hosting the next session gets: the run-sheet, with the check-in
    of the earlier sessions' experiments shared with the group (``viewer``: the host's
    platform user id), and the hand-over."""
    return runsheet(
        activity,
        template,
        language,
        activity_volunteers(activity),
        url=f"{api}/assign_host",
        token=token,
        check_in=host_check_in(activity, language, viewer) if viewer else None,
    )


def host_check_in(activity: Activity, language: str, viewer: str) -> CheckIn | None:
    """The check-in as the learner host ``viewer`` sees it (None when they no longer host)."""
    try:
        return check_in(
            ActivitySeries(activity),
            session_id=str(activity.pk),
            viewer=Actor(viewer),
            language=language,
        )
    except NotPermitted:  # handed over meanwhile
        return None


def runsheet(
    activity: Activity,
    template: SessionTemplate,
    language: str,
    volunteers: list[str],
    *,
    url: str | None = None,
    token: str | None = None,
    check_in: CheckIn | None = None,
) -> Markup:
    """The run-sheet (with ``check_in`` in its first phase), and the hand-over form when
    ``url`` is given (for the learner host)."""
    return Markup(
        render_host_tools(
            template=template,
            language=language,
            uid=f"h{activity.pk}",
            next_host=activity.next_host,
            volunteers=volunteers,
            url=url,
            token=token,
            for_learner=url is not None,
            check_in=check_in,
        )
    )
