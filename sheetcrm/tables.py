"""Find the customers, orders and activities tables in the seller's sheets.

Sellers put title rows, notes and blank rows above their header row, so the header
row is the row (among the first few) that names the most known fields.  Which table
a sheet holds follows from its fields (an amount column makes a sales log) with the
sheet's name as a tie-breaker (``templates/headers.toml``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from sheetcrm.headers import field_for_role, is_japanese, match_field
from sheetcrm.reader import SourceSheet
from sheetcrm.resources import load_table
from sheetcrm.text import column_letter, fold_header

if TYPE_CHECKING:
    from sheetcrm.settings import Settings

Role = Literal["customers", "orders", "activities"]
ROLES: tuple[Role, ...] = ("orders", "activities", "customers")

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: A header row must name at least this many distinct fields.
MIN_HEADER_FIELDS = 2
#: How the sheet's unrecognised columns are named in a table's data (``_cell_F``).
OTHER_CELLS = "_cell_"


@dataclass(frozen=True)
class ColumnRef:
    """Where a field's column is: 0-based index, Excel letter and the header as written."""

    index: int
    letter: str
    header: str


@dataclass(frozen=True, eq=False)
class RecognisedTable:
    """A table found in a sheet.

    ``data`` has one string column per recognised field (named by the field) and is
    indexed by Excel row number; rows above the header and wholly blank rows are gone.
    The sheet's other columns follow, named ``_cell_`` and their letter (``_cell_F``):
    they are read only to tell a row pasted twice from two similar rows.
    """

    sheet: str
    role: Role
    header_row: int
    columns: dict[str, ColumnRef]
    data: pd.DataFrame
    japanese_headers: int = 0
    english_headers: int = 0
    unrecognised_headers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class HeaderCandidate:
    """What the best header row of a sheet looks like (used for 'no table found' errors)."""

    sheet: str
    row: int
    fields: dict[str, ColumnRef]
    role: Role | None
    headers_seen: tuple[str, ...]


def find_header(
    sheet: SourceSheet,
    override: Callable[[str, str], str | None] | None = None,
    role: Role | None = None,
) -> HeaderCandidate | None:
    """The most likely header row of ``sheet``, or ``None`` when the sheet is empty.

    ``override(sheet name, header)`` may name a field for a header (the seller's column
    overrides); ``role`` forces the table's role (the seller's sheet roles).
    """
    top = sheet.cells.head(HEADER_SEARCH_ROWS)
    best: HeaderCandidate | None = None
    for row_number, row in top.iterrows():
        fields: dict[str, ColumnRef] = {}
        seen: list[str] = []
        for col, value in row.items():
            if pd.isna(value):
                continue
            text = str(value).strip()
            seen.append(text)
            matched = (override and override(sheet.name, text)) or match_field(text)
            if matched and matched not in fields:
                fields[matched] = ColumnRef(int(col), column_letter(int(col)), text)
        if not seen:
            continue
        candidate = HeaderCandidate(
            sheet.name,
            int(row_number),
            fields,
            role or _role_for(set(fields), sheet.name),
            tuple(seen),
        )
        if best is None or len(fields) > len(best.fields):
            best = candidate
    return best


def _role_for(fields: set[str], sheet_name: str) -> Role | None:
    roles = load_table("headers")["roles"]
    possible = [r for r in ROLES if fields & set(roles[r]["requires_any"])]
    if not possible:
        return None
    folded_name = fold_header(sheet_name)
    for role in possible:
        if any(fold_header(hint) in folded_name for hint in roles[role]["sheet_names"]):
            return role
    return possible[0]


def recognise(sheet: SourceSheet, settings: Settings | None = None) -> RecognisedTable | None:
    """The table held by ``sheet``, or ``None`` when it holds none we know (or is ignored)."""
    forced = settings.sheet_roles.get(sheet.name) if settings else None
    if forced == "ignore":
        return None
    candidate = find_header(
        sheet,
        settings.override_for if settings else None,
        forced,  # type: ignore[arg-type]
    )
    if candidate is None or candidate.role is None:
        return None
    if len(candidate.fields) < MIN_HEADER_FIELDS:
        return None
    role = candidate.role
    columns: dict[str, ColumnRef] = {}
    for generic, ref in candidate.fields.items():
        specific = field_for_role(generic, role)
        # A specific header (注文日) beats a generic one (日付) for the same field.
        if specific not in columns or generic == specific:
            columns[specific] = ref
    body = sheet.cells.loc[candidate.row + 1 :]
    filled = body.notna().to_numpy().any(axis=1)
    if not filled.all():
        body = body[filled]
    recognised = {name: body[ref.index] for name, ref in columns.items()}
    used = {ref.index for ref in columns.values()}
    others = {
        f"{OTHER_CELLS}{column_letter(int(c))}": body[c] for c in body.columns if c not in used
    }
    data = pd.DataFrame(recognised | others, index=body.index).astype("string")
    recognised_headers = {ref.header for ref in candidate.fields.values()}
    return RecognisedTable(
        sheet=sheet.name,
        role=role,
        header_row=candidate.row,
        columns=columns,
        data=data,
        japanese_headers=sum(is_japanese(ref.header) for ref in columns.values()),
        english_headers=sum(not is_japanese(ref.header) for ref in columns.values()),
        unrecognised_headers=tuple(
            h for h in candidate.headers_seen if h not in recognised_headers
        ),
    )
