"""The core's errors. Adapters map them to responses in one place each.

Hierarchy::

    KoulaError
    ├── TemplateError        a template file or text is invalid (every problem, located)
    ├── UnknownTemplate      no template of that id in the library
    ├── ActionError          a learner action was refused
    │   ├── InvalidValues    values do not satisfy the schema  -> HTTP 400
    │   └── OutOfOrder       the action cannot happen now      -> HTTP 409
    └── Refused              a request refused for a reason other than a learner's answers
        ├── BadRequest       a malformed search or hand-over    -> HTTP 400
        ├── NotPermitted     not this user's to do              -> HTTP 403
        ├── Conflict         not possible now (an earlier experiment already reported) -> 409
        └── NotSetUp         the activity's settings make no template -> HTTP 409

An :class:`ActionError` carries the learner state to keep (the refused values
saved as a draft), so that nothing the learner typed is ever lost. A
:class:`Refused` changes nothing and carries only its ``errors``, already in
the reader's language; both answer ``{"errors": errors}`` with their ``status``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from koula.messages import N_, translate

if TYPE_CHECKING:
    from koula.state import LearnerState

__all__ = [
    "NOT_SET_UP",
    "ActionError",
    "BadRequest",
    "Conflict",
    "InvalidValues",
    "KoulaError",
    "NotPermitted",
    "NotSetUp",
    "OutOfOrder",
    "Refused",
    "TemplateError",
    "UnknownTemplate",
]

NOT_SET_UP = N_("This activity is not set up yet. Please tell the course team.")


class KoulaError(Exception):
    """Base class of every error the core raises on purpose."""


class TemplateError(KoulaError):
    """A template is invalid. ``problems`` lists ``(location, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str = "") -> None:
        self.problems = problems
        self.source = source
        lines = [f"{where}: {message}" if where else message for where, message in problems]
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(lines))


class UnknownTemplate(KoulaError):
    """No template with this id exists in the library."""

    def __init__(self, template_id: str) -> None:
        self.template_id = template_id
        super().__init__(
            f"No template named {template_id!r}; run 'koula templates list' to see them."
        )


class ActionError(KoulaError):
    """A learner action was refused; ``errors`` maps a field key (or ``_``) to a message."""

    status = 400

    def __init__(self, errors: dict[str, str], state: LearnerState) -> None:
        self.errors = errors
        self.state = state
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


class InvalidValues(ActionError):
    """The values do not satisfy the form's schema."""

    status = 400


class OutOfOrder(ActionError):
    """The action is not possible at this point of the loop."""

    status = 409


class Refused(KoulaError):
    """A request was refused, not because of a learner's answers; nothing was changed.

    ``errors`` maps a field key (or ``_``) to a message in the reader's language.
    """

    status = 400

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


class BadRequest(Refused):
    """The request is malformed (a search with a bad offset, a blank host name)."""

    status = 400


class NotPermitted(Refused):
    """The user may not do this (not course staff, not this session's host)."""

    status = 403


class Conflict(Refused):
    """The request cannot happen now (a return for an earlier session with no open experiment)."""

    status = 409


class NotSetUp(Refused):
    """The activity's settings make no valid template; ``details`` says why (for staff)."""

    status = 409

    def __init__(self, language: str | None, details: str = "") -> None:
        self.details = details
        super().__init__({"_": translate(language, NOT_SET_UP)})
