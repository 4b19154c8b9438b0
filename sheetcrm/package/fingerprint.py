"""Remember what a workbook looked like when it was read, to notice edits made meanwhile.

The seller may keep the workbook open and save it while sheetcrm computes; writing our
tabs into the stale copy would silently undo their work.  The reader takes a
:class:`Fingerprint`; the writer refuses (``WorkbookChanged``) if the file no longer
matches it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fingerprint:
    """Size, modification time and SHA-256 of a file at one moment."""

    size: int
    mtime_ns: int
    sha256: str


def fingerprint(path: Path) -> Fingerprint:
    """Fingerprint ``path``; the hash is streamed, so large workbooks cost no memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return Fingerprint(size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=digest.hexdigest())
