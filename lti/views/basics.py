"""Health (``/healthz``: liveness, ``/readyz``: readiness), the tool's public keys, the
shared script and stylesheet, and the icon (also at ``/favicon.ico``, where browsers ask)."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from koula_ui.assets import asset_text
from lti.keys import public_jwks
from lti.selectors.readiness import readiness

CONTENT_TYPES = {
    "koula.js": "text/javascript; charset=utf-8",
    "koula.css": "text/css; charset=utf-8",
    "koula-staff.js": "text/javascript; charset=utf-8",
    "koula-staff.css": "text/css; charset=utf-8",
    "koula-frame.js": "text/javascript; charset=utf-8",
    "koula-icon.svg": "image/svg+xml",
}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, its migrations and Redis (if configured) are fine;
    else 503 with each component's reason, so a load balancer sends traffic elsewhere."""
    states = readiness()
    ready = all(state == "ok" for state in states.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **states}, status=200 if ready else 503
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(public_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    if name not in CONTENT_TYPES:
        raise Http404(name)
    response = HttpResponse(asset_text(name), content_type=CONTENT_TYPES[name])
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The tool's icon where browsers look for one (an SVG, which they accept there too)."""
    return asset(request, "koula-icon.svg")
