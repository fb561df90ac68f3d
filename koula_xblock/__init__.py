"""Koula for Open edX: the ``koula`` XBlock (entry point ``xblock.v1: koula``).

Importing this package needs only XBlock; LMS internals are reached lazily
through :mod:`koula_xblock.compat`.
"""

from __future__ import annotations
