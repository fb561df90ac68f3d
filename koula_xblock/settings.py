"""The block's authored settings and its Studio edit dialog.

Contract: a block using :class:`SettingsMixin` gets the fields an admin sets,
:meth:`activity_settings` (the core's view of them), ``studio_view`` and the
``studio_submit`` handler, which validates everything through the core and
answers 400 with ``{"errors": {field: message}}`` so the dialog shows each
problem in place. Nothing is saved unless everything is valid, and nothing at
all for a user who is not course staff (403): the LMS serves every handler of
the block to learners too. The block must want ``studio_user_permissions``
(Studio's word on who may edit, see :func:`koula_xblock.compat.user_can_author`).
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Float, Integer, Scope, String

from koula.activity import ActivitySettings, check_settings
from koula.library import DEFAULT_TEMPLATE_ID, library_templates
from koula.messages import N_, gettext_for
from koula_xblock import compat
from koula_xblock.studio_page import render_studio_page

__all__ = ["EDITABLE_FIELDS", "SettingsMixin"]


def _(text: str) -> str:
    """Mark a field label for extraction; it is translated when the dialog is drawn."""
    return text


EDITABLE_FIELDS = (
    "display_name",
    "template_id",
    "custom_template",
    "language",
    "weight",
    "return_window_days",
    "deliverable_weight",
    "commitment_weight",
    "return_weight",
)
SETTINGS_ARE_STAFF_ONLY = N_("Only course staff can change this activity's settings.")
LANGUAGE_CHOICES = (("", _("The learner's language")), ("en", "English"), ("fr", "Français"))


class SettingsMixin:
    """Authored settings (content and settings scopes only) and their Studio dialog."""

    display_name = String(
        display_name=_("Display name"),
        default="Koula",
        scope=Scope.settings,
        help=_("The title learners see."),
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

    def studio_view(self, context: Any = None) -> Fragment:
        language = self.learner_language()  # type: ignore[attr-defined]
        gettext = gettext_for(language)
        fields = [_field_view(self, name, gettext) for name in EDITABLE_FIELDS]
        html = render_studio_page(language=language, fields=fields)
        frag = Fragment(html)
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/studio.js"))
        frag.initialize_js("KoulaStudio")
        return frag

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> Any:
        from koula_xblock.learner import json_response

        language = self.learner_language()  # type: ignore[attr-defined]
        gettext = gettext_for(language)
        if not compat.user_can_author(self):
            return json_response({"errors": {"_": gettext(SETTINGS_ARE_STAFF_ONLY)}}, status=403)
        values, errors = _parse_submission(self, data, gettext)
        candidate = ActivitySettings(
            **{k: v for k, v in values.items() if k in ActivitySettings.__dataclass_fields__}
        )
        errors |= check_settings(candidate, language=language)
        if errors:
            return json_response({"errors": errors}, status=400)
        for name, value in values.items():
            setattr(self, name, value)
        return {"result": "success"}


def _field_view(block: Any, name: str, gettext: Any) -> dict[str, Any]:
    field = block.fields[name]
    value = getattr(block, name)
    view: dict[str, Any] = {
        "name": name,
        "label": gettext(field.display_name),
        "help": gettext(field.help),
        "value": "" if value is None else value,
        "kind": "text",
    }
    if name == "template_id":
        view["kind"] = "select"
        view["options"] = [
            (t.id, t.title.get(block.learner_language())) for t in library_templates()
        ]
    elif name == "language":
        view["kind"] = "select"
        view["options"] = [(code, gettext(label)) for code, label in LANGUAGE_CHOICES]
    elif name == "custom_template":
        view["kind"] = "textarea"
    elif isinstance(field, Integer | Float):
        view["kind"] = "number"
    return view


def _parse_submission(block: Any, data: Any, gettext: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the submitted values converted to field types, and the conversion errors."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        return values, {"_": gettext("The request must be a JSON object.")}
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        raw = data[name]
        text = "" if raw is None else str(raw).strip()
        field = block.fields[name]
        if isinstance(field, Integer | Float):
            if not text:
                values[name] = field.default
                continue
            try:
                values[name] = int(text) if isinstance(field, Integer) else float(text)
            except ValueError:
                errors[name] = gettext("Enter a number.")
        else:
            values[name] = str(raw) if name == "custom_template" else text
    if values.get("weight") is not None and values["weight"] < 0:
        errors["weight"] = gettext("Enter a weight of 0 or more.")
    if "display_name" in values and not values["display_name"]:
        errors["display_name"] = gettext("Give the activity a name learners will recognise.")
    if values.get("language", "") not in [code for code, _label in LANGUAGE_CHOICES]:
        errors["language"] = gettext("Choose a language from the list.")
    return values, errors
