"""Koula's framework-free core.

Session templates (:mod:`koula.template`, :mod:`koula.template_format`,
:mod:`koula.library`), the learner's state and the four learner actions
(:mod:`koula.state`, :mod:`koula.actions`), progress and scoring
(:mod:`koula.progress`), and messages in French and English
(:mod:`koula.messages`). Nothing here imports a web framework: the Open edX
XBlock and the LTI tool are thin adapters around it.
"""

from __future__ import annotations

__version__ = "0.1.0"
