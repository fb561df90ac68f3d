"""Who reminders can reach: a usable e-mail address, and the staff view's counts.

:func:`has_address` is the check a reminder pass makes before sending;
:func:`reach` counts, among all open experiments, those that can get reminders
and why the others cannot (no usable address, unsubscribed), for the staff view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["MAX_ADDRESS", "Contact", "Reach", "has_address", "reach"]

MAX_ADDRESS = 254


class Contact(Protocol):
    """How to reach a learner (an :class:`~.reminders.OpenCommitment` is one)."""

    @property
    def email(self) -> str | None: ...

    @property
    def unsubscribed(self) -> bool: ...


def has_address(email: str | None) -> bool:
    """Return True for a usable e-mail address: one ``@`` between text, no blank or control
    character (nothing that could add a header), at most 254 characters."""
    if not email or len(email) > MAX_ADDRESS:
        return False
    local, at, domain = email.partition("@")
    plain = all(character.isprintable() and not character.isspace() for character in email)
    return bool(at and local and domain) and "@" not in domain and plain


@dataclass(frozen=True)
class Reach:
    """Who the reminders reach among open experiments (the staff view's counts)."""

    open: int
    reachable: int
    no_email: int
    unsubscribed: int


def reach(commitments: Iterable[Contact]) -> Reach:
    """Return how many open experiments can get reminders, and why the others cannot."""
    counts = {"open": 0, "reachable": 0, "no_email": 0, "unsubscribed": 0}
    for commitment in commitments:
        counts["open"] += 1
        if commitment.unsubscribed:
            counts["unsubscribed"] += 1
        elif not has_address(commitment.email):
            counts["no_email"] += 1
        else:
            counts["reachable"] += 1
    return Reach(**counts)
