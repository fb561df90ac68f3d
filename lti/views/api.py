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

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from koula import ACTIONS
from koula.messages import translate
from lti.bearer import Grant, read_token
from lti.errors import NotAuthenticated, UnknownAction
from lti.json_text import answer_bytes
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
def learner_action(request: HttpRequest, activity_id: int, action: str) -> HttpResponse:
    answer = learner_answer(
        activity_id,
        action,
        request.META.get("HTTP_AUTHORIZATION", ""),  # request.headers parses them all
        lambda language: json_body(request, language=language),
        request_language(request),
    )
    return HttpResponse(answer_bytes(answer), content_type="application/json")


def learner_answer(
    activity_id: int,
    action: str,
    authorization: str,
    read_body: Callable[[str], Any],
    language: str,
) -> dict[str, Any]:
    """The JSON answer to ``POST {api}/{action}`` (also answered by :mod:`lti.views.direct`).

    ``authorization`` is the request's Authorization header, ``read_body(language)`` its
    JSON body (:func:`koula.json_object`, BodyTooLarge over the size cap), ``language`` the
    browser's. The unknown action is refused before the token, the token before the body.
    """
    if action not in (*ACTIONS, *CALLS):
        raise UnknownAction(translate(language, "Unknown action."), language=language)
    grant = _grant(authorization, language)
    body = read_body(grant.language)
    if action in CALLS:
        return CALLS[action](grant, activity_id, body)
    if action in EARLIER_ACTIONS and isinstance(body, dict) and "session" in body:
        return run_earlier_return(grant, activity_id, action, body)
    return run_action(grant, activity_id, action, body)


def _grant(authorization: str, language: str) -> Grant:
    """The access the bearer token gives; raise NotAuthenticated (401) without one."""
    grant = read_token(authorization[7:]) if authorization.startswith("Bearer ") else None
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
