"""The offline guard: the network is refused in tests, loopback is not."""

from __future__ import annotations

import socket

import pytest
from network_guard import NetworkAccess, no_network  # noqa: F401  (the fixture under test)


def test_a_connection_to_the_internet_is_refused(no_network: list[str]) -> None:  # noqa: F811
    with pytest.raises(NetworkAccess):
        socket.create_connection(("example.com", 443), timeout=1)
    with pytest.raises(NetworkAccess):
        socket.socket().connect(("93.184.216.34", 80))
    assert len(no_network) == 2
    no_network.clear()  # seen and expected: do not fail this test at teardown


def test_loopback_stays_open(no_network: list[str]) -> None:  # noqa: F811
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
    assert no_network == []
