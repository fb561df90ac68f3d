"""Reading the one row of a unique lookup.

``QuerySet.first()`` orders by primary key, and Django builds that ordering anew for every
query (about half the cost of a one-row lookup on this tool's hot paths, the launch and the
learner page); a lookup by a unique key needs no order.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

__all__ = ["one_or_none"]


def one_or_none[M: Model](rows: QuerySet[M]) -> M | None:
    """Return the row of ``rows`` (a lookup by a unique key), or None when there is none."""
    return next(iter(rows[:1]), None)
