"""Fail any test that reaches for the network: only loopback and Unix sockets are allowed.

The fake Google Sheets server listens on 127.0.0.1, so loopback stays open; a DNS
lookup or a connection anywhere else raises :class:`NetworkAccess` and fails the test
(even one that would catch the error).  Apply it to every test by importing the
fixture into ``tests/conftest.py``::

    from network_guard import no_network  # noqa: F401  (every test runs offline)

or for one run: ``PYTHONPATH=tests pytest -p network_guard``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkAccess(RuntimeError):
    """A test tried to use the network."""


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Block non-loopback connections and lookups; yields the attempts seen."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse(what: str) -> NetworkAccess:
        attempts.append(what)
        return NetworkAccess(f"tests must not use the network: {what}")

    def checked(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if not _is_loopback(host):
                raise refuse(f"connect to {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        checked(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        checked(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not _is_loopback(name):
            raise refuse(f"DNS lookup of {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert not attempts, f"network access attempted: {attempts}"
