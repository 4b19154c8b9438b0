"""Where a sheet model's tables sit, and how columns are typed: shared by both renderers.

The xlsx and Google Sheets renderers must lay a sheet out identically, so the layout
is computed once, here: tables stacked from row 0 down, each under its caption, one
blank row apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sheetcrm.output_model import Table


@dataclass(frozen=True)
class Placement:
    """Where one table sits on its sheet (0-based rows)."""

    caption_row: int | None
    header_row: int
    n_rows: int

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        """The last data row, or the header row of an empty table."""
        return self.header_row + self.n_rows

    @property
    def end_row(self) -> int:
        """One past the last data row (the header row's successor for an empty table)."""
        return self.header_row + 1 + self.n_rows


def place_tables(tables: Sequence[Table]) -> list[Placement]:
    """Stack the tables from the top down, each under its caption, one blank row apart."""
    placements = []
    row = 0
    for table in tables:
        caption_row = None
        if table.caption:
            caption_row = row
            row += 1
        placement = Placement(caption_row, row, len(table.rows))
        placements.append(placement)
        row = placement.last_row + 2
    return placements


def typed_column(series: pd.Series) -> pd.Series:
    """Give an object column of only dates or only numbers a real dtype (the fast paths)."""
    if series.dtype != object:
        return series
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    try:
        if inferred in ("datetime", "datetime64", "date"):
            return pd.to_datetime(series)
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
            return series.astype("float64")
    except (TypeError, ValueError, OverflowError):
        pass  # mixed time zones, out-of-range dates, huge ints: written cell by cell
    return series
