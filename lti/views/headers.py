"""Security headers: on every response, and who may frame the tool's pages.

Every response gets ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
strict-origin-when-cross-origin``: another origin learns at most the tool's origin, never
a path, so the tokens in report links and registration links never leave the tool (and a
form posted to a platform, the deep-linking answer, still carries a real ``Origin``;
``no-referrer`` would make it, and every form posted back to the tool, ``Origin: null``).

HTML pages (not redirects) get ``Content-Security-Policy: frame-ancestors 'self' <origins>;
object-src 'none'; base-uri 'none'``, where the origins are those of every registration's issuer,
login (auth) URL, configuration URL and trusted service origins, plus
``KOULA_FRAME_ANCESTORS``. Two exceptions: the registration pages (``/lti/register...``)
may be framed by anyone, since the platform being registered frames them before Koula knows
its origin (they have nothing to click), and the Django admin by no one. A view that sets
its own ``Content-Security-Policy`` keeps it.

The registered platforms' origins come from :func:`lti.selectors.frame_ancestors.frame_ancestors`
(cached per change of the registrations, so each HTML page costs one aggregate query).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from lti.selectors.frame_ancestors import frame_ancestors, origin_of

__all__ = ["REFERRER_POLICY", "SecurityHeadersMiddleware", "add_security_headers"]

log = logging.getLogger(__name__)

REFERRER_POLICY = "strict-origin-when-cross-origin"


@functools.lru_cache(maxsize=1)
def _configured(value: str) -> tuple[str, ...]:
    """The origins of ``KOULA_FRAME_ANCESTORS`` (``*`` allows any site); bad ones are logged."""
    origins = []
    for item in value.split():
        origin = "*" if item == "*" else origin_of(item)
        if origin is None:
            log.warning("KOULA_FRAME_ANCESTORS: %r is not an http(s) origin; ignored", item)
        else:
            origins.append(origin)
    return tuple(origins)


def _policy(path: str, status: int) -> str:
    if path.startswith("/admin/"):
        ancestors: Iterable[str] = ["'none'"]
    elif path.startswith("/lti/register"):
        ancestors = ["*"]
    else:
        extra = _configured(getattr(settings, "KOULA_FRAME_ANCESTORS", ""))
        try:
            registered = frame_ancestors()
        except Exception:  # the database or Redis is down: this response must still go out
            log.warning("frame ancestors unavailable for %s", path, exc_info=True)
            # An error page (503 "try again in a minute") is worth showing in the platform's
            # frame and has nothing to click; any other page frames only where configured.
            registered = ["*"] if status >= 500 else []
        ancestors = ["'self'", *dict.fromkeys([*registered, *extra])]
    return f"frame-ancestors {' '.join(ancestors)}; object-src 'none'; base-uri 'none'"


class SecurityHeadersMiddleware:
    """Adds the headers of the module docstring; a header a view set is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return add_security_headers(request.path_info, self.get_response(request))


def add_security_headers(path: str, response: HttpResponse) -> HttpResponse:
    """Add the headers of the module docstring to the answer for ``path`` (under the tool's
    root, without a ``SCRIPT_NAME`` prefix); a header already set is kept."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    html = response.get("Content-Type", "").startswith("text/html")
    # A redirect is no document: no frame shows it, so its policy would never apply.
    redirect = 300 <= response.status_code < 400
    if html and not redirect and "Content-Security-Policy" not in response:
        response["Content-Security-Policy"] = _policy(path, response.status_code)
    return response
