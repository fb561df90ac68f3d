"""The run-sheet and the hand-over form: what staff and the learner hosting next get."""

from __future__ import annotations

from markupsafe import Markup

from koula import SessionTemplate
from koula_ui.handover import render_host_tools
from lti.models import Activity
from lti.services.community import activity_volunteers

__all__ = ["host_tools", "runsheet"]


def host_tools(
    activity: Activity, template: SessionTemplate, language: str, *, api: str, token: str
) -> Markup:
    """Return what the learner hosting the next session gets: the run-sheet and the hand-over."""
    return runsheet(
        activity,
        template,
        language,
        activity_volunteers(activity),
        url=f"{api}/assign_host",
        token=token,
    )


def runsheet(
    activity: Activity,
    template: SessionTemplate,
    language: str,
    volunteers: list[str],
    *,
    url: str | None = None,
    token: str | None = None,
) -> Markup:
    """The run-sheet, and the hand-over form when ``url`` is given (for the learner host)."""
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
        )
    )
