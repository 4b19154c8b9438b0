"""Find the used range of a worksheet part while it streams past, without parsing it.

Why: calamine (under fastexcel) holds a sheet as one dense grid spanning its first to
its last cell that has a value.  Two cells, ``A1`` and ``XFD1048576``, in a 1 KB file
make it allocate 512 GiB and the process aborts (SIGABRT, no Python exception) —
measured with fastexcel 0.21.  A row number beyond Excel's (``r="A4000000000"``) and a
shared-string table claiming ``uniqueCount="4000000000"`` abort it the same way.  Blank
and formula-only cells (``<c r="XFD1" s="3"/>``) do not count — calamine skips them —
so a stray formatted cell far away is harmless and is not refused.

:class:`XmlSheetScan` reads SpreadsheetML in two gears:

* **fast** (every real sheet we measured): one regular-expression *search* for a
  ``<c`` tag that is not ``<c r="…"`` with a column narrow enough that even 1,048,576
  rows stay under the cell limit (up to CQ, the 95th, by default), a row within
  1..1,048,576 and then only ``s``/``t``/``cm``/``vm``/``ph`` attributes; and one for
  ``:c`` (a prefixed cell tag: calamine reads elements by local name, any prefix).
  When neither is found the sheet is fine without knowing its rows; a search creates
  no objects, so this costs ~0.7 s for a 1,048,576-row, 312 MB sheet;
* **exact** (a tag without ``r``, an odd ``r``, or a wider sheet): the part is streamed
  again and every row / cell tag is followed the way calamine does (implied positions
  included), counting only cells with a value.

:class:`XlsbSheetScan` does the exact walk over .xlsb records (BrtRowHdr and the cell
records of [MS-XLSB] 2.4), which is slower per byte but .xlsb is rare.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384
#: A single tag longer than this is not SpreadsheetML (real tags are at most a few KB).
MAX_TAG_BYTES = 16 << 20

# Row numbers 1..1,048,576 spelled without leading zeros.
_ROW = rb"(?:[1-9]\d{0,5}|10[0-3]\d{4}|104[0-7]\d{3}|1048[0-4]\d\d|10485[0-6]\d|104857[0-6])"
_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
_WHOLE_TAG = re.compile(rb"</?[^\s<>/\"']*" + _ATTRS + rb"\s*/?>")
_R_ATTR = re.compile(rb"\sr\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_P = rb"(?:[^\s<>/:!?\"'=]+:)?"  # any namespace prefix, or none
_DIMENSION_REF = re.compile(rb"<" + _P + rb"dimension\b[^>]*?\sref=\"([^\"]*)\"")
_DATA_START = re.compile(rb"<" + _P + rb"sheetData\b" + _ATTRS + rb"\s*(/?)>")
_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>")
_TOKEN = re.compile(rb"<(/?)" + _P + rb"(row|c|v|is)\b" + _ATTRS + rb"\s*(/?)>")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")


class CellOutOfRange(ValueError):
    """A cell reference or position outside Excel's grid (A1:XFD1048576)."""


class TagTooLong(ValueError):
    """A single tag longer than :data:`MAX_TAG_BYTES`."""


