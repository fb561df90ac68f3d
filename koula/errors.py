"""The core's errors. Adapters map them to responses in one place each.

Hierarchy::

    KoulaError
    ├── TemplateError        a template file or text is invalid (every problem, located)
    ├── UnknownTemplate      no template of that id in the library
    └── ActionError          a learner action was refused
        ├── InvalidValues    values do not satisfy the schema  -> HTTP 400
        └── OutOfOrder       the action cannot happen now      -> HTTP 409

An :class:`ActionError` carries the learner state to keep (the refused values
saved as a draft), so that nothing the learner typed is ever lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from koula.state import LearnerState

__all__ = [
    "ActionError",
    "InvalidValues",
    "KoulaError",
    "OutOfOrder",
    "TemplateError",
    "UnknownTemplate",
]


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
