"""A free TCP port on loopback."""

import socket


def free_port() -> int:
    """A port nothing listens on now (the OS's pick for a bind to port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
