"""Health (``/healthz``: liveness, ``/readyz``: readiness), the tool's public keys, the
shared script and stylesheet, and the icon (also at ``/favicon.ico``, where browsers ask).

The pages link the assets by their hashed names (:func:`asset_url`), which are kept a year
(``immutable``): a relaunch fetches only its page. The plain names (and a hash of another
version) are still served, kept 5 minutes; every asset answers with its hash as ``ETag``
and 304 to a browser that already has it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET

from koula_ui.assets import asset_for, asset_hash, asset_text, hashed_name
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
KEPT_A_YEAR = "public, max-age=31536000, immutable"
KEPT_A_WHILE = "public, max-age=300"


def asset_url(name: str) -> str:
    """Return the URL of the asset ``name`` under its hashed name (for the pages)."""
    return f"{settings.BASE_URL}/lti/static/{hashed_name(name)}"


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
    found = asset_for(name)
    if found is None or found[0] not in CONTENT_TYPES:
        raise Http404(name)
    real, current = found
    etag = f'"{asset_hash(real)}"'
    response: HttpResponse
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(asset_text(real), content_type=CONTENT_TYPES[real])
    response["ETag"] = etag
    response["Cache-Control"] = KEPT_A_YEAR if current else KEPT_A_WHILE
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The tool's icon where browsers look for one (an SVG, which they accept there too)."""
    return asset(request, "koula-icon.svg")
