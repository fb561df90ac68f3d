"""The template file format (version 1), in JSON or YAML, and its validation.

A file is a mapping with ``format: 1``, an ``id``, the ``languages`` it is
written in (the first is the default), ``title``, ``summary``, ``phases``,
``roles``, ``deliverable``, an optional ``experiment`` and ``scoring``; the
README's "Writing your own template" section documents every setting.
:func:`parse_template` reports every problem at once, each with its location,
by raising :class:`~koula.errors.TemplateError`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from koula.errors import TemplateError
from koula.messages import Gettext, gettext_for
from koula.template import (
    INDICATORS,
    Choice,
    DeliverableSchema,
    ExperimentSchema,
    Field,
    FieldType,
    Mode,
    Phase,
    Role,
    ScoringPolicy,
    SessionTemplate,
)
from koula.template_checks import check_template
from koula.template_reader import Reader
from koula.text import LocalizedText, normalize_language
from koula.values import DEFAULT_MAX_LENGTH

__all__ = ["FORMAT_VERSION", "load_template_file", "parse_template", "parse_template_text"]

FORMAT_VERSION = 1
MAX_TEXT_BYTES = 256_000
TOP_KEYS = {
    "format",
    "id",
    "languages",
    "title",
    "summary",
    "phases",
    "roles",
    "deliverable",
    "experiment",
    "scoring",
}
FIELD_KEYS = {
    "key",
    "label",
    "type",
    "required",
    "help",
    "placeholder",
    "max_length",
    "max_items",
    "choices",
    "indicator",
}


def load_template_file(path: Path, *, language: str = "en") -> SessionTemplate:
    """Read and validate a template file; raise :class:`TemplateError` with every problem."""
    _ = gettext_for(language)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(
            [("", _("cannot read the file: {error}").format(error=exc))], str(path)
        ) from exc
    return parse_template_text(text, source=str(path), language=language)


def parse_template_text(text: str, *, source: str = "", language: str = "en") -> SessionTemplate:
    """Parse JSON or YAML ``text`` (YAML is a superset of JSON) into a validated template."""
    _ = gettext_for(language)
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise TemplateError([("", _("the template is larger than 256 KB"))], source)
    try:
        data = _decode(text)
    except (ValueError, yaml.YAMLError) as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = _("line {line}, column {column}").format(
                line=mark.line + 1, column=mark.column + 1
            )
        elif isinstance(exc, json.JSONDecodeError):
            where = _("line {line}, column {column}").format(line=exc.lineno, column=exc.colno)
        raise TemplateError(
            [
                (
                    where,
                    _("not valid JSON or YAML: {error}").format(
                        error=getattr(exc, "problem", None) or getattr(exc, "msg", str(exc))
                    ),
                )
            ],
            source,
        ) from exc
    return parse_template(data, source=source, language=language)


def _decode(text: str) -> Any:
    """Decode JSON, or YAML when the text is not JSON (a YAML flow mapping starts with ``{``)."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return yaml.safe_load(text)


def parse_template(data: Any, *, source: str = "", language: str = "en") -> SessionTemplate:
    """Build a template from already-decoded data; raise :class:`TemplateError` on any problem."""
    _ = gettext_for(language)
    problems: list[tuple[str, str]] = []
    languages = _languages(data, problems, _)
    root = Reader(data, "", problems, _, languages[0])
    root.unknown_keys(TOP_KEYS)
    if root.data.get("format") != FORMAT_VERSION:
        root.fail(
            "format",
            _("must be {version} (the template format version)").format(version=FORMAT_VERSION),
        )
    template = SessionTemplate(
        id=_template_id(root),
        title=root.text("title", required=True),
        summary=root.text("summary", required=True),
        languages=languages,
        phases=tuple(_phase(r) for r in root.items("phases")),
        roles=tuple(_role(r) for r in root.items("roles", required=False)),
        deliverable=_deliverable(root.child("deliverable")),
        experiment=_experiment(root.child("experiment", required=False)),
        scoring=_scoring(root.child("scoring", required=False)),
    )
    problems.extend(check_template(template, _))
    if problems:
        raise TemplateError(problems, source)
    return template


def _languages(data: Any, problems: list[tuple[str, str]], _: Gettext) -> tuple[str, ...]:
    value = data.get("languages") if isinstance(data, dict) else None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(("languages", _("must list the language codes used, e.g. [en, fr]")))
        return ("en",)
    languages = tuple(normalize_language(v) for v in value)
    if len(set(languages)) != len(languages):
        problems.append(("languages", _("lists a language twice")))
    return tuple(dict.fromkeys(languages))


def _template_id(root: Reader) -> str:
    value = root.data.get("id")
    if (
        not isinstance(value, str)
        or not value
        or len(value) > 60
        or not all(c.isascii() and (c.isalnum() or c == "-") for c in value)
        or value != value.lower()
    ):
        root.fail("id", root._("must be a short name of lower-case letters, digits and dashes"))
        return "invalid"
    return value


def _phase(r: Reader) -> Phase:
    r.unknown_keys({"key", "title", "minutes", "mode", "prompt", "host_notes"})
    minutes = r.number(
        "minutes",
        lambda v: isinstance(v, int) and 0 < v <= 600,
        r._("must be a whole number of minutes above 0"),
        None,
    )
    if minutes is None and "minutes" not in r.data:
        r.fail(r.at("minutes"), r._("is required (a whole number of minutes above 0)"))
    return Phase(
        key=r.key(),
        title=r.text("title", required=True),
        minutes=minutes or 1,
        mode=Mode(r.one_of("mode", tuple(Mode), None)),
        prompt=r.text("prompt"),
        host_notes=r.text("host_notes"),
    )


def _role(r: Reader) -> Role:
    r.unknown_keys({"key", "title", "description", "rotates"})
    return Role(
        key=r.key(),
        title=r.text("title", required=True),
        description=r.text("description"),
        rotates=r.flag("rotates", True),
    )


def _field(r: Reader) -> Field:
    r.unknown_keys(FIELD_KEYS)
    field_type = FieldType(r.one_of("type", tuple(FieldType), None))
    positive = r._("must be a whole number above 0")
    choices = tuple(
        Choice(value=c.key("value"), label=c.text("label", required=True))
        for c in r.items("choices", required=field_type is FieldType.CHOICE)
    )
    if choices and field_type is not FieldType.CHOICE:
        r.fail(r.at("choices"), r._("only fields of type choice have choices"))
    indicator = r.data.get("indicator")
    if indicator is not None and indicator not in INDICATORS:
        r.fail(
            r.at("indicator"),
            r._("must be one of the impact indicators: {names}").format(
                names=", ".join(sorted(INDICATORS))
            ),
        )
        indicator = None
    if "max_items" in r.data and field_type is not FieldType.LIST:
        r.fail(r.at("max_items"), r._("only fields of type list have max_items"))
    if "max_length" in r.data and field_type not in DEFAULT_MAX_LENGTH:
        r.fail(
            r.at("max_length"),
            r._("only short_text, long_text, list and url fields have max_length"),
        )
    return Field(
        key=r.key(),
        label=r.text("label", required=True),
        type=field_type,
        required=r.flag("required", False),
        help=r.text("help"),
        placeholder=r.text("placeholder"),
        max_length=r.number("max_length", lambda v: isinstance(v, int) and v > 0, positive, None),
        max_items=r.number("max_items", lambda v: isinstance(v, int) and v > 0, positive, None),
        choices=choices,
        indicator=indicator,
    )


def _deliverable(r: Reader | None) -> DeliverableSchema:
    if r is None:
        return DeliverableSchema(title=LocalizedText(), fields=())
    r.unknown_keys({"title", "intro", "group", "fields"})
    return DeliverableSchema(
        title=r.text("title", required=True),
        intro=r.text("intro"),
        group=r.flag("group", False),
        fields=tuple(_field(f) for f in r.items("fields")),
    )


def _experiment(r: Reader | None) -> ExperimentSchema | None:
    if r is None:
        return None
    r.unknown_keys({"return_window_days", "intro", "return_intro", "commitment", "return"})
    days = r.number(
        "return_window_days",
        lambda v: isinstance(v, int) and 0 < v <= 365,
        r._("must be a whole number of days from 1 to 365"),
        14,
    )
    return ExperimentSchema(
        commitment_fields=tuple(_field(f) for f in r.items("commitment")),
        return_fields=tuple(_field(f) for f in r.items("return")),
        return_window_days=days,
        intro=r.text("intro"),
        return_intro=r.text("return_intro"),
    )


def _scoring(r: Reader | None) -> ScoringPolicy:
    if r is None:
        return ScoringPolicy()
    r.unknown_keys({"deliverable", "commitment", "return"})
    message = r._("must be a number from 0 to 100")

    def weight(name: str) -> float:
        return float(
            r.number(name, lambda v: isinstance(v, int | float) and 0 <= v <= 100, message, 1.0)
        )

    return ScoringPolicy(
        deliverable=weight("deliverable"), commitment=weight("commitment"), return_=weight("return")
    )
