"""A write that fails at any step leaves the workbook exactly as it was, and no litter.

Failures are injected between the writer's steps; one test kills a real writer process
with SIGKILL in the middle of a large write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from test_package_support import WRITER_OPTIONS, make_rendered, make_seller

from sheetcrm.package import atomic, write, write_generated_sheets
from sheetcrm.package.backup import backups_of
from sheetcrm.package.zipio import ZipWriter

KEYS = ["customers", "summary"]


class Boom(Exception):
    pass


def _fail_on_call(n: int, real):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise Boom(f"injected at call {n}")
        return real(*args, **kwargs)

    return wrapper


def _fail_mid_stream(real):
    def wrapper(self, name, chunks, **kwargs):
        def broken():
            for i, chunk in enumerate(chunks):
                if i == 1:
                    raise Boom("injected mid-stream")
                yield chunk
            raise Boom("injected at the end of the stream")

        return real(self, name, broken(), **kwargs)

    return wrapper


INJECTIONS = {
    "after temp file creation": lambda mp: mp.setattr(
        write, "graft", _fail_on_call(1, write.graft)
    ),
    "mid-zip, copying seller parts": lambda mp: mp.setattr(
        ZipWriter, "copy_raw", _fail_on_call(3, ZipWriter.copy_raw)
    ),
    "mid-zip, streaming our sheet": lambda mp: mp.setattr(
        ZipWriter, "write_stream", _fail_mid_stream(ZipWriter.write_stream)
    ),
    "before fsync": lambda mp: mp.setattr(atomic, "_fsync", _fail_on_call(1, atomic._fsync)),
    "while backing up": lambda mp: mp.setattr(
        write, "make_backup", _fail_on_call(1, write.make_backup)
    ),
    "before os.replace": lambda mp: mp.setattr(
        atomic, "_replace", _fail_on_call(1, atomic._replace)
    ),
    "interrupted (Ctrl-C) before os.replace": lambda mp: mp.setattr(
        atomic, "_replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt())
    ),
}


@pytest.mark.parametrize("step", list(INJECTIONS))
def test_failure_at_any_step_leaves_the_workbook_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    rendered = make_rendered(tmp_path / "rendered.xlsx", rows=[("x", i, i) for i in range(3000)])
    write_generated_sheets(book, rendered, KEYS, backup=False)  # a refresh, not a first write
    before = book.read_bytes()
    INJECTIONS[step](monkeypatch)

    with pytest.raises((Boom, KeyboardInterrupt)):
        write_generated_sheets(book, rendered, KEYS)

    assert book.read_bytes() == before
    assert atomic.temp_files(book) == []
    assert backups_of(book) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "rendered.xlsx",
        "shop.xlsx",
    ]


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sheetcrm.package import write_generated_sheets
    write_generated_sheets(Path(sys.argv[1]), Path(sys.argv[2]), ["customers"], backup=False)
    """
)


def test_killed_writer_leaves_the_original_intact_and_openable(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    before = book.read_bytes()
    rendered = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(rendered), WRITER_OPTIONS)
    ws = wb.add_worksheet("Customers")
    for r in range(60_000):
        ws.write_row(r, 0, [f"customer {r}", r, r * 1.5, "青木", r % 7, "note " * 3])
    wb.close()

    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(book), str(rendered)])
    try:
        deadline = time.monotonic() + 60
        while not atomic.temp_files(book):
            assert writer.poll() is None, "the writer finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        temp = atomic.temp_files(book)[0]
        while temp.exists() and temp.stat().st_size < 64 * 1024 and writer.poll() is None:
            time.sleep(0.002)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    assert book.read_bytes() == before
    sheets = python_calamine.CalamineWorkbook.from_path(str(book)).sheet_names
    assert sheets == ["Orders", "Notes"]
    # The interrupted temporary file stays behind (nobody was left to remove it) but is
    # hidden, named after the workbook, and was cut off midway (no central directory yet).
    leftovers = atomic.temp_files(book)
    assert leftovers and all(p.name.startswith(".shop.xlsx.") for p in leftovers)
    assert not zipfile.is_zipfile(leftovers[0])
