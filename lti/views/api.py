"""``POST {api}/{action}``: the learner actions, authorised by the page's bearer token.

Besides the actions of the core, ``shared_cards`` reads a page of the
community's cards and ``assign_host`` lets the learner hosting now hand over.

A body is one JSON object (``docs/learner-api.md``) or nothing; anything else answers
400 (413 when too large) ``{"errors": {"_": ...}}`` in the learner's language before any
action runs (:mod:`lti.json_body`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from koula.actions import ACTIONS
from koula.messages import gettext_for
from lti.bearer import Grant, read_token
from lti.errors import NotAuthenticated
from lti.json_body import BodyRefused, json_body
from lti.models import Activity
from lti.services.community import assign_host, shared_cards
from lti.services.learner import check_grant, run_action
from lti.views.language import request_language


@csrf_exempt
@require_POST
def learner_action(request: HttpRequest, activity_id: int, action: str) -> JsonResponse:
    language = request_language(request)
    _ = gettext_for(language)
    if action not in (*ACTIONS, *CALLS):
        return JsonResponse({"errors": {"_": _("Unknown action.")}}, status=404)
    header = request.headers.get("Authorization", "")
    grant = read_token(header[7:]) if header.startswith("Bearer ") else None
    if grant is None:
        raise NotAuthenticated(
            _(
                "Your access to this activity has expired. Reload the activity "
                "from your course; your answers on this page are kept."
            ),
            language=language,
        )
    try:
        body = json_body(request, language=grant.language)
    except BodyRefused as refused:
        message = refused.message(grant.language)
        return JsonResponse({"errors": {"_": message}}, status=refused.status)
    if action in CALLS:
        check_grant(grant, activity_id)
        activity = Activity.objects.get(pk=activity_id, deployment_id=grant.deployment_id)
        status, answer = CALLS[action](grant, activity, body)
    else:
        status, answer = run_action(grant, activity_id, action, body)
    return JsonResponse(answer, status=status)


CALLS: dict[str, Callable[[Grant, Activity, Any], tuple[int, dict[str, Any]]]] = {
    "shared_cards": shared_cards,
    "assign_host": assign_host,
}
