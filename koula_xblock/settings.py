"""The block's authored settings, and the template and language they give.

Contract: a block using :class:`SettingsMixin` gets the fields an admin sets
(content and settings scopes only), :meth:`~SettingsMixin.activity_settings`
(the core's view of them), :meth:`~SettingsMixin.session_day` (the Session
date that orders the course's series), :meth:`~SettingsMixin.template` (the template
learners follow; :class:`~koula.errors.NotSetUp` when the settings make none)
and :meth:`~SettingsMixin.learner_language`. It needs ``runtime`` and
``scope_ids`` (an ``XBlock``) and the ``i18n`` service. The Studio dialog that
edits these fields is :mod:`koula_xblock.studio`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from xblock.fields import Float, Integer, Scope, String

from koula import DEFAULT_TEMPLATE_ID, ActivitySettings, SessionTemplate, configured_template
from koula.messages import pick_language
from koula_xblock import compat

__all__ = ["EDITABLE_FIELDS", "LANGUAGE_CHOICES", "SettingsMixin", "parse_day"]

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _(text: str) -> str:
    """Mark a field label for extraction; it is translated when the dialog is drawn."""
    return text


def parse_day(text: str) -> dt.date | None:
    """Return the date ``text`` names as YYYY-MM-DD exactly, else None."""
    if not DAY.match(text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


EDITABLE_FIELDS = (
    "display_name",
    "session_date",
    "template_id",
    "custom_template",
    "language",
    "weight",
    "return_window_days",
    "deliverable_weight",
    "commitment_weight",
    "return_weight",
)
LANGUAGE_CHOICES = (("", _("The learner's language")), ("en", "English"), ("fr", "Français"))


class SettingsMixin:
    """Authored settings (content and settings scopes only), the template and the language."""

    if TYPE_CHECKING:
        runtime: Any
        scope_ids: Any

    display_name = String(
        display_name=_("Display name"),
        default="Koula",
        scope=Scope.settings,
        help=_("The title learners see."),
    )
    session_date = String(
        display_name=_("Session date"),
        default="",
        scope=Scope.settings,
        help=_(
            "The day this session meets, as YYYY-MM-DD. The course's Koula sessions form a"
            " series in date order; without a date, a session falls on its unit's release"
            " date and follows the course outline."
        ),
    )
    template_id = String(
        display_name=_("Session template"),
        default=DEFAULT_TEMPLATE_ID,
        scope=Scope.content,
        help=_("The session structure from the Koula library."),
    )
    custom_template = String(
        display_name=_("Your own template (JSON or YAML)"),
        default="",
        scope=Scope.content,
        xml_node=True,
        help=_("Paste a template to use instead of the library one."),
    )
    language = String(
        display_name=_("Language"),
        default="",
        scope=Scope.settings,
        help=_('Keep "The learner\'s language" unless the whole course is in one language.'),
    )
    weight = Float(
        display_name=_("Problem weight"),
        default=1.0,
        scope=Scope.settings,
        help=_("How many points this activity is worth in the course grade."),
    )
    return_window_days = Integer(
        display_name=_("Return window (days)"),
        default=None,
        scope=Scope.settings,
        help=_("How many days learners have to report back. Leave empty to use the template's."),
    )
    deliverable_weight = Float(
        display_name=_("Weight of the practice card"),
        default=None,
        scope=Scope.settings,
        help=_("Leave empty to use the template's weight."),
    )
    commitment_weight = Float(
        display_name=_("Weight of the commitment"),
        default=None,
        scope=Scope.settings,
        help=_("Leave empty to use the template's weight."),
    )
    return_weight = Float(
        display_name=_("Weight of the return"),
        default=None,
        scope=Scope.settings,
        help=_("Leave empty to use the template's weight."),
    )

    def activity_settings(self) -> ActivitySettings:
        return ActivitySettings(
            template_id=self.template_id,
            custom_template=self.custom_template or "",
            return_window_days=self.return_window_days,
            deliverable_weight=self.deliverable_weight,
            commitment_weight=self.commitment_weight,
            return_weight=self.return_weight,
        )

    def session_day(self) -> dt.date | None:
        """Return the Session date, or None when it is empty or not a YYYY-MM-DD date (an OLX
        import is not checked as the Studio dialog is)."""
        return parse_day(self.session_date or "")

    def template(self) -> SessionTemplate:
        """Return the template learners follow here; raise NotSetUp (409) when misconfigured."""
        return configured_template(self.activity_settings(), language=self.learner_language())

    def learner_language(self) -> str:
        """Return the activity's language if forced, else the learner's (English by default)."""
        return pick_language(self.language, compat.host_language(self))
