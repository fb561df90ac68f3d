"""``POST {api}/{action}``: the learner actions, authorised by the page's bearer token.

Besides the actions of the core, ``shared_cards`` reads a page of the
community's cards and ``assign_host`` lets the learner hosting now hand over.
``submit_return`` and ``save_draft`` with ``"session"`` report back on an earlier
session's experiment from this page (:mod:`lti.services.earlier_return`).

The view parses (the action, the token, the body: one JSON object or nothing, see
``docs/learner-api.md``), calls one service and answers its JSON. Every refusal is raised
and answered ``{"errors": {...}}`` by :class:`lti.views.errors.LtiErrorMiddleware`: an
unknown action 404, no or an expired token 401, a bad body 400 (413 when too large),
before any action runs; then what the service raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from koula import ACTIONS
from koula.messages import translate
from lti.bearer import Grant, read_token
from lti.errors import NotAuthenticated, UnknownAction
from lti.services.community import assign_host, shared_cards
from lti.services.earlier_return import EARLIER_ACTIONS, run_earlier_return
from lti.services.learner import run_action
from lti.views.json_body import json_body
from lti.views.language import request_language

CALLS: dict[str, Callable[[Grant, int, Any], dict[str, Any]]] = {
    "shared_cards": shared_cards,
    "assign_host": assign_host,
}


@csrf_exempt
@require_POST
def learner_action(request: HttpRequest, activity_id: int, action: str) -> JsonResponse:
    language = request_language(request)
    if action not in (*ACTIONS, *CALLS):
        raise UnknownAction(translate(language, "Unknown action."), language=language)
    grant = _grant(request, language)
    body = json_body(request, language=grant.language)
    if action in CALLS:
        return JsonResponse(CALLS[action](grant, activity_id, body))
    if action in EARLIER_ACTIONS and isinstance(body, dict) and "session" in body:
        return JsonResponse(run_earlier_return(grant, activity_id, action, body))
    return JsonResponse(run_action(grant, activity_id, action, body))


def _grant(request: HttpRequest, language: str) -> Grant:
    """The access the request's bearer token gives; raise NotAuthenticated (401) without one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")  # request.headers parses them all
    grant = read_token(header[7:]) if header.startswith("Bearer ") else None
    if grant is None:
        raise NotAuthenticated(
            translate(
                language,
                "Your access to this activity has expired. Reload the activity "
                "from your course; your answers on this page are kept.",
            ),
            language=language,
        )
    return grant
