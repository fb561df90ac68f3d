"""The community's use cases, written once for every adapter.

Each reads and writes one activity through the port of :mod:`.port`
(:class:`~koula.use_cases.port.ActivityStore`), which the XBlock implements over
its record store and block fields, the LTI tool over its Django models, and the
unit tests over a few dictionaries:

* :mod:`.cards`: the card library's answers (``shared_cards``) and what
  ``reuse_card`` checks a card against;
* :mod:`.hosting`: who may hand the next session over, the hand-over itself
  (a typed name matched to a participant), who volunteered, who hosts now;
* :mod:`.gathering`: one pass over the members for the staff pages (the impact
  report, the learner table, the volunteers, the community and the rotation).

They raise :class:`~koula.errors.Refused` errors (400, 403, 409), whose
``errors`` are already in the reader's language; adapters answer them as they
answer a refused learner action.
"""

from __future__ import annotations
