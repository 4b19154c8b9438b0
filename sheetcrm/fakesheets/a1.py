"""A1 notation: parse what clients send, format what Google echoes back.

Covers the forms in https://developers.google.com/sheets/api/guides/concepts#cell :
``Sheet1!A1:B2``, quoted names with doubled apostrophes (``'Bob''s tab'!A1``), whole
columns (``A:C``), whole rows (``2:5``), half-open ranges (``A5:C``, ``A1:1``), a single
cell, ``$`` anchors, reversed corners, and a bare sheet name meaning the whole sheet.
Named ranges are not modelled.

Indexes are 0-based and ends exclusive, like the API's GridRange; ``None`` means
"unbounded" (to the edge of the grid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENDPOINT = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]+)?")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Names Google must quote because they read as a cell reference (A1 or R1C1 style).
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


class A1Error(ValueError):
    """Raised when text is not A1 notation the fake understands."""


@dataclass(frozen=True)
class Bounds:
    """A rectangle of the grid; ``None`` ends are unbounded."""

    start_row: int = 0
    start_col: int = 0
    end_row: int | None = None
    end_col: int | None = None

    def clip(self, row_count: int, col_count: int) -> Bounds:
        """The same rectangle with unbounded ends replaced by the grid's size."""
        return Bounds(
            self.start_row,
            self.start_col,
            row_count if self.end_row is None else self.end_row,
            col_count if self.end_col is None else self.end_col,
        )


WHOLE_SHEET = Bounds()


@dataclass(frozen=True)
class A1Range:
    """A parsed range: the sheet it names (``None``: the first visible sheet) and bounds."""

    sheet: str | None
    bounds: Bounds


def column_letters(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → ``0``, ``AA`` → ``26``."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def quote_sheet(title: str) -> str:
    """A sheet title as Google writes it in a range: bare when unambiguous, else quoted."""
    if _PLAIN_NAME.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    """``(0, 0)`` → ``A1``."""
    return f"{column_letters(col)}{row + 1}"


def format_range(title: str, bounds: Bounds) -> str:
    """Google's echo of a bounded range: ``Sheet1!A1:D4``, or ``Sheet1!A1`` for one cell."""
    assert bounds.end_row is not None and bounds.end_col is not None
    start = cell_name(bounds.start_row, bounds.start_col)
    end = cell_name(bounds.end_row - 1, bounds.end_col - 1)
    return f"{quote_sheet(title)}!{start if start == end else f'{start}:{end}'}"


def _split_sheet(text: str) -> tuple[str | None, str | None]:
    """Split ``'Bob''s'!A1`` into the sheet title and the cell part (either may be None)."""
    if text.startswith("'"):
        i, name = 1, list[str]()
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if text[i + 1 : i + 2] == "'":
                    name.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(name), None
                if rest.startswith("!") and len(rest) > 1:
                    return "".join(name), rest[1:]
                raise A1Error(text)
            name.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        title, cells = text.rsplit("!", 1)
        if not title or not cells:
            raise A1Error(text)
        return title, cells
    return None, text


def _endpoint(text: str) -> tuple[int | None, int | None]:
    match = _ENDPOINT.fullmatch(text)
    if not match or not (match.group(1) or match.group(2)):
        raise A1Error(text)
    col = column_index(match.group(1)) if match.group(1) else None
    row = int(match.group(2)) - 1 if match.group(2) else None
    if row is not None and row < 0:
        raise A1Error(text)
    return row, col


def parse_bounds(text: str) -> Bounds:
    """Bounds of the cell part alone: ``A1``, ``A1:B2``, ``A:C``, ``2:5``, ``A5:C``."""
    if ":" not in text:
        row, col = _endpoint(text)
        if row is None or col is None:
            raise A1Error(text)
        return Bounds(row, col, row + 1, col + 1)
    first, _, second = text.partition(":")
    r1, c1 = _endpoint(first)
    r2, c2 = _endpoint(second)
    start_row, start_col = r1 or 0, c1 or 0
    end_row = None if r2 is None else r2 + 1
    end_col = None if c2 is None else c2 + 1
    # Reversed corners (B2:A1) mean the same rectangle.
    if end_row is not None and r1 is not None and end_row <= start_row:
        start_row, end_row = end_row - 1, start_row + 1
    if end_col is not None and c1 is not None and end_col <= start_col:
        start_col, end_col = end_col - 1, start_col + 1
    return Bounds(start_row, start_col, end_row, end_col)


def parse_a1(text: str) -> A1Range:
    """Parse a whole range; a bare word that is not a cell range is a sheet title.

    >>> parse_a1("'Bob''s tab'!A1:C3")
    A1Range(sheet="Bob's tab", bounds=Bounds(start_row=0, start_col=0, end_row=3, end_col=3))
    """
    text = text.strip()
    if not text:
        raise A1Error(text)
    sheet, cells = _split_sheet(text)
    if cells is None:
        return A1Range(sheet, WHOLE_SHEET)
    if sheet is None:
        try:
            return A1Range(None, parse_bounds(cells))
        except A1Error:
            return A1Range(cells, WHOLE_SHEET)
    return A1Range(sheet, parse_bounds(cells))
