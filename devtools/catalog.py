"""Keep the gettext catalogs in step with the code.

``python devtools/catalog.py extract`` collects every translatable string
(Python, Jinja2 templates) into ``koula/locale/koula.pot`` and merges it into
each language's ``.po`` (new strings arrive untranslated); ``compile`` writes the
``.mo`` files that ship in the wheel; ``translate FILE.json`` does both, setting the
French of the strings a JSON object maps (``{"English": "Français"}``), under a file
lock so two people working in one tree never lose each other's translations.
``tests/unit/test_messages.py`` fails when a string has no French translation or a
``.mo`` is stale.
"""

from __future__ import annotations

import datetime
import fcntl
import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "koula" / "locale"
LANGUAGES = ("fr",)
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def extracted() -> Catalog:
    """Return a catalog of every translatable string in the source tree."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text()))
    catalog = Catalog(project="koula", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"_": None, "gettext": None, "N_": None, "translate": (2,)},
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "koula.po"


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def compiled(language: str) -> bytes:
    """Return the ``.mo`` bytes for ``language``; the same ``.po`` always gives the same bytes."""
    catalog = read(language)
    catalog.creation_date = catalog.revision_date = EPOCH
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def extract() -> None:
    template = extracted()
    with (LOCALE / "koula.pot").open("wb") as handle:
        write_po(handle, template, omit_header=True, sort_output=True, include_lineno=False)
    for language in LANGUAGES:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read(language) if path.exists() else Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(
                handle,
                catalog,
                omit_header=True,
                sort_output=True,
                include_lineno=False,
                ignore_obsolete=True,
            )


def compile_all() -> None:
    for language in LANGUAGES:
        po_path(language).with_suffix(".mo").write_bytes(compiled(language))


def translate_from(path: str, language: str = "fr") -> None:
    """Extract, set the translations that the JSON file at ``path`` gives, then compile."""
    given: dict[str, str] = json.loads(Path(path).read_text(encoding="utf-8"))
    with (LOCALE / ".catalog.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        extract()
        catalog = read(language)
        missing = [msgid for msgid in given if msgid not in catalog]
        for msgid, msgstr in given.items():
            if msgid in catalog:
                catalog[msgid].string = msgstr
        with po_path(language).open("wb") as handle:
            write_po(handle, catalog, omit_header=True, sort_output=True, include_lineno=False)
        compile_all()
    if missing:
        print("not in the code (extracted from no file):", *missing, sep="\n  ", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1] == "translate":
        translate_from(sys.argv[2])
    else:
        {"extract": extract, "compile": compile_all}[sys.argv[1]]()
