"""Mail servers for the reminder tests: one that never answers, and an aiosmtpd inbox that
notes which connection each message came on."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.policy import default as policy
from typing import Any


class SilentServer:
    """Accepts connections on loopback and never says a word (a hung mail server)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            self.connections.append(connection)

    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@contextmanager
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.listener.close()
        for connection in server.connections:
            connection.close()


class Inbox:
    """An aiosmtpd handler: each message with the client's end of its connection."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.peers: list[Any] = []
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy))
        self.peers.append(session.peer)
        return "250 OK"


@contextmanager
def smtp_inbox(port: int = 0) -> Iterator[tuple[Inbox, Any]]:
    """A plain SMTP server on loopback (no login) and its inbox."""
    from aiosmtpd.controller import Controller

    from koula_demo.tool_process import free_port

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    server.start()
    try:
        yield inbox, server
    finally:
        server.stop()
