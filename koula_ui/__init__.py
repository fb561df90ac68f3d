"""Koula's shared user interface: Jinja2 templates, the JavaScript module and the stylesheet.

Both adapters (the Open edX XBlock and the LTI tool) render the learner page
through :mod:`koula_ui.render`, so the activity looks and behaves the same in
every platform. The JavaScript and CSS live in the repository's top-level
``static/`` folder and ship in the wheel as ``koula_ui/static``.
"""

from __future__ import annotations
