"""sheetcrm's marks on the tabs it generates, and deciding which tabs are still ours.

Each generated tab carries two pieces of developer metadata located on the sheet
(``DOCUMENT`` visibility, so any credentials of the seller's see them, and they follow
the tab when it is moved or renamed):

* ``sheetcrm.key`` = the tab's stable key (``customers``, ``segment:champions``…);
* ``sheetcrm.written`` = JSON ``{"v", "title", "fingerprint", "free"}``: the title we
  gave the tab and the fingerprint of what we wrote into it
  (:mod:`sheetcrm.gsheets.fingerprint`; ``free`` lists the columns the seller is meant
  to fill in, left out of it).

A tab is recognised by its key, never by its title.  It is **still ours** — replaced in
place, or removed when no longer generated — only while its title and fingerprint are
the ones recorded.  A tab the seller renamed, or edited (typed, cleared, pasted, added or
deleted rows), is *released*: "not ours to delete", so sync never writes or deletes it
again, never reads it as seller data either (it holds our output), and writes a fresh
tab for that key.  Sorting and filtering do not count as edits.  The Settings tab is the
seller's from the moment it exists: kept, never rewritten.  Tabs marked
``sheetcrm.staging`` are half-written leftovers of an interrupted large sync, deleted by
the next one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

KEY = "sheetcrm.key"
WRITTEN = "sheetcrm.written"
STAGING = "sheetcrm.staging"
SETTINGS_KEY = "settings"
VERSION = 1

#: ``spreadsheets.get`` fields: everything sync needs to know, no cell data.
METADATA_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,sheetType,hidden,"
    "gridProperties(rowCount,columnCount,frozenRowCount)),"
    "developerMetadata(metadataId,metadataKey,metadataValue),"
    "charts(chartId),conditionalFormats(ranges),basicFilter(range))"
)


@dataclass(frozen=True)
class Written:
    """What we recorded when we wrote a tab."""

    title: str
    fingerprint: str
    free: tuple[int, ...] = ()

    def to_json(self) -> str:
        data = {"v": VERSION, "title": self.title, "fingerprint": self.fingerprint}
        if self.free:
            data["free"] = list(self.free)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Written | None:
        """``None`` for anything we did not write (a tool or a person changed it)."""
        try:
            data = json.loads(text or "")
            free = tuple(int(i) for i in data.get("free", ()))
            return cls(str(data["title"]), str(data["fingerprint"]), free)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class TabInfo:
    """One tab as ``spreadsheets.get`` describes it, with our marks if it has any."""

    sheet_id: int
    title: str
    index: int
    grid: bool
    hidden: bool
    row_count: int
    column_count: int
    key: str | None = None
    written: Written | None = None
    written_id: int | None = None  # metadataId of sheetcrm.written
    staging: bool = False
    chart_ids: tuple[int, ...] = ()
    conditional_formats: int = 0
    has_filter: bool = False

    @property
    def cells(self) -> int:
        return self.row_count * self.column_count

    @property
    def marked(self) -> bool:
        """True for every tab sheetcrm generated (ours, released or staging)."""
        return self.key is not None or self.staging


def tabs_from_metadata(spreadsheet: dict[str, Any]) -> list[TabInfo]:
    """The tabs of a ``spreadsheets.get`` answer (fields :data:`METADATA_FIELDS`), in order."""
    tabs = []
    for sheet in spreadsheet.get("sheets", []):
        props = sheet.get("properties", {})
        grid = props.get("gridProperties", {})
        marks = {
            md.get("metadataKey"): md
            for md in sheet.get("developerMetadata", [])
            if str(md.get("metadataKey", "")).startswith("sheetcrm.")
        }
        written = marks.get(WRITTEN)
        tabs.append(
            TabInfo(
                sheet_id=int(props.get("sheetId", 0)),
                title=str(props.get("title", "")),
                index=int(props.get("index", len(tabs))),
                grid=props.get("sheetType", "GRID") == "GRID",
                hidden=bool(props.get("hidden")),
                row_count=int(grid.get("rowCount", 0)),
                column_count=int(grid.get("columnCount", 0)),
                key=marks[KEY].get("metadataValue") if KEY in marks else None,
                written=Written.from_json(written.get("metadataValue")) if written else None,
                written_id=written.get("metadataId") if written else None,
                staging=STAGING in marks,
                chart_ids=tuple(c["chartId"] for c in sheet.get("charts", []) if "chartId" in c),
                conditional_formats=len(sheet.get("conditionalFormats", [])),
                has_filter="basicFilter" in sheet,
            )
        )
    return sorted(tabs, key=lambda t: t.index)


@dataclass
class Ownership:
    """Every tab of the spreadsheet, sorted by who owns it now."""

    ours: dict[str, TabInfo] = field(default_factory=dict)  # key → tab we may replace
    released: list[tuple[TabInfo, str]] = field(default_factory=list)  # (tab, why)
    settings: list[TabInfo] = field(default_factory=list)  # the seller's Settings tabs
    staging: list[TabInfo] = field(default_factory=list)
    seller: list[TabInfo] = field(default_factory=list)

    def read_back(self, key: str) -> TabInfo | None:
        """The tab whose content a sync reads for ``key`` (duplicates, memory): ours if
        there is one, else the newest released one (its decisions were typed there)."""
        if key in self.ours:
            return self.ours[key]
        released = [tab for tab, _ in self.released if tab.key == key]
        return max(released, key=lambda t: t.index) if released else None


def classify(tabs: list[TabInfo], fingerprints: dict[int, str]) -> Ownership:
    """Sort tabs by owner; ``fingerprints`` maps sheetId → fingerprint of what it holds
    now (computed with each tab's recorded ``free`` columns)."""
    owned = Ownership()
    for tab in tabs:
        if tab.staging:
            owned.staging.append(tab)
        elif tab.key is None:
            owned.seller.append(tab)
        elif tab.key == SETTINGS_KEY:
            owned.settings.append(tab)
        elif tab.written is None:
            owned.released.append((tab, "unrecorded"))
        elif tab.title != tab.written.title:
            owned.released.append((tab, "renamed"))
        elif fingerprints.get(tab.sheet_id) != tab.written.fingerprint:
            owned.released.append((tab, "edited"))
        elif tab.key in owned.ours:
            owned.released.append((tab, "duplicate"))
        else:
            owned.ours[tab.key] = tab
    return owned


def marker_requests(sheet_id: int, key: str, written: Written) -> list[dict[str, Any]]:
    """createDeveloperMetadata requests marking a new tab as ours."""
    return [
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": name,
                    "metadataValue": value,
                    "location": {"sheetId": sheet_id},
                    "visibility": "DOCUMENT",
                }
            }
        }
        for name, value in ((KEY, key), (WRITTEN, written.to_json()))
    ]


def staging_marker(sheet_id: int) -> dict[str, Any]:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": STAGING,
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }


def rewrite_written(tab: TabInfo, key: str, written: Written) -> list[dict[str, Any]]:
    """Requests recording a new ``sheetcrm.written`` on a tab replaced in place."""
    if tab.written_id is None:
        return marker_requests(tab.sheet_id, key, written)[1:]
    return [
        {
            "updateDeveloperMetadata": {
                "dataFilters": [{"developerMetadataLookup": {"metadataId": tab.written_id}}],
                "developerMetadata": {"metadataValue": written.to_json()},
                "fields": "metadataValue",
            }
        }
    ]
