"""Koula's shared user interface: Jinja2 templates, the JavaScript module and the stylesheet.

Both adapters (the Open edX XBlock and the LTI tool) render the learner page
through :mod:`koula_ui.render`, so the activity looks and behaves the same in
every platform. The JavaScript and CSS are in ``koula_ui/static/``
(:mod:`koula_ui.assets` reads them), shipped in the wheel with the package.
"""

from __future__ import annotations
