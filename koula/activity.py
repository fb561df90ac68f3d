"""An activity: one template placed in one course, with the settings an admin adapted.

Both adapters keep an :class:`ActivitySettings` (Open edX in block fields,
LTI in the deep-linking custom parameters) and call :func:`activity_template`
to get the template learners actually follow: the library template or the
admin's own, with the return window and scoring weights overridden.
:func:`configured_template` does the same for a request, raising
:class:`~koula.errors.NotSetUp` (409, one wording in every adapter) instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from koula.errors import KoulaError, NotSetUp, TemplateError
from koula.library import DEFAULT_TEMPLATE_ID, get_template, library_templates
from koula.messages import gettext_for
from koula.template import ScoringPolicy, SessionTemplate
from koula.template_format import parse_template_text

__all__ = [
    "DEFAULT_REMINDER_DAYS",
    "MAX_REMINDER_DAYS",
    "ActivitySettings",
    "activity_template",
    "check_settings",
    "configured_template",
]

DEFAULT_REMINDER_DAYS = 2
"""Days before an experiment's due date that its first reminder goes (issue 11)."""
MAX_REMINDER_DAYS = 30


@dataclass(frozen=True)
class ActivitySettings:
    """What an admin chose; ``None`` means "as the template says"."""

    template_id: str = DEFAULT_TEMPLATE_ID
    custom_template: str = ""
    """A template pasted as JSON or YAML; when set, it replaces ``template_id``."""
    return_window_days: int | None = None
    deliverable_weight: float | None = None
    commitment_weight: float | None = None
    return_weight: float | None = None
    reminder_days: int | None = None
    """Days before the due date that a learner's first reminder goes (None:
    :data:`DEFAULT_REMINDER_DAYS`; 0: only the one on the due date)."""

    def reminder_days_before(self) -> int:
        """Return the days before the due date of the first reminder (the default if unset)."""
        return DEFAULT_REMINDER_DAYS if self.reminder_days is None else self.reminder_days


def activity_template(settings: ActivitySettings) -> SessionTemplate:
    """Return the template learners follow; raise TemplateError or UnknownTemplate.

    The same settings give the same object (kept, as the template is immutable), so the
    learner page reuses what it drew for it (``koula_ui``); an error is raised each time.
    Settings holding values of the wrong kind (a list where text belongs, as a hand-edited
    activity may) are not kept, and give what they always gave."""
    try:
        hash(settings)
    except TypeError:
        return _template_for(settings)
    return _kept_template(settings)


@lru_cache(maxsize=256)
def _kept_template(settings: ActivitySettings) -> SessionTemplate:
    return _template_for(settings)


def _template_for(settings: ActivitySettings) -> SessionTemplate:
    if settings.custom_template.strip():
        template = _custom_template(settings.custom_template)
    else:
        template = get_template(settings.template_id)
    policy = template.scoring
    scoring = ScoringPolicy(
        deliverable=_pick(settings.deliverable_weight, policy.deliverable),
        commitment=_pick(settings.commitment_weight, policy.commitment),
        return_=_pick(settings.return_weight, policy.return_),
    )
    template = replace(template, scoring=scoring)
    if template.experiment is not None and settings.return_window_days is not None:
        experiment = replace(template.experiment, return_window_days=settings.return_window_days)
        template = replace(template, experiment=experiment)
    return template


@lru_cache(maxsize=64)
def _custom_template(text: str) -> SessionTemplate:
    """An admin's own template, parsed once per text: a template is immutable, and the same
    object each launch lets the learner page reuse what it built for it (``koula_ui``). A text
    that does not parse raises each time (nothing is kept)."""
    return parse_template_text(text, source="custom_template")


def configured_template(settings: ActivitySettings, *, language: str | None) -> SessionTemplate:
    """Return the template learners follow; raise NotSetUp (its message in ``language``,
    the reason in ``details``) when the settings make none."""
    try:
        return activity_template(settings)
    except KoulaError as error:
        raise NotSetUp(language, str(error)) from error


def check_settings(settings: ActivitySettings, *, language: str) -> dict[str, str]:
    """Return ``{setting name: message}`` for each invalid setting (empty when all are fine)."""
    _ = gettext_for(language)
    errors: dict[str, str] = {}
    window = settings.return_window_days
    if window is not None and not 1 <= window <= 365:
        errors["return_window_days"] = _("Enter a number of days from 1 to 365.")
    days = settings.reminder_days
    if days is not None and not 0 <= days <= MAX_REMINDER_DAYS:
        errors["reminder_days"] = _("Enter a number of days from 0 to {most}.").format(
            most=MAX_REMINDER_DAYS
        )
    for name in ("deliverable_weight", "commitment_weight", "return_weight"):
        weight = getattr(settings, name)
        if weight is not None and not 0 <= weight <= 100:
            errors[name] = _("Enter a weight from 0 to 100.")
    if settings.custom_template.strip():
        try:
            parse_template_text(settings.custom_template, language=language)
        except TemplateError as exc:
            errors["custom_template"] = "\n".join(
                f"{where}: {message}" if where else message for where, message in exc.problems
            )
    elif settings.template_id not in {template.id for template in library_templates()}:
        errors["template_id"] = _("Choose a template from the library.")
    if not errors:
        try:
            template = activity_template(settings)
        except TemplateError:
            return errors
        policy = template.scoring
        if sum(policy.weight(part) for part in template.parts()) <= 0:
            errors["deliverable_weight"] = _("At least one part must have a weight above 0.")
    return errors


def _pick(override: float | None, default: float) -> float:
    return default if override is None else float(override)
