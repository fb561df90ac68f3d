"""The port the series' use cases read and write a course's Koula sessions through.

An adapter implements :class:`SeriesStore` over its own storage, for one
series: the LTI tool over the activities of one deployment and context, the
XBlock over the Koula blocks of one course (and edx-submissions' course-wide
reads). ``members`` streams: the use cases read each member once and keep
bounded memory, so an adapter should yield from a cursor rather than build a
list. ``committed`` is a hint, as :class:`koula.use_cases.port.Among` is: the
use cases filter again, so an adapter may always yield everyone.

:func:`~koula.use_cases.series.carry_over.submit_earlier_return` reads a state
(``learner_states``) and writes it back (``save_state``): an adapter calls it in
one transaction and reads the row for update (as it does for its own actions),
so that two submissions at once cannot both apply to the state read before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol

from koula.use_cases.port import Member
from koula.use_cases.series.sessions import Session

__all__ = ["SeriesStore"]


class SeriesStore(Protocol):
    """The Koula sessions of one course, as an adapter stores them."""

    def sessions(self) -> Iterable[Session]:
        """Yield every session of the series, in any order (the use cases sort them)."""
        ...

    def members(self, session_id: str, *, committed: bool = False) -> Iterable[Member]:
        """Yield ``(learner id, display name, state)`` for each learner with a state in the
        session (at least those who committed to an experiment when ``committed`` is true)."""
        ...

    def learner_states(
        self, learner_id: str, session_ids: Collection[str]
    ) -> Mapping[str, dict[str, Any]]:
        """Return one learner's stored states (``LearnerState.to_data``) in these sessions,
        by session id; a session where the learner has no state is absent."""
        ...

    def save_state(self, session_id: str, learner_id: str, stored: dict[str, Any]) -> None:
        """Store ``stored`` as the learner's state in the session."""
        ...

    def now(self) -> dt.datetime:
        """Return the current time, in UTC."""
        ...
