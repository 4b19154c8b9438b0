"""Keep the last few versions of a workbook before sheetcrm rewrites it.

Backups go to ``.sheetcrm/backups/<stem>.<UTC timestamp><suffix>`` beside the workbook,
readable by the owner only (the workbook holds customers' personal data), and only the
newest :data:`KEEP` of each workbook are kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

KEEP = 5
FOLDER = Path(".sheetcrm") / "backups"


def backup_folder(workbook: Path) -> Path:
    return workbook.parent / FOLDER


def make_backup(workbook: Path) -> Path:
    """Copy ``workbook`` into the backup folder (0600 file, 0700 folders) and return the copy."""
    folder = backup_folder(workbook)
    for level in (folder.parent, folder):
        level.mkdir(mode=0o700, exist_ok=True)
        os.chmod(level, 0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = folder / f"{workbook.stem}.{stamp}{workbook.suffix}"
    n = 1
    while dest.exists():
        dest = folder / f"{workbook.stem}.{stamp}-{n}{workbook.suffix}"
        n += 1
    partial = dest.with_name(dest.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(workbook, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return dest


def backups_of(workbook: Path) -> list[Path]:
    """This workbook's backups, oldest first."""
    pattern = re.compile(
        re.escape(workbook.stem) + r"\.(\d{8}T\d{12}Z)(?:-(\d+))?" + re.escape(workbook.suffix)
    )
    folder = backup_folder(workbook)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        m = pattern.fullmatch(path.name)
        if m is not None:
            found.append(((m.group(1), int(m.group(2) or 0)), path))
    return [path for _, path in sorted(found)]


def rotate(workbook: Path, keep: int = KEEP) -> None:
    """Delete all but the newest ``keep`` backups of ``workbook``."""
    old = backups_of(workbook)
    for path in old[: max(len(old) - keep, 0)]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
