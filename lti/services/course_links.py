"""The way back to the course that reminders, calendar files and error pages offer.

A launch's ``launch_presentation.return_url`` is the platform's way back to the course, but
it may carry the launching user's session key: Moodle's ``mod/lti/return.php`` link holds
``sesskey``, a CSRF token of that user's session. The course link is kept per activity and
sent to every learner, so it never carries one: Moodle's return link becomes the course
page (``course/view.php?id=<course>``), and any other link loses its session-key parameters.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lti.claims import LaunchData

__all__ = ["course_url", "safe_course_link"]

MAX_LENGTH = 1000
SESSION_PARAMETERS = frozenset({"sesskey", "session", "sessionid", "sid", "csrf", "csrftoken"})
MOODLE_RETURN = "/mod/lti/return.php"


def course_url(launch: LaunchData) -> str:
    """The launch's way back to the course ("" when it gave no usable http(s) URL)."""
    presentation = launch.claim("launch_presentation")
    url = presentation.get("return_url") if isinstance(presentation, dict) else None
    return safe_course_link(url) if isinstance(url, str) else ""


def safe_course_link(url: str) -> str:
    """``url`` without a session key, as a link any learner of the course may get."""
    if len(url) > MAX_LENGTH or not url.startswith(("https://", "http://")):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name.lower() in SESSION_PARAMETERS for name, _value in query):
        return url
    course = dict(query).get("course", "")
    if parts.path.endswith(MOODLE_RETURN) and course.isdigit():
        path = parts.path[: -len(MOODLE_RETURN)] + "/course/view.php"
        return urlunsplit((parts.scheme, parts.netloc, path, f"id={course}", ""))
    kept = [(name, value) for name, value in query if name.lower() not in SESSION_PARAMETERS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))
