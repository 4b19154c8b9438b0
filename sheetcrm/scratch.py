"""A private scratch folder for files that hold customers' personal data, always removed.

Rendering the generated tabs goes through files (xlsxwriter's constant-memory mode
streams rows to temporary files), and those tabs are personal data.  They go into a
folder only the current user can open (``mkdtemp`` creates it 0700), and xlsxwriter is
told to put its own temporary files there too, so one removal takes everything:

    with private_dir() as scratch:
        render_xlsx(model, scratch / "generated.xlsx", tmpdir=scratch)

The folder is removed on every way out — return, exception, Ctrl+C, even a second
Ctrl+C pressed while it is being removed.  Only a process killed outright (SIGKILL,
power loss) can leave it behind, in the system's temporary folder, readable by its
owner alone.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "sheetcrm-"


@contextmanager
def private_dir(prefix: str = PREFIX) -> Iterator[Path]:
    """A new folder readable by this user only, deleted with everything in it on exit."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        remove_tree(path)


def remove_tree(path: Path) -> None:
    """Delete ``path`` completely, even if Ctrl+C is pressed meanwhile (then re-raised)."""
    interrupted: KeyboardInterrupt | None = None
    while True:
        try:
            shutil.rmtree(path, ignore_errors=True)
            break
        except KeyboardInterrupt as error:  # finish the job first: it holds personal data
            interrupted = error
    if interrupted is not None:
        raise interrupted
