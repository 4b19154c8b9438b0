"""How sheetcrm recognises the tabs it generated, whatever the seller did to them since.

The marker is **a workbook-scoped hidden defined name** ``_sheetcrm.<key>`` whose value
is a reference to the tab, e.g. ``'Customers'!$A$1``.  Why this one:

* it carries the key (encoded into the name) and lives in ``workbook.xml``, which we
  rewrite anyway, so the reader finds our tabs without opening any sheet;
* Excel keeps hidden names on save and rewrites the reference when the tab is renamed
  or moved (a reference names the sheet, not its position); deleting the tab turns it
  into ``#REF!``.  LibreOffice does the same (it drops the hidden flag, which we restore);
* it is *workbook*-scoped, and copying a tab hands only *sheet*-scoped names to the copy.
  A sheet-scoped name was rejected for that reason: the seller's copy of our tab would
  carry the marker too, and be replaced or removed.

Our tabs also get a **code name** derived from the key (``<sheetPr codeName="sheetcrm_…">``),
used as a veto: a tab whose code name is present and different is never ours.  Excel
keeps code names (VBA depends on them) and gives a copied tab a new one, so this catches
a stale marker left by a tool that deleted our tab without fixing references, should a
seller tab reuse the title.  It is only a veto because LibreOffice drops code names of
workbooks without macros (checked with LibreOffice 7.4): requiring it would make every
LibreOffice save orphan our tabs, which would then be appended again and read back as
the seller's data.

``docProps/custom.xml`` properties and customXml parts were rejected: Excel keeps them,
but they are not tied to a sheet, so renames, moves and copies would have to be tracked
by title.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable

from .formula import quote_title, sheet_of

PREFIX = "_sheetcrm."
_SAFE = re.compile(r"[a-z0-9_]")
_ESCAPE = re.compile(r"\.([0-9a-f]+)\.")
_CODE_NAME = re.compile(rb"<(?:[\w.-]+:)?sheetPr\b[^>]*?\bcodeName=\"([^\"]*)\"")
_HEAD_END = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")
_MAX_NAME = 255


def name_for(key: str) -> str:
    """The defined name marking the tab of ``key``.

    Excel names are case-insensitive and allow letters, digits, ``_`` and ``.``, so every
    other character (upper case included) is written as ``.<hex code point>.``.
    """
    if not key:
        raise ValueError("a sheet key must not be empty")
    encoded = "".join(c if _SAFE.fullmatch(c) else f".{ord(c):x}." for c in key)
    name = PREFIX + encoded
    if len(name) > _MAX_NAME:
        raise ValueError(f"sheet key too long for a marker: {key!r}")
    return name


def key_of(name: str) -> str | None:
    """The key a marker name carries, or None if ``name`` is not one of ours."""
    if not name.lower().startswith(PREFIX):
        return None
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name[len(PREFIX) :])


def code_name_for(key: str) -> str:
    """The sheet code name for ``key``: a valid VBA identifier of 21 characters."""
    return "sheetcrm_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def formula_for(title: str) -> str:
    """The value of a marker name: a reference to the tab's first cell."""
    return f"{quote_title(title)}!$A$1"


def code_name_in(chunks: Iterable[bytes], limit: int = 1 << 18) -> str | None:
    """The ``codeName`` in a worksheet's XML, read only up to ``<sheetData``."""
    head = b""
    for chunk in chunks:
        head += chunk
        end = _HEAD_END.search(head)
        if end is not None or len(head) > limit:
            head = head[: end.start()] if end is not None else head
            break
    m = _CODE_NAME.search(head)
    return m.group(1).decode("utf-8", "replace") if m else None


def find_marked(
    names: Iterable[tuple[str, int | None, str]],
    titles: list[str],
    code_name: Callable[[int], str | None],
) -> dict[str, int]:
    """``{key: sheet index}`` for the tabs our markers point to (and no other code name vetoes).

    ``names`` are the workbook's defined names as (name, localSheetId, formula);
    ``titles`` the tab titles in order; ``code_name(i)`` reads tab i's code name.
    """
    by_title = {t.casefold(): i for i, t in enumerate(titles)}
    found: dict[str, int] = {}
    for name, local_sheet_id, formula in names:
        key = key_of(name)
        if key is None or local_sheet_id is not None or key in found:
            continue
        title = sheet_of(formula)
        index = by_title.get(title.casefold()) if title is not None else None
        if index is None or index in found.values():
            continue
        code = code_name(index)
        if code is None or code == code_name_for(key):
            found[key] = index
    return found
