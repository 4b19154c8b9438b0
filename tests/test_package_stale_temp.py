"""Leftovers of a killed write are cleaned up by the next write, live ones are not."""

import os
import time
from pathlib import Path

from sheetcrm.package.atomic import STALE_AFTER_SECONDS, remove_stale_temp_files, write_atomically


def test_stale_leftover_is_removed_and_fresh_one_kept(tmp_path: Path) -> None:
    target = tmp_path / "shop.xlsx"
    target.write_bytes(b"old")
    stale = tmp_path / ".shop.xlsx.abc.sheetcrm-tmp"
    fresh = tmp_path / ".shop.xlsx.def.sheetcrm-tmp"
    other = tmp_path / ".other.xlsx.abc.sheetcrm-tmp"
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"partial")
    long_ago = time.time() - STALE_AFTER_SECONDS - 5
    os.utime(stale, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    write_atomically(target, lambda f: f.write(b"new"), mode=0o600)
    assert target.read_bytes() == b"new"
    assert not stale.exists()
    assert fresh.exists()  # may belong to a write still running
    assert other.exists()  # another workbook's leftovers are not ours to judge
    assert remove_stale_temp_files(target, now=time.time() + STALE_AFTER_SECONDS) == [fresh]
