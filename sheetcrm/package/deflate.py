"""Deflate a stream on every core, as one ordinary raw-deflate stream (the pigz way).

Why: a refresh of a 100,000-customer shop writes ~240 MB of sheet XML, and deflating it
on one core takes longer than building it.  The input is cut into 1 MiB blocks; each is
compressed on its own, primed with the 32 KiB before it (so matches reach back as they
would in one pass) and ended with a sync flush (a byte boundary), so the pieces join
into one valid stream; an empty final block closes it.  zlib releases the GIL while it
works, so threads are enough.
"""

from __future__ import annotations

import os
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

BLOCK_BYTES = 1 << 20
_WINDOW = 32 << 10  # deflate's window: how far back a match may reach
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # BFINAL=1, fixed Huffman, end-of-block
_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass
class Checked:
    """What went in, for the zip entry: CRC-32 and size of the uncompressed data."""

    crc: int = 0
    size: int = 0


def deflate(chunks: Iterable[bytes], level: int, checked: Checked) -> Iterator[bytes]:
    """Yield the raw-deflate stream of ``chunks``; ``checked`` is filled in as they pass."""
    with ThreadPoolExecutor(_WORKERS, thread_name_prefix="sheetcrm-deflate") as pool:
        pending: deque[Future[bytes]] = deque()
        before = b""
        for block in _blocks(chunks):
            checked.crc = zlib.crc32(block, checked.crc)
            checked.size += len(block)
            pending.append(pool.submit(_deflate_block, block, before, level))
            before = block[-_WINDOW:]
            while len(pending) > 2 * _WORKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    yield _FINAL_EMPTY_BLOCK


def _deflate_block(block: bytes, before: bytes, level: int) -> bytes:
    if before:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=before)
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks regrouped into blocks of :data:`BLOCK_BYTES` (the last may be shorter)."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= BLOCK_BYTES:
            yield bytes(buffer[:BLOCK_BYTES])
            del buffer[:BLOCK_BYTES]
    if buffer:
        yield bytes(buffer)
