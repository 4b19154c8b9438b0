"""The backend-neutral description of the tabs sheetcrm generates.

The analytics build an :class:`OutputWorkbook`; a renderer turns it into xlsx (and,
later, Google Sheets requests).  Nothing here knows about a file format: formats are
named by *kind* (``money``, ``date``…) and each renderer maps kinds to its own number
formats, so the two backends cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

ColumnKind = Literal["text", "integer", "number", "money", "date", "percent", "days"]
ChartKind = Literal["bar", "column", "line", "pie"]

#: Characters Excel forbids in tab names; renderers may rely on titles being clean.
FORBIDDEN_TITLE_CHARS = "[]:*?/\\"
MAX_TITLE_LENGTH = 31


@dataclass(frozen=True)
class Column:
    """One output column: ``key`` names the DataFrame column, ``title`` is the header shown."""

    key: str
    title: str
    kind: ColumnKind = "text"
    width: float | None = None  # in characters; None lets the renderer fit it
    choices: tuple[str, ...] = ()  # a drop-down of these values on the column's cells


@dataclass(frozen=True, eq=False)
class Table:
    """A block of rows under a header row.

    ``rows`` has one column per ``Column.key`` holding plain values: ``str`` for text
    (always written as text, never as a formula), ``int``/``float`` for numbers,
    ``pandas.Timestamp`` / ``datetime.date`` for dates, ``None``/NA for blank.
    """

    columns: tuple[Column, ...]
    rows: pd.DataFrame
    caption: str | None = None  # a bold title line above the header
    recency_column: str | None = None  # key of a days-since column to colour (green → red)
    heat_columns: tuple[str, ...] = ()  # adjacent columns shaded as one block, white → green
    autofilter: bool = True  # only honoured on a sheet's first table


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from one table of the same sheet."""

    kind: ChartKind
    title: str
    table_index: int
    category_column: str
    value_columns: tuple[str, ...]


@dataclass(frozen=True)
class SheetModel:
    """One generated tab.  ``key`` is its stable identity across runs and languages."""

    key: str
    title: str
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()
    freeze_header: bool = True  # freeze the rows down to the first table's header
    tab_color: str | None = None  # "#RRGGBB"
    hidden: bool = False  # e.g. sheetcrm's memory of the seller's decisions


@dataclass(frozen=True)
class OutputWorkbook:
    """All generated tabs, in the order they are to appear after the seller's own tabs."""

    lang: str
    sheets: tuple[SheetModel, ...] = field(default_factory=tuple)
    currency: str = "JPY"  # ISO 4217 code; how "money" columns are shown