def column_number(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    """1 → ``A``, 16384 → ``XFD``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class UsedRange:
    """The smallest box holding every cell with a value (1-based, inclusive)."""

    first_row: int = 0
    last_row: int = 0
    first_col: int = 0
    last_col: int = 0

    def add(self, row: int, col: int) -> None:
        if not self.last_row:
            self.first_row = self.last_row = row
            self.first_col = self.last_col = col
            return
        self.first_row = min(self.first_row, row)
        self.last_row = max(self.last_row, row)
        self.first_col = min(self.first_col, col)
        self.last_col = max(self.last_col, col)

    @property
    def cells(self) -> int:
        if not self.last_row:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)

    def __str__(self) -> str:
        return (
            f"{column_letters(self.first_col)}{self.first_row}:"
            f"{column_letters(self.last_col)}{self.last_row}"
        )


def check_dimension(ref: str) -> None:
    """Raise CellOutOfRange unless every corner of a ``<dimension ref>`` is in Excel's grid."""
    for corner in ref.split(":"):
        match = _REF.fullmatch(corner.replace("$", ""))
        if match is None:
            if corner.strip():
                raise CellOutOfRange(f"the range {ref[:40]} (its <dimension>)")
            continue
        row, col = int(match.group(2)), column_number(match.group(1))
        _check_position(row, col, f"the range {ref[:40]} (its <dimension>)")


def _check_position(row: int, col: int, what: str) -> None:
    if not (1 <= row <= EXCEL_MAX_ROWS and 1 <= col <= EXCEL_MAX_COLS):
        raise CellOutOfRange(what[:80])


class XmlSheetScan:
    """Feed a worksheet's bytes (UTF-8) with :meth:`feed`; :meth:`close` says if it is fine.

    ``exact=False`` is the fast gear; when :meth:`close` returns ``False`` the caller
    streams the part again through ``XmlSheetScan(exact=True)``, whose :attr:`used` is
    then exact.  Tags are matched by local name, with any prefix or none.
    """

    def __init__(self, *, max_cells: int, exact: bool = False) -> None:
        self.exact = exact
        self.max_cells = max_cells
        self._pending = b""
        self._state = "head"
        narrow = _columns_up_to(max_cells // EXCEL_MAX_ROWS)
        # A conforming tag: r first, narrow and in range, then only Excel's other cell
        # attributes (a second r — calamine takes the last — sends us to the exact gear).
        # (Possessive: backtracking into the attributes can never help, so none is tried.)
        conforming = rb' r="' + narrow + _ROW + rb'"(?: (?:s|t|cm|vm|ph)="[^"<>]*+")*+/?>'
        self._odd = re.compile(rb"<c" + (rb"(?!" + conforming + rb")" if narrow else b""))
        self._odd_found = False
        # exact gear
        self.used = UsedRange()
        self._row = 0
        self._col = 0
        self._cell: tuple[int, int] | None = None
        self._has_value = False

    def feed(self, chunk: bytes) -> None:
        """Scan ``chunk``; a tag cut at the chunk's end waits for the next one."""
        if self._state == "tail" or self._odd_found:
            return
        buf = self._pending + chunk if self._pending else chunk
        self._pending = b""
        cut = buf.rfind(b"<")  # "<" never occurs inside a tag: every tag before it is whole
        if cut >= 0 and _WHOLE_TAG.match(buf, cut) is None:
            self._pending = buf[cut:]
            if len(self._pending) > MAX_TAG_BYTES:
                raise TagTooLong()
            buf = buf[:cut]
        if buf:
            self._scan(buf)

    def close(self) -> bool:
        """Finish; ``True`` when the sheet is certainly within limits (exact: raises if not)."""
        if self._pending and self._state != "tail":
            self._scan(self._pending)
            self._pending = b""
        if self.exact:
            return self.used.cells <= self.max_cells
        return not self._odd_found

    def _scan(self, buf: bytes) -> None:
        pos = 0
        if self._state == "head":
            if (dimension := _DIMENSION_REF.search(buf)) is not None:
                check_dimension(dimension.group(1).decode("ascii", "replace"))
            start = _DATA_START.search(buf)
            if start is None:
                return
            if start.group(2):  # <sheetData/>
                self._state = "tail"
                return
            self._state, pos = "data", start.end()
        end = _data_end(buf, pos)
        region = buf[pos:] if end < 0 else buf[pos:end]
        if self.exact:
            self._walk(region)
        elif self._odd.search(region) is not None or _PREFIXED_CELL.search(region) is not None:
            self._odd_found = True  # the caller streams the part again, exactly
        if end >= 0:
            self._state = "tail"

    def _walk(self, region: bytes) -> None:
        """Follow row / cell tags as calamine does, counting only cells with a value."""
        for m in _TOKEN.finditer(region):
            closing, name, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
            if closing:
                if name == b"c" and self._cell is not None:
                    if self._has_value:
                        self._add(*self._cell)
                    self._cell = None
                continue
            if name == b"row":
                r = _r_attr(attrs)
                self._row = int(r) if r and r.isdigit() else self._row + 1
                if not 1 <= self._row <= EXCEL_MAX_ROWS:
                    raise CellOutOfRange(f"row {r or self._row}"[:40])
                self._col = 0
            elif name == b"c":
                r = _r_attr(attrs)
                row = self._row
                if r:
                    ref = _REF.fullmatch(r)
                    if ref is None:
                        raise CellOutOfRange(f"cell {r[:40]}")
                    self._col, row = column_number(ref.group(1)), int(ref.group(2))
                else:
                    self._col += 1
                where = r or f"{column_letters(self._col)}{row}"
                _check_position(row, self._col, f"cell {where}")
                self._cell, self._has_value = (None, False) if empty else ((row, self._col), False)
            elif name == b"is" or (not empty and not region.startswith(b"</", m.end())):
                self._has_value = True  # an inline string (even empty) or a non-empty <v>

    def _add(self, row: int, col: int) -> None:
        self.used.add(row, col)


def _data_end(buf: bytes, pos: int) -> int:
    """Where ``</sheetData>`` (any prefix) starts in ``buf``, or -1.

    A literal search first: a regular expression starting with ``</`` would stop at
    every closing tag of a 300 MB sheet.
    """
    at = buf.find(b"sheetData", pos)
    while at >= 0:
        found = _DATA_END.search(buf, max(pos, at - 64), at + 32)
        if found is not None:
            return found.start()
        at = buf.find(b"sheetData", at + 1)
    return -1


def _columns_up_to(n: int) -> bytes:
    """A pattern for the column letters A.. up to the ``n``-th (at most ZZ, the 702nd)."""
    n = min(n, 702)
    if n <= 0:
        return b""
    parts = [f"[A-{chr(64 + min(n, 26))}]"]
    full, partial = divmod(max(n - 26, 0), 26)
    if full:
        parts.append(f"[A-{chr(64 + full)}][A-Z]")
    if partial:
        parts.append(f"{chr(65 + full)}[A-{chr(64 + partial)}]")
    return ("(?:" + "|".join(parts) + ")").encode("ascii")


def _r_attr(attrs: bytes) -> str | None:
    """The ``r`` attribute; the last one when repeated, as calamine reads it."""
    found = _R_ATTR.findall(attrs)
    if not found:
        return None
    double, single = found[-1]
    return (double or single).decode("ascii", "replace")


# [MS-XLSB] 2.3.2 record types: BrtRowHdr, the value-carrying cell records, BrtBeginSst.
_BRT_ROW_HDR = 0
_BRT_CELLS = frozenset({2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 62})
_BRT_BEGIN_SST = 159
_BRT_INTERESTING = _BRT_CELLS | {_BRT_ROW_HDR, _BRT_BEGIN_SST}
_U32 = struct.Struct("<I")


class XlsbScan:
    """Walk .xlsb records as they stream: the used range of a sheet, or the SST's claim."""

    def __init__(self, *, max_cells: int) -> None:
        self.max_cells = max_cells
        self.used = UsedRange()
        self.unique_strings: int | None = None
        self._pending = b""
        self._skip = 0
        self._row = 0

    def feed(self, chunk: bytes) -> None:
        if self._skip:
            taken = min(self._skip, len(chunk))
            self._skip -= taken
            chunk = chunk[taken:]
        buf = self._pending + chunk if self._pending else chunk
        pos, n = 0, len(buf)
        while True:
            header = _record_header(buf, pos)
            if header is None:
                break
            kind, start, size = header
            wanted = 8 if kind == _BRT_BEGIN_SST else 4
            interesting = kind in _BRT_INTERESTING
            if interesting and n - start < min(wanted, size):
                break  # the record's first bytes are still to come
            if interesting and size >= 4:
                self._record(kind, buf, start)
            end = start + size
            if end > n:
                self._skip = end - n
                pos = n
                break
            pos = end
        self._pending = buf[pos:]
        if len(self._pending) > MAX_TAG_BYTES:
            raise TagTooLong()

    def _record(self, kind: int, buf: bytes, start: int) -> None:
        value = _U32.unpack_from(buf, start)[0]
        if kind == _BRT_ROW_HDR:
            self._row = value + 1
            if self._row > EXCEL_MAX_ROWS:
                raise CellOutOfRange(f"row {self._row}")
        elif kind == _BRT_BEGIN_SST:
            if len(buf) - start >= 8:
                self.unique_strings = _U32.unpack_from(buf, start + 4)[0]
        else:
            col = value + 1
            _check_position(max(self._row, 1), col, f"cell {column_letters(col)}{self._row}")
            self.used.add(max(self._row, 1), col)

    def close(self) -> bool:
        return self.used.cells <= self.max_cells


def _record_header(buf: bytes, pos: int) -> tuple[int, int, int] | None:
    """``(type, data offset, size)`` of the record at ``pos``, or None if cut short."""
    n = len(buf)
    if pos >= n:
        return None
    kind = buf[pos]
    pos += 1
    if kind & 0x80:
        if pos >= n:
            return None
        kind = (kind & 0x7F) | ((buf[pos] & 0x7F) << 7)
        pos += 1
    size = 0
    for i in range(4):
        if pos >= n:
            return None
        byte = buf[pos]
        pos += 1
        size |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            break
    return kind, pos, size
