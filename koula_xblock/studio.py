"""The Studio edit dialog of the block's settings, and the handler that saves them.

Contract: a block using :class:`StudioMixin` (with :class:`~.settings.SettingsMixin`)
gets ``studio_view`` and the ``studio_submit`` handler, which validates every
value through the core and answers 400 with ``{"errors": {field: message}}``
so the dialog shows each problem in place. Nothing is saved unless everything
is valid, and nothing at all for a user who is not course staff (403): the LMS
serves every handler of the block to its learners too. The block must want
``studio_user_permissions`` (Studio's word on who may edit, see
:func:`koula_xblock.compat.user_can_author`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from web_fragments.fragment import Fragment
from xblock.fields import Float, Integer

from koula import ActivitySettings, NotPermitted, check_settings, library_templates
from koula.messages import N_, Gettext, gettext_for
from koula_xblock import compat
from koula_xblock.responses import json_action, json_response
from koula_xblock.settings import EDITABLE_FIELDS, LANGUAGE_CHOICES, parse_day
from koula_xblock.studio_page import render_studio_page

__all__ = ["AUTHOR_HANDLERS", "StudioMixin"]

AUTHOR_HANDLERS = ("studio_submit",)
"""Every handler that changes what course staff authored: each refuses anyone else."""
SETTINGS_ARE_STAFF_ONLY = N_("Only course staff can change this activity's settings.")


class StudioMixin:
    """Studio's edit dialog for the fields of :data:`~.settings.EDITABLE_FIELDS`."""

    if TYPE_CHECKING:
        fields: dict[str, Any]
        runtime: Any

        def learner_language(self) -> str: ...

    def studio_view(self, context: Any = None) -> Fragment:
        language = self.learner_language()
        gettext = gettext_for(language)
        fields = [_field_view(self, name, language, gettext) for name in EDITABLE_FIELDS]
        html = render_studio_page(language=language, fields=fields)
        frag = Fragment(html)
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/studio.js"))
        frag.initialize_js("KoulaStudio")
        return frag

    @json_action
    def studio_submit(self, data: Any, suffix: str = "") -> Any:
        language = self.learner_language()
        gettext = gettext_for(language)
        if not compat.user_can_author(self):
            raise NotPermitted({"_": gettext(SETTINGS_ARE_STAFF_ONLY)})
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


def _field_view(block: Any, name: str, language: str, gettext: Gettext) -> dict[str, Any]:
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
        view["options"] = [(t.id, t.title.get(language)) for t in library_templates()]
    elif name == "language":
        view["kind"] = "select"
        view["options"] = [(code, gettext(label)) for code, label in LANGUAGE_CHOICES]
    elif name == "custom_template":
        view["kind"] = "textarea"
    elif name == "session_date":
        view["kind"] = "date"
    elif isinstance(field, Integer | Float):
        view["kind"] = "number"
    return view


def _parse_submission(
    block: Any, data: Any, gettext: Gettext
) -> tuple[dict[str, Any], dict[str, str]]:
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
    if values.get("session_date") and parse_day(values["session_date"]) is None:
        errors["session_date"] = gettext(
            "Enter the date as YYYY-MM-DD (for example 2026-03-15), or leave it empty."
        )
    if values.get("language", "") not in [code for code, _label in LANGUAGE_CHOICES]:
        errors["language"] = gettext("Choose a language from the list.")
    return values, errors
