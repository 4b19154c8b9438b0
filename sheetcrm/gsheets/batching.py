"""Serialise batchUpdate requests into bodies that stay under a size budget.

Requests are JSON *text* by the time they get here (cells are rendered column-wise
into JSON by :mod:`sheetcrm.gsheets.cells`), so each body's exact size in bytes is
known before it is sent, and a large ``updateCells`` can be cut between rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

ENVELOPE = len(b'{"requests":[]}')


def dumps(request: dict[str, Any]) -> str:
    """Compact JSON (UTF-8 characters kept as they are: a kanji is 3 bytes, not 6)."""
    return json.dumps(request, ensure_ascii=False, separators=(",", ":"))


def sized(requests: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Each request as (JSON text, size in bytes)."""
    texts = [dumps(r) for r in requests]
    return [(t, len(t.encode("utf-8"))) for t in texts]


def row_sizes(rows: Sequence[str]) -> list[int]:
    return [len(row.encode("utf-8")) for row in rows]


@dataclass
class Body:
    """The requests of one batchUpdate, serialised, with their size in bytes."""

    parts: list[str] = field(default_factory=list)
    size: int = ENVELOPE

    def add(self, text: str, size: int) -> None:
        self.size += size + (1 if self.parts else 0)
        self.parts.append(text)

    def encode(self) -> bytes:
        return ('{"requests":[' + ",".join(self.parts) + "]}").encode("utf-8")


@dataclass(frozen=True)
class CellRows:
    """RowData JSON texts to write into a sheet from ``start_row`` on, splittable by rows."""

    sheet_id: int
    start_row: int
    rows: Sequence[str]
    sizes: Sequence[int]
    fields: str = "userEnteredValue"

    @classmethod
    def of(cls, sheet_id: int, rows: Sequence[str], fields: str = "userEnteredValue") -> CellRows:
        return cls(sheet_id, 0, rows, row_sizes(rows), fields)

    def requests(self, budget: int) -> Iterator[tuple[str, int]]:
        """updateCells requests (text, bytes) of at most ``budget`` bytes each — or one
        row, should a single row be larger."""
        head = f'{{"updateCells":{{"start":{{"sheetId":{self.sheet_id},"rowIndex":'
        tail = f'],"fields":"{self.fields}"}}}}'
        start = 0
        while start < len(self.rows):
            prefix = f'{head}{self.start_row + start},"columnIndex":0}},"rows":['
            size = len(prefix.encode()) + len(tail.encode())
            stop = start
            while stop < len(self.rows) and (
                stop == start or size + self.sizes[stop] + 1 <= budget
            ):
                size += self.sizes[stop] + (1 if stop > start else 0)
                stop += 1
            yield prefix + ",".join(self.rows[start:stop]) + tail, size
            start = stop


def pack(
    pieces: Sequence[tuple[str, int]], budget: int, bodies: list[Body] | None = None
) -> list[Body]:
    """Append pieces to the last body, opening a new one whenever the budget would break."""
    bodies = bodies or [Body()]
    for text, size in pieces:
        if bodies[-1].parts and bodies[-1].size + size + 1 > budget:
            bodies.append(Body())
        bodies[-1].add(text, size)
    return bodies


# --- values.batchUpdate (RAW): the compact form for staging large writes -------------

_VALUES_HEAD = '{"valueInputOption":"RAW","data":['
_VALUES_TAIL = "]}"


def raw_rows(rows: Sequence[str]) -> list[str]:
    """RowData JSON texts → the same values as rows for ``values.batchUpdate`` (RAW).

    RAW stores strings as they are ("The values the user has entered will not be
    parsed"), so ``=IMPORTXML(…)`` stays text here too, at a third of the size of
    ``CellData``: only the value of each cell is sent, not its field names.
    """
    out = []
    for row in rows:
        cells = json.loads(row).get("values", [])
        values = [next(iter(c["userEnteredValue"].values())) if c else "" for c in cells]
        out.append(json.dumps(values, ensure_ascii=False, separators=(",", ":")))
    return out


def value_bodies(blocks: Sequence[tuple[str, Sequence[str]]], budget: int) -> list[bytes]:
    """``values.batchUpdate`` bodies of at most ``budget`` bytes for ``(range title,
    raw rows)`` blocks, each written from its A1; a block is cut between rows."""
    bodies: list[bytes] = []
    items: list[str] = []
    size = len(_VALUES_HEAD) + len(_VALUES_TAIL)

    def flush() -> None:
        nonlocal items, size
        if items:
            bodies.append((_VALUES_HEAD + ",".join(items) + _VALUES_TAIL).encode("utf-8"))
        items, size = [], len(_VALUES_HEAD) + len(_VALUES_TAIL)

    for title, rows in blocks:
        sizes = row_sizes(rows)
        start = 0
        while start < len(rows):
            head = '{"range":' + json.dumps(f"{title}!A{start + 1}", ensure_ascii=False)
            head += ',"values":['
            item_size = len(head.encode()) + 2
            stop = start
            while stop < len(rows) and (
                stop == start or size + item_size + sizes[stop] + 2 <= budget
            ):
                item_size += sizes[stop] + 1
                stop += 1
            if items and size + item_size + 1 > budget:
                flush()
                continue  # the chunk is recomputed against an empty body
            items.append(head + ",".join(rows[start:stop]) + "]}")
            size += item_size + 1
            start = stop
        # blocks share bodies: the next block's first chunk may join this body
    flush()
    return bodies
