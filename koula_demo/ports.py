"""The demo's ports: the sandbox at the base port, the tool, the workbench and the LRS above."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from koula.messages import Gettext

__all__ = ["PortTaken", "Ports", "bindable", "check_free"]

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Ports:
    """``base`` serves the sandbox; ``base + 1`` the LTI tool; ``base + 2`` the workbench;
    ``base + 3`` the LRS."""

    base: int

    @property
    def sandbox(self) -> int:
        return self.base

    @property
    def tool(self) -> int:
        return self.base + 1

    @property
    def workbench(self) -> int:
        return self.base + 2

    @property
    def lrs(self) -> int:
        """The learning record store's (when Ralph is installed; docs/xapi.md)."""
        return self.base + 3

    def url(self, port: int) -> str:
        return f"http://{HOST}:{port}"


class PortTaken(Exception):
    """A port the demo needs is in use; the message says which and how to choose others."""


def check_free(ports: Ports, _: Gettext, *, workbench: bool = True) -> None:
    """Raise :class:`PortTaken` when one of the demo's ports cannot be bound on loopback."""
    wanted = [
        (ports.sandbox, _("the sandbox LMS")),
        (ports.tool, _("the Koula LTI tool")),
    ]
    if workbench:
        wanted.append((ports.workbench, _("the Open edX workbench")))
    for port, what in wanted:
        if not bindable(port):
            raise PortTaken(
                _(
                    "Port {port} is already in use (the demo needs it for {what}). Stop what"
                    " uses it, or choose other ports with --port (the demo uses that port"
                    " and the two above it)."
                ).format(port=port, what=what)
            )


def bindable(port: int) -> bool:
    """True when a server could listen on ``port`` now.

    The probe binds as the demo's servers do (waitress, werkzeug and Django's runserver
    all set ``SO_REUSEADDR``): the connections of a demo just stopped, waiting out
    TIME_WAIT on that port, do not keep the next run from starting; a listening
    socket still does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True
