"""A community's series: the Koula sessions of one course, and the loop across them (issue 11).

The sessions of one course, in session order (:mod:`.sessions`), read and
written through the :class:`~koula.use_cases.series.port.SeriesStore` port
(:mod:`.port`), which the LTI tool implements over the activities of one
deployment and context and the XBlock over the Koula blocks of one course:

* :mod:`.carry_over`: a learner's open experiments from earlier sessions, and
  their return submitted from a later session's page;
* :mod:`.check_in`: the host's check-in, the experiments from earlier sessions;
* :mod:`.reminders`: which reminder e-mails are due on a day, each with its
  idempotency key; :mod:`.calendar`: the "Add to my calendar" file (RFC 5545);
* :mod:`.report` and :mod:`.export`: the series report and its CSV.

The words of the reminder e-mail and the pages are drawn by the shared UI
(``koula_ui``).
"""

from __future__ import annotations
