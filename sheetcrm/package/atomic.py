"""Replace a file so that a crash at any instant leaves either the old or the new version.

The new content is written to a temporary file in the same folder (so ``os.replace`` is
a rename on one filesystem, which POSIX and Windows make atomic), flushed and fsynced;
then it replaces the target and the folder itself is fsynced so the rename survives a
power cut.  On any exception the temporary file is removed and the target is untouched.
A process killed outright (SIGKILL, power loss) can leave a ``.<name>.*.sheetcrm-tmp``
file behind — never a damaged workbook; the next write removes such leftovers once
they have not changed for :data:`STALE_AFTER_SECONDS` (so a live write is never touched).

The steps are module-level functions so tests can inject failures between them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")


class TargetBusy(PermissionError):
    """The target could not be replaced: another program holds it open (Windows)."""


TEMP_SUFFIX = ".sheetcrm-tmp"
STALE_AFTER_SECONDS = 60


def temp_files(target: Path) -> list[Path]:
    """Temporary files an interrupted write of ``target`` may have left."""
    return sorted(target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"))


def remove_stale_temp_files(target: Path, *, now: float | None = None) -> list[Path]:
    """Delete leftovers of interrupted writes of ``target``; returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    for leftover in temp_files(target):
        with contextlib.suppress(FileNotFoundError):
            if now - leftover.stat().st_mtime >= STALE_AFTER_SECONDS:
                leftover.unlink()
                removed.append(leftover)
    return removed


def _create_temp(target: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)


def _fsync(fd: int) -> None:
    os.fsync(fd)


def _replace(source: str, target: Path) -> None:
    os.replace(source, target)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is already durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(
    target: Path,
    produce: Callable[[BinaryIO], T],
    *,
    mode: int,
    before_replace: Callable[[], None] | None = None,
) -> T:
    """Write ``target`` through ``produce(file)``; ``before_replace`` runs last, before the swap.

    ``mode`` is the permission bits the new file gets (the old file's, usually).
    """
    remove_stale_temp_files(target)
    fd, temp = _create_temp(target)
    try:
        with os.fdopen(fd, "w+b") as f:
            result = produce(f)
            f.flush()
            _fsync(f.fileno())
        os.chmod(temp, mode)
        if before_replace is not None:
            before_replace()
        try:
            _replace(temp, target)
        except PermissionError as error:
            raise TargetBusy(str(error)) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(target.parent)
    return result
