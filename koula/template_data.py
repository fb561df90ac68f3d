"""A template written back as plain data in the file format (for the mobile apps and exports).

:func:`template_to_data` is the inverse of :func:`koula.template_format.parse_template`:
parsing its result gives an equal template.
"""

from __future__ import annotations

from typing import Any

from koula.template import Field, Phase, Role, SessionTemplate
from koula.template_format import FORMAT_VERSION
from koula.text import LocalizedText

__all__ = ["template_to_data"]


def template_to_data(template: SessionTemplate) -> dict[str, Any]:
    """Return ``template`` as a JSON-ready mapping in template file format."""
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "id": template.id,
        "languages": list(template.languages),
        "title": template.title.to_data(),
        "summary": template.summary.to_data(),
        "phases": [_phase(phase) for phase in template.phases],
        "roles": [_role(role) for role in template.roles],
        "deliverable": _texts(
            {"title": template.deliverable.title, "intro": template.deliverable.intro}
        )
        | {
            "group": template.deliverable.group,
            "fields": [_field(f) for f in template.deliverable.fields],
        },
        "scoring": {
            "deliverable": template.scoring.deliverable,
            "commitment": template.scoring.commitment,
            "return": template.scoring.return_,
        },
    }
    if not template.roles:
        del data["roles"]
    experiment = template.experiment
    if experiment is not None:
        data["experiment"] = _texts(
            {"intro": experiment.intro, "return_intro": experiment.return_intro}
        ) | {
            "return_window_days": experiment.return_window_days,
            "commitment": [_field(f) for f in experiment.commitment_fields],
            "return": [_field(f) for f in experiment.return_fields],
        }
    return data


def _texts(texts: dict[str, LocalizedText]) -> dict[str, Any]:
    return {name: text.to_data() for name, text in texts.items() if text}


def _phase(phase: Phase) -> dict[str, Any]:
    texts = {"title": phase.title, "prompt": phase.prompt, "host_notes": phase.host_notes}
    return {"key": phase.key, "minutes": phase.minutes, "mode": str(phase.mode)} | _texts(texts)


def _role(role: Role) -> dict[str, Any]:
    texts = _texts({"title": role.title, "description": role.description})
    return {"key": role.key, "rotates": role.rotates} | texts


def _field(f: Field) -> dict[str, Any]:
    data: dict[str, Any] = {"key": f.key, "type": str(f.type), "required": f.required}
    data |= _texts({"label": f.label, "help": f.help, "placeholder": f.placeholder})
    for name in ("max_length", "max_items", "indicator"):
        if getattr(f, name) is not None:
            data[name] = getattr(f, name)
    if f.choices:
        data["choices"] = [{"value": c.value, "label": c.label.to_data()} for c in f.choices]
    return data
