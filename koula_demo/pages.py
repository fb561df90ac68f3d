"""The sandbox's pages for people: the course, an activity in its frame, the gradebook, the
mailbox where Koula's reminder e-mails arrive.

Everything else (OIDC, tokens, AGS, NRPS, registration) goes to the platform's own
WSGI application. Pages speak English or French (``?lang=fr``, remembered in a cookie,
else the browser's language) and pass that language on to launches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from koula.messages import pick_language
from koula_demo.gradebook import gradebook_rows
from koula_demo.mailbox import letter, letters, linked
from koula_demo.people import INSTRUCTOR, LEARNER, PEOPLE, Person
from koula_ui.assets import asset_text
from koula_ui.environment import environment_for

if TYPE_CHECKING:
    from koula_demo.lms.app import WSGIApp
    from koula_demo.sandbox import Sandbox

__all__ = ["sandbox_app"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGE_COOKIE = "koula_demo_lang"
AS = {"learner": LEARNER, "instructor": INSTRUCTOR}


def _language(request: Request) -> str:
    accepted = [value for value, _ in request.accept_languages]
    return pick_language(request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), *accepted)


def _page(request: Request, name: str, **context: Any) -> Response:
    language = _language(request)
    template = environment_for(language, extra_dirs=(TEMPLATES,)).get_template(name)
    body = template.render(lang=language, path=request.path, **context)
    response = Response(body, content_type="text/html; charset=utf-8")
    if request.args.get("lang"):
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="Lax", httponly=True)
    return response


def _redirect(url: str) -> Response:
    return Response("", status=303, headers={"Location": url})


def _person(request: Request) -> Person:
    return AS.get(request.args.get("as", ""), LEARNER)


def _home(sandbox: Sandbox, request: Request) -> Response:
    return _page(
        request,
        "sandbox_home.html",
        sandbox=sandbox,
        tool=sandbox.tool,
        activities=sandbox.activities(),
        people=PEOPLE,
        learner=LEARNER,
        instructor=INSTRUCTOR,
        added=request.args.get("added") == "1",
    )


def _activity(sandbox: Sandbox, request: Request, link: str) -> Response:
    found = [activity for activity in sandbox.activities() if activity.resource_link_id == link]
    if not found:
        missing = _page(request, "sandbox_missing.html", sandbox=sandbox)
        missing.status_code = 404
        return missing
    return _page(
        request,
        "sandbox_activity.html",
        sandbox=sandbox,
        activity=found[0],
        person=_person(request),
        fixed_frame=request.args.get("frame") == "fixed",
    )


def _launch(sandbox: Sandbox, request: Request, link: str) -> Response:
    return _redirect(sandbox.launch_start(link, _person(request), _language(request)))


def _add(sandbox: Sandbox, request: Request) -> Response:
    return _redirect(sandbox.picker_start(_language(request)))


def _gradebook(sandbox: Sandbox, request: Request) -> Response:
    name = "sandbox_grades.html" if request.args.get("fragment") else "sandbox_gradebook.html"
    return _page(request, name, sandbox=sandbox, books=gradebook_rows(sandbox))


def _favicon(sandbox: Sandbox, request: Request) -> Response:
    """Koula's icon, where browsers ask for one (an SVG, which they accept there too)."""
    response = Response(asset_text("koula-icon.svg"), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _mailbox(sandbox: Sandbox, request: Request, ran: str = "", day: str = "") -> Response:
    return _page(
        request,
        "sandbox_mailbox.html",
        sandbox=sandbox,
        letters=letters(sandbox.mailbox),
        ran=ran,
        day=day or dt.date.today().isoformat(),
    )


def _message(sandbox: Sandbox, request: Request, name: str) -> Response:
    found = letter(sandbox.mailbox, name)
    if found is None:
        missing = _page(request, "sandbox_missing.html", sandbox=sandbox)
        missing.status_code = 404
        return missing
    return _page(request, "sandbox_message.html", sandbox=sandbox, letter=found, linked=linked)


def _run_reminders(sandbox: Sandbox, request: Request) -> Response:
    """Run ``koula reminders run --today <day>`` on the tool's data, show what it printed."""
    day = request.form.get("day", "")
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return _mailbox(sandbox, request)
    ran = sandbox.run_reminders(day, _language(request)) if sandbox.run_reminders else ""
    return _mailbox(sandbox, request, ran=ran, day=day)


PAGES: dict[str, Callable[..., Response]] = {
    "/": _home,
    "/add": _add,
    "/gradebook": _gradebook,
    "/mailbox": _mailbox,
    "/favicon.ico": _favicon,
}


def sandbox_app(sandbox: Sandbox, platform_app: WSGIApp) -> WSGIApp:
    """The sandbox's WSGI application: its pages, then the LTI platform's endpoints."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        response: Response | None = None
        if request.method == "GET" and path in PAGES:
            response = PAGES[path](sandbox, request)
        elif request.method == "GET" and path.startswith("/mailbox/"):
            response = _message(sandbox, request, path.removeprefix("/mailbox/"))
        elif request.method == "POST" and path == "/mailbox/run":
            response = _run_reminders(sandbox, request)
        elif request.method == "GET" and path.startswith(("/activity/", "/launch/")):
            kind, _, link = path[1:].partition("/")
            handler = _activity if kind == "activity" else _launch
            response = handler(sandbox, request, link)
        elif path == "/deep_link_return" and request.method == "POST":
            return _after_deep_linking(platform_app, environ, start_response)
        if response is None:
            return platform_app(environ, start_response)
        return response(environ, start_response)

    return app


def _after_deep_linking(
    platform_app: WSGIApp, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """Let the platform check and place the items; then back to the course page."""
    answer = Response.from_app(platform_app, environ)
    if answer.status_code == 200:
        answer = _redirect("/?added=1")
    return answer(environ, start_response)
