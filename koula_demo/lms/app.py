"""The platform's WSGI application: URL routes to the endpoint modules, errors to answers."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import ags, deep_linking, nrps, oauth, oidc, registration
from .web import HttpError, error_response, json_response

if TYPE_CHECKING:
    from .harness import Platform

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

ROUTES = Map(
    [
        Rule("/jwks.json", endpoint="jwks", methods=["GET"]),
        Rule("/.well-known/openid-configuration", endpoint="openid", methods=["GET"]),
        Rule("/register", endpoint="register", methods=["POST"]),
        Rule("/auth", endpoint="auth", methods=["GET", "POST"]),
        Rule("/token", endpoint="token", methods=["POST"]),
        Rule("/lineitems", endpoint="lineitems", methods=["GET", "POST"]),
        Rule("/lineitems/<lineitem_id>", endpoint="lineitem", methods=["GET"]),
        Rule("/lineitems/<lineitem_id>/scores", endpoint="scores", methods=["POST"]),
        Rule("/lineitems/<lineitem_id>/results", endpoint="results", methods=["GET"]),
        Rule("/memberships/<context_id>", endpoint="memberships", methods=["GET"]),
        Rule("/deep_link_return", endpoint="deep_link_return", methods=["POST"]),
        Rule("/return", endpoint="return", methods=["GET"]),
    ]
)


def _jwks(platform: Platform, request: Request) -> Response:
    return json_response(platform.jwks())


def _openid(platform: Platform, request: Request) -> Response:
    return json_response(registration.openid_configuration(platform))


def _return(platform: Platform, request: Request) -> Response:
    return Response("<!doctype html><p>Back in the course.</p>", content_type="text/html")


HANDLERS: dict[str, Callable[..., Response]] = {
    "jwks": _jwks,
    "openid": _openid,
    "return": _return,
    "register": registration.handle_register,
    "auth": oidc.handle_authorize,
    "token": oauth.handle_token,
    "lineitems": ags.handle_lineitems,
    "lineitem": ags.handle_lineitem,
    "scores": ags.handle_scores,
    "results": ags.handle_results,
    "memberships": nrps.handle_memberships,
    "deep_link_return": deep_linking.handle_deep_link_return,
}


def make_wsgi_app(platform: Platform) -> WSGIApp:
    """The WSGI callable serving ``platform``; a crash answers 500 and is kept in
    ``platform.server_errors`` so that tests notice harness bugs."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, args = ROUTES.bind_to_environ(environ).match()
            response = HANDLERS[endpoint](platform, request, **args)
        except HttpError as error:
            response = error.response()
        except HTTPException as error:
            response = error.get_response(environ)
        except Exception:
            platform.server_errors.append(traceback.format_exc())
            response = error_response(500, "server_error", "see platform.server_errors")
        return response(environ, start_response)

    return app
