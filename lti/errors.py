"""The tool's own errors: what services and views raise when a request cannot be served.

Hierarchy::

    LtiError                 a message for a person          -> 400 page (JSON under /lti/api/)
    ├── LaunchRefused        a bad, forged or replayed launch        -> 400
    ├── FormExpired          a staff form's token expired or forged  -> 400
    ├── BodyTooLarge         a learner API body over Django's size cap -> 413
    ├── RegistrationFailed   dynamic registration could not finish   -> 400
    │   └── RegistrationBusy every registration slot is taken        -> 503 (Retry-After)
    ├── NotAuthenticated     no or expired bearer token              -> 401
    ├── NotAllowed           a token used outside what it grants     -> 403
    ├── LinkRefused          a reminder's link forged                -> 403
    │   └── LinkExpired      ... or past its end date                -> 410
    ├── ActivityGone         a link to an activity since deleted     -> 404
    ├── InvitationRefused    registration without an open invitation -> 403 (its own page)
    └── UnknownAction        a learner API call that does not exist  -> 404

Each carries a message for a person, already in their language, and ``detail`` for the
log. The core's errors (:mod:`koula.errors`: a refused learner action, a refused request)
carry an ``errors`` object and a status instead. No view catches either to answer:
:class:`lti.views.errors.LtiErrorMiddleware` is the one place that turns both into
responses, so a bad request can never become a 500 and never opens a session. This module
imports nothing of the tool, so every layer may raise these.
"""

from __future__ import annotations

__all__ = [
    "RETRY_AFTER_SECONDS",
    "ActivityGone",
    "BodyTooLarge",
    "FormExpired",
    "InvitationRefused",
    "LaunchRefused",
    "LinkExpired",
    "LinkRefused",
    "LtiError",
    "NotAllowed",
    "NotAuthenticated",
    "RegistrationBusy",
    "RegistrationFailed",
    "UnknownAction",
]

RETRY_AFTER_SECONDS = 30


class LtiError(Exception):
    """A request the tool refuses; ``message`` says why to the person, in ``language``."""

    status = 400
    template = "error.html"  # the page shown, given ``message``
    retry_after: int | None = None  # seconds, sent as Retry-After when set

    def __init__(
        self, message: str, *, language: str = "en", detail: str = "", course_url: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.language = language
        self.detail = detail
        self.course_url = course_url  # the page links back to the course when known


class LaunchRefused(LtiError):
    status = 400


class FormExpired(LtiError):
    """A staff form (the picker, the hand-over) whose signed token is expired or forged."""

    status = 400


class BodyTooLarge(LtiError):
    """A learner API body larger than Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``; any other bad
    body is the core's :class:`~koula.BadRequest` (:func:`koula.json_object`)."""

    status = 413


class RegistrationFailed(LtiError):
    status = 400


class RegistrationBusy(RegistrationFailed):
    """Too many dynamic registrations at once in this process: try again soon."""

    status = 503
    retry_after = RETRY_AFTER_SECONDS


class NotAuthenticated(LtiError):
    status = 401


class NotAllowed(LtiError):
    status = 403


class LinkRefused(LtiError):
    """A link from an e-mail (a reminder's return or unsubscribe link) that is not ours."""

    status = 403


class LinkExpired(LinkRefused):
    """A reminder's return link past its end date."""

    status = 410


class ActivityGone(LtiError):
    """A link to an activity that was deleted since (or never configured)."""

    status = 404


class InvitationRefused(LtiError):
    """Dynamic registration without an open invitation: the page says how to get one."""

    status = 403
    template = "register_refused.html"


class UnknownAction(LtiError):
    """``POST {api}/{action}`` for an action the learner API does not have."""

    status = 404
