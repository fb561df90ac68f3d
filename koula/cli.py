"""The ``koula`` command line: the template library and checking an admin's own template.

``koula templates list``, ``koula templates show ID [--source]`` and
``koula templates validate FILE``. Adapters add their own commands (``serve``,
``platforms``...) through the ``koula.commands`` entry-point group: each entry
point is called with the subparsers and sets ``run(args, out) -> exit status``
on its parsers, so the core never imports an adapter. Output follows ``--lang`` (or the ``LANG``
environment variable); exit status 0 means success, 1 an invalid template,
2 a usage error (unknown template, missing file).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TextIO

from koula.errors import TemplateError, UnknownTemplate
from koula.library import get_template, library_templates, template_source
from koula.messages import gettext_for, pick_language
from koula.template import SessionTemplate
from koula.template_format import load_template_file

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    language = pick_language(args.lang, os.environ.get("LANG"))
    _ = gettext_for(language)
    if callable(getattr(args, "run", None)):
        return int(args.run(args, out))
    if args.command != "templates" or not args.action:
        parser.print_help(out)
        return 2
    try:
        if args.action == "list":
            for template in library_templates():
                print(_list_line(template, language), file=out)
        elif args.action == "show":
            if args.source:
                print(template_source(args.id), end="", file=out)
            else:
                print(describe(get_template(args.id), language), file=out)
        elif not Path(args.file).is_file():
            print(_("{file}: no such file").format(file=args.file), file=sys.stderr)
            return 2
        else:
            template = load_template_file(Path(args.file), language=language)
            print(
                _("{file}: valid template {id!r} ({phases} phases, {minutes} minutes)").format(
                    file=args.file,
                    id=template.id,
                    phases=len(template.phases),
                    minutes=template.total_minutes(),
                ),
                file=out,
            )
    except UnknownTemplate as exc:
        print(
            _("No template named {id!r}; run 'koula templates list' to see them.").format(
                id=exc.template_id
            ),
            file=sys.stderr,
        )
        return 2
    except TemplateError as exc:
        for where, message in exc.problems:
            print(
                f"{args.file}: {where}: {message}" if where else f"{args.file}: {message}", file=out
            )
        print(
            _("Problems found: {count}. The template was not accepted.").format(
                count=len(exc.problems)
            ),
            file=out,
        )
        return 1
    return 0


def describe(template: SessionTemplate, language: str) -> str:
    """Return a plain-text run-through of ``template`` for a reader of ``language``."""
    _ = gettext_for(language)
    lines = [f"{template.title.get(language)}  [{template.id}]", template.summary.get(language), ""]
    lines.append(_("Agenda ({minutes} minutes):").format(minutes=template.total_minutes()))
    for index, phase in enumerate(template.phases, 1):
        lines.append(f"  {index}. {phase.title.get(language)} ({phase.minutes} min, {phase.mode})")
    if template.roles:
        lines.append(_("Roles:"))
        lines += [f"  - {role.title.get(language)}" for role in template.roles]
    for part in template.parts():
        lines.append(f"{part.value}:")
        for f in template.fields_of(part):
            mark = "*" if f.required else " "
            lines.append(f"  {mark} {f.key} ({f.type}): {f.label.get(language)}")
    if template.experiment:
        lines.append(
            _("Return window: {days} days").format(days=template.experiment.return_window_days)
        )
    policy = template.scoring
    lines.append(
        _("Scoring weights: deliverable {d}, commitment {c}, return {r}").format(
            d=policy.deliverable, c=policy.commitment, r=policy.return_
        )
    )
    return "\n".join(lines)


def _list_line(template: SessionTemplate, language: str) -> str:
    title = template.title.get(language)
    languages = ",".join(template.languages)
    return f"{template.id:<28} {template.total_minutes():>3} min  {languages:<6} {title}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koula", description="Koula command line.")
    parser.add_argument("--lang", help="language of the output: en or fr (default: $LANG)")
    commands = parser.add_subparsers(dest="command")
    templates = commands.add_parser("templates", help="the session template library")
    actions = templates.add_subparsers(dest="action")
    actions.add_parser("list", help="list the library's templates")
    show = actions.add_parser("show", help="show one template")
    show.add_argument("id")
    show.add_argument("--source", action="store_true", help="print its YAML file instead")
    validate = actions.add_parser("validate", help="check a template file (JSON or YAML)")
    validate.add_argument("file")
    for plugin in entry_points(group="koula.commands"):
        plugin.load()(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
