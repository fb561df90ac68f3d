"""``koula demo``: registered on the core's command line through the ``koula.commands`` group.

Its modules (Werkzeug, ``lti1p3platform``) load only when the command runs, so ``koula``
works without the ``demo`` extra and says how to install it when it is missing.
"""

from __future__ import annotations

import argparse
import os
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TextIO

from koula.messages import gettext_for, pick_language

__all__ = ["register"]

DEFAULT_DATA_DIR = "koula-demo-data"
DEFAULT_PORT = 8000


def register(commands: Any) -> None:
    """Add ``demo`` to the ``koula`` subparsers."""
    demo = commands.add_parser(
        "demo",
        help="a sandbox LMS, the Koula LTI tool and the Open edX workbench, on this computer",
    )
    demo.add_argument(
        "--data-dir",
        default=DEFAULT_DATA_DIR,
        help=f"where everything is kept, on SQLite (default: ./{DEFAULT_DATA_DIR})",
    )
    demo.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=(
            "the sandbox's port; the tool and the workbench use the next two, and the demo's "
            "learning record store (xAPI, when Ralph is installed) the third (default: 8000)"
        ),
    )
    demo.add_argument(
        "--no-workbench", action="store_true", help="do not start the Open edX workbench"
    )
    demo.set_defaults(run=_demo)


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    language = pick_language(args.lang, os.environ.get("LANG"))
    _ = gettext_for(language)
    if find_spec("lti1p3platform") is None or find_spec("werkzeug") is None:
        print(_("koula demo needs the demo extra: pip install 'koula[demo]'"), file=out)
        return 2
    from koula_demo.run import run_demo

    return run_demo(
        data_dir=Path(args.data_dir),
        base_port=args.port,
        workbench=not args.no_workbench,
        language=language,
        out=out,
    )
