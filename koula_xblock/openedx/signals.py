"""The receiver of the platform's retirement signal: erase the learner from Koula's blocks.

Connected by the app's ``plugin_app`` (``signals_config``) to
``USER_RETIRE_LMS_MISC``, which the LMS sends from the retirement pipeline's
``retire_misc`` step (``POST /api/user/v1/accounts/retire_misc/``), before its ``retire``
step clears the profile name and scrambles the username. It erases the learner as
:func:`koula_xblock.retirement.retire_learner` says, in one transaction, and raises when
it cannot: the step then fails and the pipeline retries it, rather than leave a name.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

__all__ = ["on_user_retirement", "retiree_of"]

log = logging.getLogger(__name__)


def on_user_retirement(sender: Any, user: Any = None, **kwargs: Any) -> None:
    """Erase ``user`` from every Koula block of the LMS."""
    from django.db import transaction

    from koula_xblock.openedx.lms_rows import LmsLearnerRows, anonymous_ids
    from koula_xblock.retirement import retire_learner

    if user is None:
        return
    retiree = retiree_of(user, anonymous_ids(user))
    with transaction.atomic():
        retired = retire_learner(LmsLearnerRows(user), retiree)
    log.info(
        "Koula: retired user %s: %d records, %d states, %d blocks' hand-overs erased",
        user.pk,
        retired.records,
        retired.states,
        retired.turns,
    )


def retiree_of(user: Any, learner_ids: frozenset[str]) -> Any:
    """Return the :class:`~koula_xblock.retirement.Retiree` of a Django ``user``: the ids
    Koula knows them by, every name the platform shows (profile name, full name,
    username), and a label token keyed with the LMS's secret."""
    from django.conf import settings

    from koula_xblock.retirement import Retiree

    profile = getattr(user, "profile", None)
    names = (
        str(getattr(profile, "name", "") or ""),
        str(user.get_full_name() or ""),
        str(user.username or ""),
    )
    key = str(settings.SECRET_KEY).encode()
    token = hmac.new(key, f"koula-retired:{user.pk}".encode(), hashlib.sha256).hexdigest()
    return Retiree(frozenset(learner_ids), tuple(n for n in names if n.strip()), token)
