"""The demo's port check (koula_demo/ports.py): taken means someone listens, not TIME_WAIT."""

from __future__ import annotations

import socket

from koula_demo.ports import bindable


def port_left_in_time_wait() -> int:
    """A loopback port whose last connection the server closed first: it waits in TIME_WAIT,
    as the tool's and the sandbox's connections do after ``koula demo`` stops."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()  # the side that closes first keeps the TIME_WAIT
            client.recv(1)
    return port


def plain_bind_fails(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def test_a_port_whose_last_connections_wait_in_time_wait_is_free_for_the_next_demo():
    port = port_left_in_time_wait()
    assert plain_bind_fails(port)  # what the old probe did: "Port ... is already in use"
    assert bindable(port)


def test_a_port_someone_listens_on_is_taken():
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not bindable(int(listener.getsockname()[1]))
