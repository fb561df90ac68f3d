"""The activity settings form shared by the deep-linking picker and first-launch configuration.

Its defaults are valid (the default template, its own weights and window, a
maximum score of 100), so pressing Enter adds a working activity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from koula import (
    DEFAULT_TEMPLATE_ID,
    ActivitySettings,
    BadRequest,
    activity_template,
    check_settings,
    get_template,
)
from koula.messages import gettext_for
from lti.services.session_dates import CUSTOM_PARAMETER, FIELD, parse_session_date

__all__ = ["REMINDER_DAYS_PARAMETER", "Choice", "custom_parameters", "default_title", "read_choice"]

REMINDER_DAYS_PARAMETER = "koula_reminder_days"


@dataclass(frozen=True)
class Choice:
    """What staff chose in the picker; ``errors`` maps a form field to a message."""

    template_id: str = DEFAULT_TEMPLATE_ID
    title: str = ""
    return_window_days: int | None = None
    reminder_days: int | None = None
    """Days before the due date of a learner's first reminder (None: the core's default)."""
    weights: tuple[float, float, float] | None = None
    score_maximum: float = 100.0
    session_date: dt.date | None = None
    """The session's day in the course's series (None: ordered by creation time)."""
    session_date_text: str = ""
    """The date as typed, kept when it is refused."""
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    """The text of each refused number field as typed, kept to show it again."""

    def settings(self) -> ActivitySettings:
        deliverable, commitment, return_ = self.weights or (None, None, None)
        return ActivitySettings(
            template_id=self.template_id,
            return_window_days=self.return_window_days,
            reminder_days=self.reminder_days,
            deliverable_weight=deliverable,
            commitment_weight=commitment,
            return_weight=return_,
        )

    def settings_data(self) -> dict[str, Any]:
        data = self.settings()
        return {k: v for k, v in vars(data).items() if v not in (None, "")}


def read_choice(form: Mapping[str, str], *, language: str) -> Choice:
    """Read the picker form; every problem goes into ``errors`` under its field name."""
    _ = gettext_for(language)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    template_id = form.get("template_id") or DEFAULT_TEMPLATE_ID

    def number(name: str, kind: type, low: float, high: float, message: str) -> Any:
        text = (form.get(name) or "").strip()
        if not text:
            return None
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            errors[name], typed[name] = message, text[:40]
            return None
        return value

    window = number("return_window_days", int, 1, 365, _("Enter a number of days from 1 to 365."))
    reminder = number("reminder_days", int, 0, math.inf, _reminder_days_message(language))
    if reminder is not None and check_settings(
        ActivitySettings(reminder_days=reminder), language=language
    ):  # above the core's most
        errors["reminder_days"] = _reminder_days_message(language)
        typed["reminder_days"], reminder = str(reminder), None
    maximum = (
        number(
            "score_maximum",
            float,
            0.01,
            10_000,
            _("Enter a maximum score above 0 (for example 100)."),
        )
        or 100.0
    )
    weight_message = _("Enter a weight from 0 to 100.")
    names = ("deliverable_weight", "commitment_weight", "return_weight")
    values = [number(name, float, 0, 100, weight_message) for name in names]
    weights = None
    if any(value is not None for value in values):
        template_weights = _template_weights(template_id)
        weights = tuple(
            v if v is not None else d for v, d in zip(values, template_weights, strict=True)
        )
    typed_date = (form.get(FIELD) or "").strip()[:40]
    try:
        session_date = parse_session_date(typed_date, language=language)
    except BadRequest as refused:
        errors.update(refused.errors)
        session_date = None
    choice = Choice(
        template_id=template_id,
        title=(form.get("title") or "").strip()[:200],
        return_window_days=window,
        reminder_days=reminder,
        weights=weights,  # type: ignore[arg-type]
        score_maximum=maximum,
        session_date=session_date,
        session_date_text=typed_date,
        errors=errors,
        typed=typed,
    )
    if not errors:
        errors.update(check_settings(choice.settings(), language=language))
    return choice


def _reminder_days_message(language: str) -> str:
    """The core's message for reminder days out of its range (it names the most)."""
    return check_settings(ActivitySettings(reminder_days=-1), language=language)["reminder_days"]


def _template_weights(template_id: str) -> tuple[float, float, float]:
    try:
        policy = get_template(template_id).scoring
    except Exception:
        return (1.0, 1.0, 1.0)
    return (policy.deliverable, policy.commitment, policy.return_)


def custom_parameters(choice: Choice) -> dict[str, str]:
    """Return the LTI custom parameters that name this configured activity."""
    custom = {
        "koula_template": choice.template_id,
        "koula_score_maximum": f"{choice.score_maximum:g}",
    }
    if choice.return_window_days is not None:
        custom["koula_return_window_days"] = str(choice.return_window_days)
    if choice.reminder_days is not None:
        custom[REMINDER_DAYS_PARAMETER] = str(choice.reminder_days)
    if choice.weights is not None:
        custom["koula_weights"] = ",".join(f"{w:g}" for w in choice.weights)
    if choice.session_date is not None:
        custom[CUSTOM_PARAMETER] = choice.session_date.isoformat()
    return custom


def default_title(choice: Choice, language: str) -> str:
    return choice.title or activity_template(choice.settings()).title.get(language)
