"""Parallel deflate (sheetcrm.package.deflate): one valid stream, whatever the block cuts."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest

from sheetcrm.package.deflate import BLOCK_BYTES, Checked, deflate
from sheetcrm.package.zipio import ZipWriter


def _xml_like(size: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    rows = []
    total = 0
    while total < size:
        row = f'<row r="{len(rows) + 1}"><c r="A1" s="3"><v>{rng.random()}</v></c></row>'
        rows.append(row)
        total += len(row)
    return "".join(rows).encode()[:size]


@pytest.mark.parametrize(
    "size", [0, 1, 100, BLOCK_BYTES - 1, BLOCK_BYTES, BLOCK_BYTES + 1, 3 * BLOCK_BYTES + 12345]
)
def test_any_size_inflates_back_with_its_crc(size):
    data = _xml_like(size)
    pieces = [data[i : i + 70_000] for i in range(0, len(data), 70_000)]  # uneven chunks
    checked = Checked()
    stream = b"".join(deflate(pieces, 6, checked))
    assert zlib.decompress(stream, -15) == data
    assert (checked.crc, checked.size) == (zlib.crc32(data), len(data))


def test_matches_reach_across_blocks_so_the_stream_is_as_small_as_one_pass():
    data = _xml_like(4 * BLOCK_BYTES)
    parallel = b"".join(deflate([data], 6, Checked()))
    single = zlib.compressobj(6, zlib.DEFLATED, -15)
    one_pass = single.compress(data) + single.flush()
    assert len(parallel) < 1.01 * len(one_pass)


def test_random_bytes_round_trip():
    data = random.Random(5).randbytes(2 * BLOCK_BYTES + 7)
    assert zlib.decompress(b"".join(deflate([data], 1, Checked())), -15) == data


def test_a_written_entry_passes_zipfiles_crc_check():
    data = _xml_like(2 * BLOCK_BYTES + 99)
    buffer = io.BytesIO()
    writer = ZipWriter(buffer)
    writer.write_stream("xl/worksheets/sheet1.xml", [data[:5], data[5:]])
    writer.close(b"")
    with zipfile.ZipFile(buffer) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml") == data


def test_a_failing_source_stops_the_stream():
    def chunks():
        yield b"x" * (BLOCK_BYTES + 1)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        b"".join(deflate(chunks(), 6, Checked()))
