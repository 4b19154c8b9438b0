"""Developer metadata: creating it, and finding it with ``DataFilter``s.

Per the API reference (``spreadsheets.developerMetadata``): metadata lives at the
spreadsheet, a sheet, or one row/column (``dimensionRange`` spanning a single index),
has a key (required), optional value, and ``DOCUMENT`` or ``PROJECT`` visibility; ids
are positive and unique per spreadsheet.  Google fills in ``locationType`` on what it
returns.  A lookup matches on every field it names; a location filter (``a1Range``,
``gridRange``) matches metadata whose location intersects it.
"""

from __future__ import annotations

import copy
from typing import Any

from sheetcrm.fakesheets.a1 import Bounds
from sheetcrm.fakesheets.errors import ApiError, invalid
from sheetcrm.fakesheets.fieldmask import masked_update, parse_mask
from sheetcrm.fakesheets.store import IdMaker, Sheet, Spreadsheet

VISIBILITIES = ("DOCUMENT", "PROJECT")
_LOOKUP_FIELDS = ("metadataId", "metadataKey", "metadataValue", "visibility")


def normalize_location(
    ss: Spreadsheet, location: dict[str, Any], *, single: bool = True
) -> dict[str, Any]:
    """A location with its ``locationType`` filled in, checked against the spreadsheet."""
    if location.get("spreadsheet"):
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if "sheetId" in location:
        ss.require_sheet(location["sheetId"])
        return {"locationType": "SHEET", "sheetId": location["sheetId"]}
    if "dimensionRange" in location:
        dr = location["dimensionRange"]
        sheet = ss.require_sheet(dr.get("sheetId", 0))
        dimension = dr.get("dimension")
        if dimension not in ("ROWS", "COLUMNS"):
            raise invalid("DimensionRange must specify a dimension of ROWS or COLUMNS.")
        size = sheet.row_count if dimension == "ROWS" else sheet.col_count
        start, end = dr.get("startIndex", 0), dr.get("endIndex", size)
        if single and end - start != 1:
            raise invalid(
                "The specified DimensionRange must represent a single row or column; it "
                "cannot be unbounded or span multiple rows or columns."
            )
        if not 0 <= start < end <= size:
            raise invalid(f"DimensionRange [{start}, {end}) is outside the grid of {size}.")
        return {
            "locationType": "ROW" if dimension == "ROWS" else "COLUMN",
            "dimensionRange": {
                "sheetId": sheet.sheet_id,
                "dimension": dimension,
                "startIndex": start,
                "endIndex": end,
            },
        }
    raise invalid("Developer metadata location must be specified.")


def create(ss: Spreadsheet, ids: IdMaker, md: dict[str, Any]) -> dict[str, Any]:
    """Store new metadata; returns it as Google does (with id and locationType)."""
    key = md.get("metadataKey")
    if not key:
        raise invalid("Developer metadata must have a metadataKey.")
    visibility = md.get("visibility")
    if visibility not in VISIBILITIES:
        raise invalid("Developer metadata must specify a visibility of DOCUMENT or PROJECT.")
    taken = {m["metadataId"] for m in ss.developer_metadata}
    metadata_id = md.get("metadataId")
    if metadata_id is None:
        metadata_id = ids.small_id(taken)
    elif not isinstance(metadata_id, int) or metadata_id <= 0:
        raise invalid("Developer metadata ID must be positive.")
    elif metadata_id in taken:
        raise invalid(f"Developer metadata with ID {metadata_id} already exists.")
    stored: dict[str, Any] = {"metadataId": metadata_id, "metadataKey": key}
    if "metadataValue" in md:
        stored["metadataValue"] = md["metadataValue"]
    stored["location"] = normalize_location(ss, md.get("location") or {})
    stored["visibility"] = visibility
    ss.developer_metadata.append(stored)
    return copy.deepcopy(stored)


def get(ss: Spreadsheet, metadata_id: int) -> dict[str, Any]:
    """One entry by id (404 when absent)."""
    for md in ss.developer_metadata:
        if md["metadataId"] == metadata_id:
            return copy.deepcopy(md)
    raise ApiError(404, f"No developer metadata with ID: {metadata_id}")


