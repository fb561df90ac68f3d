"""Who reminders can reach: a usable e-mail address, and the staff view's counts.

:func:`has_address` is the check a reminder pass makes before sending;
:func:`reach` counts, among all open experiments, those that can get reminders
and why the others cannot (no usable address, unsubscribed), for the staff view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.errors import HeaderParseError, MessageError
from email.headerregistry import Address
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
    character (nothing that could add a header), at most 254 characters, and an address
    (RFC 5322 ``addr-spec``) that Python's ``email`` package reads without a defect, so a
    message can be addressed to it. Letters beyond ASCII are allowed (RFC 6531)."""
    if not email or len(email) > MAX_ADDRESS:
        return False
    local, at, domain = email.partition("@")
    plain = all(character.isprintable() and not character.isspace() for character in email)
    return bool(at and local and domain) and "@" not in domain and plain and _parses(email)


def _parses(email: str) -> bool:
    """Return True when ``email`` is one ``addr-spec`` (each letter beyond ASCII read as a
    letter: the parser of the ``email`` package knows ASCII addresses only)."""
    ascii_form = "".join(character if character.isascii() else "a" for character in email)
    try:
        Address(addr_spec=ascii_form)
    except (HeaderParseError, MessageError, ValueError, AttributeError, IndexError, TypeError):
        return False  # the package raises several kinds for a broken address
    return True


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
