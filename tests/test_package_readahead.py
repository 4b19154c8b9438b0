"""read_ahead: a stream produced in a second thread comes out whole, in order, or fails."""

from __future__ import annotations

import threading
import time

import pytest

from sheetcrm.package.readahead import read_ahead


def test_chunks_come_out_in_order_and_complete():
    chunks = [bytes([i % 256]) * (i + 1) for i in range(500)]
    assert list(read_ahead(iter(chunks), depth=3)) == chunks


def test_an_error_while_producing_is_raised_where_the_chunk_would_be():
    def produce():
        yield b"a"
        yield b"b"
        raise ValueError("bad row")

    seen = []
    with pytest.raises(ValueError, match="bad row"):
        for chunk in read_ahead(produce()):
            seen.append(chunk)
    assert seen == [b"a", b"b"]


def test_producing_runs_ahead_while_the_consumer_works():
    made: list[float] = []

    def produce():
        for _ in range(4):
            made.append(time.perf_counter())
            yield b"x"

    stream = read_ahead(produce(), depth=4)
    next(stream)
    time.sleep(0.3)  # the consumer is busy; the producer is not waiting for it
    assert len(made) == 4
    assert list(stream) == [b"x"] * 3


def test_a_consumer_that_stops_early_stops_the_producer():
    stopped = threading.Event()

    def produce():
        try:
            for _ in range(10_000):
                yield b"x"
        finally:
            stopped.set()

    stream = read_ahead(produce(), depth=2)
    next(stream)
    stream.close()
    assert stopped.wait(5)