def _on_area(location: dict[str, Any], sheet: Sheet, area: Bounds) -> bool:
    kind = location["locationType"]
    if kind == "SHEET":
        return location["sheetId"] == sheet.sheet_id
    if kind in ("ROW", "COLUMN"):
        dr = location["dimensionRange"]
        if dr["sheetId"] != sheet.sheet_id:
            return False
        lo, hi = (area.start_row, area.end_row) if kind == "ROW" else (area.start_col, area.end_col)
        return dr["startIndex"] < hi and dr["endIndex"] > lo  # type: ignore[operator]
    return False


def _location_matches(
    ss: Spreadsheet, have: dict[str, Any], want: dict[str, Any], strategy: str
) -> bool:
    if strategy == "EXACT_LOCATION":
        return have == want
    kind = want["locationType"]
    if kind == "SPREADSHEET":
        return True
    if kind == "SHEET":
        sheet = ss.require_sheet(want["sheetId"])
        return _on_area(have, sheet, sheet.full_bounds())
    dr = want["dimensionRange"]
    sheet = ss.require_sheet(dr["sheetId"])
    if kind == "ROW":
        area = Bounds(dr["startIndex"], 0, dr["endIndex"], sheet.col_count)
    else:
        area = Bounds(0, dr["startIndex"], sheet.row_count, dr["endIndex"])
    if have["locationType"] == "COLUMN" and kind == "ROW":
        return False
    if have["locationType"] == "ROW" and kind == "COLUMN":
        return False
    return _on_area(have, sheet, area)


def matches(ss: Spreadsheet, md: dict[str, Any], data_filter: dict[str, Any]) -> bool:
    """Whether one metadata entry is selected by one ``DataFilter``."""
    if "developerMetadataLookup" in data_filter:
        lookup = data_filter["developerMetadataLookup"]
        if any(name in lookup and md.get(name) != lookup[name] for name in _LOOKUP_FIELDS):
            return False
        location = md["location"]
        if "locationType" in lookup and location["locationType"] != lookup["locationType"]:
            return False
        if "metadataLocation" in lookup:
            want = normalize_location(ss, lookup["metadataLocation"], single=False)
            strategy = lookup.get("locationMatchingStrategy") or "EXACT_LOCATION"
            return _location_matches(ss, location, want, strategy)
        return True
    if "a1Range" in data_filter:
        sheet, bounds = ss.resolve(data_filter["a1Range"])
        return _on_area(md["location"], sheet, bounds.clip(sheet.row_count, sheet.col_count))
    if "gridRange" in data_filter:
        sheet, bounds = ss.grid_range(data_filter["gridRange"])
        return _on_area(md["location"], sheet, bounds)
    raise invalid("DataFilter must set one of developerMetadataLookup, a1Range or gridRange.")


def search(ss: Spreadsheet, data_filters: list[dict[str, Any]]) -> dict[str, Any]:
    """``developerMetadata.search``: each match with the filters that selected it."""
    if not data_filters:
        raise invalid("Must specify at least one data filter.")
    matched = []
    for md in ss.developer_metadata:
        hits = [f for f in data_filters if matches(ss, md, f)]
        if hits:
            matched.append(
                {"developerMetadata": copy.deepcopy(md), "dataFilters": copy.deepcopy(hits)}
            )
    return {"matchedDeveloperMetadata": matched} if matched else {}


def delete(ss: Spreadsheet, data_filter: dict[str, Any]) -> list[dict[str, Any]]:
    """Remove every entry the filter selects; returns them."""
    gone = [md for md in ss.developer_metadata if matches(ss, md, data_filter)]
    ss.developer_metadata = [md for md in ss.developer_metadata if md not in gone]
    return copy.deepcopy(gone)


def update(
    ss: Spreadsheet,
    data_filters: list[dict[str, Any]],
    new: dict[str, Any],
    fields: str,
) -> list[dict[str, Any]]:
    """``updateDeveloperMetadata``: the masked fields of ``new`` onto every match."""
    if not fields:
        raise invalid("At least one field must be specified in 'fields'.")
    mask = parse_mask(fields)
    if "metadataId" in mask:
        raise invalid("metadataId cannot be updated.")
    chosen = [md for md in ss.developer_metadata if any(matches(ss, md, f) for f in data_filters)]
    for md in chosen:
        masked_update(md, new, mask)
        if "location" in mask:
            md["location"] = normalize_location(ss, md.get("location") or {})
        if md.get("visibility") not in VISIBILITIES or not md.get("metadataKey"):
            raise invalid("Developer metadata must keep a key and a visibility.")
    return copy.deepcopy(chosen)
