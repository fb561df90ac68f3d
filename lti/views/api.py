"""``POST {api}/{action}``: the four learner actions, authorised by the page's bearer token."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from koula.actions import ACTIONS
from koula.messages import gettext_for, translate
from lti.bearer import read_token
from lti.errors import NotAuthenticated
from lti.services.learner import run_action
from lti.views.language import request_language


@csrf_exempt
@require_POST
def learner_action(request: HttpRequest, activity_id: int, action: str) -> JsonResponse:
    language = request_language(request)
    _ = gettext_for(language)
    if action not in ACTIONS:
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
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse(
            {"errors": {"_": translate(grant.language, "The request must be a JSON object.")}},
            status=400,
        )
    status, answer = run_action(grant, activity_id, action, body)
    return JsonResponse(answer, status=status)
