"""Table bodies as SpreadsheetML ``<row>`` elements, built a column at a time with Arrow.

Why: xlsxwriter spends 1.5–5 µs of Python per cell, and refreshing a shop with 100,000
customers writes about five million cells.  Arrow's string kernels build a column's
``<c>`` elements in a handful of calls per block of rows, so the same XML costs a
small fraction of that.  The elements are the ones xlsxwriter writes in
``constant_memory`` mode — numbers in ``<v>``, booleans as ``t="b"``, text as inline
strings with Excel's ``_xHHHH_`` escapes — so one worksheet can hold rows from both.

Text is escaped, never interpreted: a value like ``=HYPERLINK(…)`` or ``<r>…</r>`` is
written as the characters it has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

EXCEL_MAX_TEXT = 32_767  # characters per cell, counted in UTF-16 code units
BLOCK_ROWS = 16_384  # rows built at a time: bounds the memory one block of XML takes

CellKind = Literal["number", "boolean", "text"]

# What Excel itself escapes in text: a literal "_xHHHH_" gets its "_" escaped, control
# characters (tab and line feed excepted) and the non-characters U+FFFE/U+FFFF become
# "_xHHHH_".  RE2 (Arrow) finds the few values that need it; Python rewrites them.
_NEEDS_EXCEL_ESCAPE = r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f]|\x{FFFE}|\x{FFFF}"
_ESCAPE_LOOKALIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f\ufffe\uffff])")
# XML drops leading/trailing whitespace of <t> unless told to keep it.
_EDGE_SPACE = r"^[ \t\r\n]|[ \t\r\n]$"


@dataclass(frozen=True)
class CellLayer:
    """Cells of one kind and style in a column; ``values`` is null where it has none."""

    kind: CellKind
    style: int  # the workbook's cell-format (xf) index
    values: pa.Array  # float64 (number), bool (boolean) or string (text)


@dataclass(frozen=True)
class BodyColumn:
    """One column of a table body.  A typed column is one layer; a mixed column has
    one layer per kind, at most one of which holds a value in any row."""

    index: int  # 0-based sheet column
    layers: tuple[CellLayer, ...]

    @property
    def letter(self) -> str:
        return xl_col_to_name(self.index)


def restyled(columns: Sequence[BodyColumn], style_of: Callable[[int], int]) -> list[BodyColumn]:
    """The columns with every layer's style index mapped through ``style_of``."""
    return [
        BodyColumn(
            column.index,
            tuple(replace(layer, style=style_of(layer.style)) for layer in column.layers),
        )
        for column in columns
    ]


def truncate_text(text: str) -> str:
    """Cut ``text`` to Excel's 32,767-character cell limit, ending it with "…"."""
    units = text.encode("utf-16-le", errors="surrogatepass")
    if len(units) <= EXCEL_MAX_TEXT * 2:
        return text
    # "ignore" drops half of a surrogate pair cut at the boundary.
    return units[: (EXCEL_MAX_TEXT - 1) * 2].decode("utf-16-le", errors="ignore") + "…"


def excel_escape(text: str) -> str:
    """Excel's own escaping of text: ``_x0041_`` → ``_x005F_x0041_``, ``\\x01`` → ``_x0001_``."""
    text = _ESCAPE_LOOKALIKE.sub(r"_x005F\1", text)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)


def body_xml(
    columns: Sequence[BodyColumn], first_row: int, n_rows: int, block_rows: int = BLOCK_ROWS
) -> Iterator[bytes]:
    """The ``<row>`` elements of a table body whose first row is ``first_row`` (0-based).

    Yields UTF-8 XML a block of rows at a time; a row with no cell is left out, as
    xlsxwriter leaves it out.
    """
    for start in range(0, n_rows, block_rows):
        stop = min(start + block_rows, n_rows)
        numbers = np.arange(first_row + 1 + start, first_row + 1 + stop, dtype=np.int64)
        refs = pc.cast(pa.array(numbers), pa.string())
        cells = [_column_cells(column, refs, start, stop - start) for column in columns]
        if not cells:
            return
        filled = reduce(pc.or_, [c.is_valid() for c in cells])
        rows = pc.binary_join_element_wise(
            '<row r="', refs, '">', *(c.fill_null("") for c in cells), "</row>", ""
        )
        if not pc.all(filled).as_py():
            rows = rows.filter(filled)
        if len(rows):
            yield _contiguous_bytes(rows)


def _column_cells(column: BodyColumn, refs: pa.Array, start: int, length: int) -> pa.Array:
    """The ``<c>`` element of every row of a block, null where the column has no value."""
    layers = [_layer_cells(layer, column.letter, refs, start, length) for layer in column.layers]
    if not layers:
        return pa.nulls(length, pa.string())
    return layers[0] if len(layers) == 1 else pc.coalesce(*layers)


def _layer_cells(
    layer: CellLayer, letter: str, refs: pa.Array, start: int, length: int
) -> pa.Array:
    values = layer.values.slice(start, length)
    head = f'<c r="{letter}'
    if layer.kind == "number":
        return pc.binary_join_element_wise(
            head, refs, f'" s="{layer.style}"><v>', pc.cast(values, pa.string()), "</v></c>", ""
        )
    if layer.kind == "boolean":
        digits = pc.if_else(values, "1", "0")
        return pc.binary_join_element_wise(
            head, refs, f'" s="{layer.style}" t="b"><v>', digits, "</v></c>", ""
        )
    text = xml_text(values)
    opening = pc.if_else(
        pc.match_substring_regex(text, _EDGE_SPACE),
        f'" s="{layer.style}" t="inlineStr"><is><t xml:space="preserve">',
        f'" s="{layer.style}" t="inlineStr"><is><t>',
    )
    return pc.binary_join_element_wise(head, refs, opening, text, "</t></is></c>", "")


def xml_text(values: pa.Array) -> pa.Array:
    """Text ready to sit in ``<t>``: cut to Excel's limit, Excel-escaped, XML-escaped."""
    values = _rewrite_where(
        values, pc.greater(pc.utf8_length(values), EXCEL_MAX_TEXT // 2), truncate_text
    )
    values = _rewrite_where(
        values, pc.match_substring_regex(values, _NEEDS_EXCEL_ESCAPE), excel_escape
    )
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        values = pc.replace_substring(values, char, entity)
    return values


def _rewrite_where(values: pa.Array, mask: pa.Array, rewrite) -> pa.Array:
    """Apply ``rewrite`` in Python to the (rare) values where ``mask`` is true."""
    mask = mask.fill_null(False)
    if not pc.any(mask).as_py():
        return values
    chosen = values.filter(mask).to_pylist()
    return pc.replace_with_mask(values, mask, pa.array([rewrite(v) for v in chosen], pa.string()))


def _contiguous_bytes(rows: pa.Array) -> memoryview:
    """All values of a null-free string array as one run of UTF-8 bytes, without copying."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[
        rows.offset : rows.offset + len(rows) + 1
    ]
    return memoryview(rows.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
