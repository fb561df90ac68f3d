"""Fragments drawn once for every learner in the same place: the learner's own strings put in.

At a cohort's first session every learner opens the same page: the same template, the same
empty state. Only a few strings differ from one learner to the next, the page's bearer token
and the learner's signed links, and the page only copies them (into the script context and
``href`` attributes), never reads them. :class:`Stencils` draws such a fragment once with
marks in their place, keeps it, and answers each learner with their strings put in for the
marks.

Putting a string in for its mark is what drawing it would have done only for a *plain*
string: one that neither JSON (``"``, ``\\``, control characters, non-ASCII) nor HTML
(``& < > " '``) escapes. A string that is not plain is drawn for itself, uncached. The marks
carry a secret made per process, so no text a learner types can stand for one; and everything
else that goes into the fragment is part of the cache key.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

__all__ = ["PLAIN", "Stencils"]

PLAIN = re.compile(r"[A-Za-z0-9._~:/?#@!$()*+,;=%-]*")
_MARK = f"koula-stencil-{secrets.token_hex(8)}-"
_MARKS = re.compile(re.escape(_MARK) + r"([0-9]+)\.")


class Stencils:
    """A bounded cache of fragments with marks for the learner's strings (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, _Stencil] = OrderedDict()
        self._lock = threading.Lock()

    def draw(
        self,
        key: Hashable,
        strings: Sequence[str | None],
        draw: Callable[[Sequence[str | None]], str],
    ) -> str:
        """``draw(strings)``: made with marks for ``strings`` once per ``key`` (what else
        the fragment holds), then kept. None and the empty string stay themselves (a
        template may ask whether a string is there)."""
        stencil = self._stencil(key, strings, draw)
        return draw(strings) if stencil is None else stencil.text(strings)

    def draw_encoded(
        self,
        key: Hashable,
        strings: Sequence[str | None],
        draw: Callable[[Sequence[str | None]], str],
    ) -> bytes:
        """:meth:`draw`, encoded in UTF-8 (a kept fragment is kept encoded too: a page of
        tens of kilobytes is not encoded again for each learner)."""
        stencil = self._stencil(key, strings, draw)
        return draw(strings).encode() if stencil is None else stencil.encoded(strings)

    def _stencil(
        self,
        key: Hashable,
        strings: Sequence[str | None],
        draw: Callable[[Sequence[str | None]], str],
    ) -> _Stencil | None:
        """The stencil for ``key`` and these strings, drawn if need be; None when a string
        is not plain (the fragment is drawn for it alone)."""
        if any(text is not None and not PLAIN.fullmatch(text) for text in strings):
            return None
        # Equal strings share a mark, so the key tells which are equal and which are None.
        marks = [text if not text else f"{_MARK}{strings.index(text)}." for text in strings]
        full_key = (key, tuple(marks))
        with self._lock:
            stencil = self._kept.get(full_key)
            if stencil is not None:
                self._kept.move_to_end(full_key)
        if stencil is None:
            stencil = _Stencil(draw(marks))
            with self._lock:
                self._kept[full_key] = stencil
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return stencil

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


class _Stencil:
    """A fragment cut at its marks: its texts around them (as text, and in UTF-8 once asked
    for), and for each mark the index of the string it stands for (a learner's strings go in
    with one join)."""

    __slots__ = ("_encoded", "_slots", "_texts")

    def __init__(self, drawn: str) -> None:
        cut = _MARKS.split(drawn)
        self._texts = cut[0::2]
        self._encoded: list[bytes] | None = None  # made when first asked for
        self._slots = [int(index) for index in cut[1::2]]

    def text(self, strings: Sequence[str | None]) -> str:
        own = [text or "" for text in strings]
        drawn = [self._texts[0]]
        for slot, text in zip(self._slots, self._texts[1:], strict=True):
            drawn += (own[slot], text)
        return "".join(drawn)

    def encoded(self, strings: Sequence[str | None]) -> bytes:
        if self._encoded is None:  # two threads may both make it: the same bytes
            self._encoded = [text.encode() for text in self._texts]
        encoded = self._encoded
        own = [text.encode() if text else b"" for text in strings]  # plain: ASCII
        drawn = [encoded[0]]
        for slot, text in zip(self._slots, encoded[1:], strict=True):
            drawn += (own[slot], text)
        return b"".join(drawn)
