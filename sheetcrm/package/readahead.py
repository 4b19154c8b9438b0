"""Produce a stream of chunks in a second thread while the caller consumes it.

Why: a generated sheet's rows are built by Arrow kernels and deflated by zlib, and both
release the GIL; producing the next chunks while the current ones are compressed keeps
both cores of a small laptop busy instead of one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from queue import Empty, Full, Queue
from typing import Any

_POLL_SECONDS = 0.1


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def read_ahead(chunks: Iterable[bytes], depth: int = 4) -> Iterator[bytes]:
    """Yield ``chunks`` in order, producing up to ``depth`` of them ahead in a thread.

    An exception raised while producing is raised here, at the chunk it replaced; when
    the caller stops early (an error while writing), the producer stops too.
    """
    queue: Queue[Any] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=_POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(_END)
        except BaseException as error:  # handed to the consumer, raised there
            put(_Failed(error))

    thread = threading.Thread(target=produce, name="sheetcrm-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        _drain(queue)
        thread.join()


def _drain(queue: Queue[Any]) -> None:
    while True:
        try:
            queue.get_nowait()
        except Empty:
            return
