"""Read a Google spreadsheet in two requests: the metadata, then every tab's values.

1. ``spreadsheets.get`` with a field mask (no cell data): tabs, their properties and
   developer metadata — our tabs are recognised by their ``sheetcrm.key`` mark
   (:mod:`sheetcrm.gsheets.markers`), not by title;
2. one ``values.batchGet`` of every tab to read: the seller's tabs (the data), the
   Settings tab, and our own tabs (fingerprinted to tell whether the seller edited them,
   and, for Duplicates and the hidden memory, to read back decisions).

Values are read as ``UNFORMATTED_VALUE`` with dates as serial numbers, not as the text
the UI shows: the date parser reads serials exactly, whatever the spreadsheet's locale
(a US-locale sheet *shows* 5 January as ``1/5/2024``, which the parser must refuse as
ambiguous), amounts arrive without ``¥`` and separators, phone numbers stored as numbers
arrive as their digits (the phone parser restores the lost leading 0), and the
fingerprint of our own tabs compares exactly the numbers we wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pandas as pd

from sheetcrm.gsheets.api import SheetsApi
from sheetcrm.gsheets.fingerprint import fingerprint_values
from sheetcrm.gsheets.markers import (
    METADATA_FIELDS,
    SETTINGS_KEY,
    Ownership,
    TabInfo,
    classify,
    tabs_from_metadata,
)
from sheetcrm.reader import SourceSheet
from sheetcrm.source import READ_BACK_KEYS, SourceInput, source_from_sheets

#: Longest query string one batchGet carries; Google refuses very long URLs.
MAX_QUERY_CHARS = 6_000

Progress = Callable[[str], None]


def quote_title(title: str) -> str:
    """A tab title as an A1 range meaning the whole tab: ``'Bob''s tab'``."""
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True, eq=False)
class SpreadsheetRead:
    """What one read found: the tabs, their values, and who owns each tab."""

    spreadsheet_id: str
    title: str
    locale: str
    tabs: tuple[TabInfo, ...]
    values: dict[int, list[list[Any]]]  # sheetId → rows, as batchGet returned them
    ownership: Ownership

    def source(self) -> SourceInput:
        """The pipeline's input: the seller's tabs, the Settings tab, our read-back tabs.

        Raises :class:`~sheetcrm.errors.NoTableFound` when no table is recognised.
        """
        owned = self.ownership
        sheets = [self._sheet(tab) for tab in owned.seller + owned.settings if tab.grid]
        generated: dict[str, str] = {}
        if owned.settings:
            generated[SETTINGS_KEY] = owned.settings[0].title
        for key in sorted(READ_BACK_KEYS - {SETTINGS_KEY}):
            tab = owned.read_back(key)
            if tab is not None:
                generated[key] = tab.title
                sheets.append(self._sheet(tab))
        order = {tab.sheet_id: tab.index for tab in self.tabs}
        titles = {tab.title: tab.sheet_id for tab in self.tabs}
        sheets.sort(key=lambda s: order[titles[s.name]])
        return source_from_sheets(sheets, generated, self.title)

    def _sheet(self, tab: TabInfo) -> SourceSheet:
        return source_sheet(tab.title, self.values.get(tab.sheet_id, []), not tab.hidden)


def read_spreadsheet(api: SheetsApi, spreadsheet_id: str) -> SpreadsheetRead:
    """Fetch the metadata and every needed tab's values; classify the tabs."""
    meta = api.get_spreadsheet(spreadsheet_id, fields=METADATA_FIELDS)
    tabs = tabs_from_metadata(meta)
    wanted = [tab for tab in tabs if _needs_values(tab)]
    values: dict[int, list[list[Any]]] = {}
    for group in _range_groups(wanted):
        ranges = [quote_title(tab.title) for tab in group]
        for tab, value_range in zip(group, api.batch_get(spreadsheet_id, ranges), strict=True):
            values[tab.sheet_id] = value_range.get("values", [])
    fingerprints = {
        tab.sheet_id: fingerprint_values(values.get(tab.sheet_id, []), tab.written.free)
        for tab in tabs
        if tab.written is not None and tab.sheet_id in values
    }
    props = meta.get("properties", {})
    return SpreadsheetRead(
        spreadsheet_id=spreadsheet_id,
        title=str(props.get("title", spreadsheet_id)),
        locale=str(props.get("locale", "")),
        tabs=tuple(tabs),
        values=values,
        ownership=classify(tabs, fingerprints),
    )


def _needs_values(tab: TabInfo) -> bool:
    """Staging leftovers are never read; a renamed tab of ours only if we read it back."""
    if not tab.grid or tab.staging:
        return False
    renamed = tab.written is not None and tab.title != tab.written.title
    return not (renamed and tab.key not in READ_BACK_KEYS)


def _range_groups(tabs: list[TabInfo]) -> list[list[TabInfo]]:
    """Tabs in groups whose ranges fit one request URL (almost always a single group)."""
    groups: list[list[TabInfo]] = []
    size = MAX_QUERY_CHARS
    for tab in tabs:
        length = len("&ranges=" + quote(quote_title(tab.title), safe=""))
        if size + length > MAX_QUERY_CHARS:
            groups.append([])
            size = 0
        groups[-1].append(tab)
        size += length
    return groups


def cell_text(value: Any) -> str | None:
    """One UNFORMATTED value as the text the parsers read (as the xlsx reader gives it)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    text = str(value)
    return text if text.strip() else None


def source_sheet(name: str, rows: list[list[Any]], visible: bool = True) -> SourceSheet:
    """A :class:`~sheetcrm.reader.SourceSheet` from rows of values (1-based row index)."""
    if not rows:
        return SourceSheet(name=name, cells=pd.DataFrame(), visible=visible)
    width = max(len(row) for row in rows)
    if width == 0:
        return SourceSheet(name=name, cells=pd.DataFrame(), visible=visible)
    texts = [[cell_text(v) for v in row] + [None] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(texts, columns=range(width), dtype="string")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return SourceSheet(name=name, cells=frame, visible=visible)
