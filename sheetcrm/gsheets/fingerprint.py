"""A tab's content fingerprint: how sync tells a tab it wrote from one the seller edited.

The fingerprint is a hash over the tab's non-blank rows in canonical form (see
:mod:`sheetcrm.gsheets.cells`), *sorted*, so sorting or filtering a generated tab —
what its filter buttons are for — does not count as an edit, while typing, clearing,
pasting, adding or deleting rows or columns does.  Columns where the seller is meant
to type (the Duplicates tab's Decision drop-down) are left out.  Text is compared
without whitespace and control characters and numbers to 12 significant digits, so
Google's own normalisation can never make an untouched tab look edited (which would
make every sync leave a copy behind).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sheetcrm.gsheets.cells import canonical_value

_CELL_SEPARATOR = "\x1f"  # canonical text never holds control characters
_ROW_SEPARATOR = "\x1e"


def fingerprint(rows: Iterable[Sequence[str]], free: Iterable[int] = ()) -> str:
    """The fingerprint of rows of canonical cells; columns in ``free`` are ignored."""
    skip = set(free)
    keys = []
    for row in rows:
        cells = ["" if i in skip else cell for i, cell in enumerate(row)]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            keys.append(_CELL_SEPARATOR.join(cells))
    keys.sort()
    digest = hashlib.sha256(_ROW_SEPARATOR.join(keys).encode("utf-8"))
    return digest.hexdigest()[:32]


def fingerprint_values(values: Iterable[Sequence[Any]], free: Iterable[int] = ()) -> str:
    """The fingerprint of rows as ``values.batchGet`` returns them (UNFORMATTED_VALUE)."""
    return fingerprint(([canonical_value(v) for v in row] for row in values), free)
