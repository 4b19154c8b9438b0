"""``spreadsheets.batchUpdate``: each request kind, applied all-or-nothing.

The API applies a batch atomically: "if any request is not valid then the entire
request will fail and nothing will be applied", and replies mirror the requests, empty
(``{}``) for kinds without a reply.  The fake applies every request to a deep copy and
hands the copy back only when all succeeded; the caller swaps it in.  An error inside
request *i* of kind *k* reads ``Invalid requests[i].k: …`` as Google's do.

Request kinds that exist in the API but are not modelled answer 501 UNIMPLEMENTED so a
test notices; an unknown name gets Google's "Cannot find field" 400.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheetcrm.fakesheets import dimensions, metadata, paste, validation
from sheetcrm.fakesheets.a1 import Bounds
from sheetcrm.fakesheets.errors import (
    CELL_LIMIT_MESSAGE,
    MAX_CELLS,
    ApiError,
    invalid,
    unimplemented,
)
from sheetcrm.fakesheets.fieldmask import Mask, MaskError, masked_update, parse_mask
from sheetcrm.fakesheets.store import (
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    IdMaker,
    Sheet,
    Spreadsheet,
    check_cell_text,
    exceeds_grid,
    new_sheet,
    now_rfc3339,
)

# Every request kind in the API's Request union (for 501 vs "Cannot find field").
API_REQUEST_KINDS = frozenset(
    """
    updateSpreadsheetProperties updateSheetProperties updateDimensionProperties
    updateNamedRange repeatCell addNamedRange deleteNamedRange addSheet deleteSheet
    autoFill cutPaste copyPaste mergeCells unmergeCells updateBorders updateCells
    addFilterView appendCells clearBasicFilter deleteDimension deleteEmbeddedObject
    deleteFilterView duplicateFilterView duplicateSheet findReplace insertDimension
    insertRange moveDimension updateEmbeddedObjectPosition pasteData textToColumns
    updateFilterView deleteRange appendDimension addConditionalFormatRule
    updateConditionalFormatRule deleteConditionalFormatRule sortRange setDataValidation
    setBasicFilter addProtectedRange updateProtectedRange deleteProtectedRange
    autoResizeDimensions addChart updateChartSpec updateBanding addBanding deleteBanding
    createDeveloperMetadata updateDeveloperMetadata deleteDeveloperMetadata randomizeRange
    addDimensionGroup deleteDimensionGroup updateDimensionGroup trimWhitespace
    deleteDuplicates updateEmbeddedObjectBorder addSlicer updateSlicerSpec addDataSource
    updateDataSource deleteDataSource refreshDataSource cancelDataSourceRefresh addTable
    updateTable deleteTable
    """.split()  # noqa: SIM905 - a word list reads better than 70 quoted lines
)

# CellData fields a write may set; the rest (effectiveValue, formattedValue…) are computed.
_WRITABLE_CELL_FIELDS = ("userEnteredValue", "userEnteredFormat", "note", "dataValidation")
_VALUE_KINDS = ("numberValue", "stringValue", "boolValue", "formulaValue", "errorValue")
_SHEET_PROPERTY_FIELDS = (
    "sheetId",
    "title",
    "index",
    "sheetType",
    "gridProperties",
    "hidden",
    "tabColor",
    "tabColorStyle",
    "rightToLeft",
)
_SPREADSHEET_PROPERTY_FIELDS = (
    "title",
    "locale",
    "autoRecalc",
    "timeZone",
    "defaultFormat",
    "iterativeCalculationSettings",
    "spreadsheetTheme",
    "importFunctionsExternalUrlAccessAllowed",
)
_DIMENSION_PROPERTY_FIELDS = ("pixelSize", "hiddenByUser")


@dataclass
class Batch:
    """What a request handler works on: the copy being edited and the id source."""

    ss: Spreadsheet
    ids: IdMaker
    duplicate_copies_metadata: bool = False


Handler = Callable[[Batch, dict[str, Any]], dict[str, Any] | None]


def apply_batch(
    ss: Spreadsheet,
    body: dict[str, Any],
    ids: IdMaker,
    *,
    duplicate_copies_metadata: bool = False,
) -> tuple[Spreadsheet, dict[str, Any]]:
    """Apply a batchUpdate body to a copy; returns the edited copy and the response."""
    requests = body.get("requests")
    if not requests:
        raise invalid("Must specify at least one request.")
    batch = Batch(copy.deepcopy(ss), ids, duplicate_copies_metadata)
    replies = []
    for i, request in enumerate(requests):
        if not isinstance(request, dict) or not request:
            raise invalid(f"Invalid requests[{i}]: No request set.")
        if len(request) > 1:
            raise invalid(f"Invalid requests[{i}]: More than one request kind is set.")
        kind, payload = next(iter(request.items()))
        handler = HANDLERS.get(kind)
        if handler is None:
            if kind in API_REQUEST_KINDS:
                raise unimplemented(f"batchUpdate requests of kind {kind} (requests[{i}])")
            raise invalid(
                f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': "
                "Cannot find field."
            )
        cells_before = batch.ss.cell_count()
        try:
            reply = handler(batch, payload if isinstance(payload, dict) else {})
            cells_after = batch.ss.cell_count()
            if cells_after > MAX_CELLS and cells_after > cells_before:
                raise invalid(CELL_LIMIT_MESSAGE)
        except ApiError as error:
            if error.code == 400:
                raise invalid(f"Invalid requests[{i}].{kind}: {error.message}") from None
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise invalid(f"Invalid requests[{i}].{kind}: {error}") from None
        replies.append(reply or {})
    batch.ss.modified_time = now_rfc3339()
    response: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        response["updatedSpreadsheet"] = batch.ss.to_resource(
            include_grid=bool(body.get("responseIncludeGridData")),
            ranges=body.get("responseRanges") or None,
        )
    return batch.ss, response


# --- helpers -----------------------------------------------------------------------


def _mask(fields: Any, allowed: tuple[str, ...] | list[str] | None = None) -> Mask:
    if not fields or not isinstance(fields, str):
        raise invalid("At least one field must be specified in 'fields'.")
    try:
        mask = parse_mask(fields)
    except MaskError:
        raise invalid(f"Invalid field mask: {fields}") from None
    if allowed is not None:
        for name in mask:
            if name != "*" and name not in allowed:
                raise invalid(f"Invalid field mask path: {name}")
    return mask


def _grid_range_json(sheet: Sheet, bounds: Bounds) -> dict[str, Any]:
    """A GridRange as Google returns it (a sheetId of 0 is left out, as in its replies)."""
    out: dict[str, Any] = {} if sheet.sheet_id == 0 else {"sheetId": sheet.sheet_id}
    out.update(
        startRowIndex=bounds.start_row,
        endRowIndex=bounds.end_row,
        startColumnIndex=bounds.start_col,
        endColumnIndex=bounds.end_col,
    )
    return out


def _unique_title(ss: Spreadsheet, title: Any, ignore: Sheet | None = None) -> str:
    if not isinstance(title, str) or not title.strip():
        raise invalid("Sheet title must not be empty.")
    existing = ss.sheet_by_title(title)
    if existing is not None and existing is not ignore:
        raise invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')
    return title


def _new_sheet_id(batch: Batch, wanted: Any) -> int:
    taken = {s.sheet_id for s in batch.ss.sheets}
    if wanted is None:
        return batch.ids.small_id(taken)
    if not isinstance(wanted, int) or wanted < 0:
        raise invalid(f"Invalid sheetId: {wanted}. It must be non-negative.")
    if wanted in taken:
        raise invalid(f"Sheet with id {wanted} already exists.")
    return wanted


def _mirror_tab_color(props: dict[str, Any], mask: Mask) -> None:
    """Keep ``tabColor`` and ``tabColorStyle`` in step; the one in the mask wins."""
    for key in ("tabColor", "tabColorStyle"):
        value = props.get(key)
        if isinstance(value, dict):
            props[key] = {k: v for k, v in value.items() if v is not None}
            if not props[key]:
                del props[key]
    if "tabColorStyle" in mask:
        rgb = props.get("tabColorStyle", {}).get("rgbColor")
        if rgb is None:
            props.pop("tabColor", None)
        else:
            props["tabColor"] = copy.deepcopy(rgb)
    elif "tabColor" in mask:
        if "tabColor" in props:
            props["tabColorStyle"] = {"rgbColor": copy.deepcopy(props["tabColor"])}
        else:
            props.pop("tabColorStyle", None)


def _dimension_range(ss: Spreadsheet, dr: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = ss.require_sheet(dr.get("sheetId", 0), "grid")
    dimension = dimensions.check_dimension(dr.get("dimension"))
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    start, end = dr.get("startIndex", 0), dr.get("endIndex", size)
    if not 0 <= start <= end <= size:
        raise invalid(f"Invalid dimension range [{start}, {end}) on a grid of {size}.")
    return sheet, dimension, start, end


def _write_cell(sheet: Sheet, row: int, col: int, data: dict[str, Any], mask: Mask) -> None:
    """Apply the masked fields of one CellData to a stored cell."""
    if row >= sheet.row_count or col >= sheet.col_count:
        raise exceeds_grid(sheet, Bounds(row, col, row + 1, col + 1))
    cell = copy.deepcopy(sheet.cells.get((row, col), {}))
    masked_update(cell, data, mask)
    for key in list(cell):
        if key not in _WRITABLE_CELL_FIELDS:
            del cell[key]
    value = cell.get("userEnteredValue")
    if value == {}:
        del cell["userEnteredValue"]
    elif value is not None:
        if len([k for k in _VALUE_KINDS if k in value]) != 1:
            raise invalid("userEnteredValue must set exactly one kind of value.")
        check_cell_text(value)
    _reconcile_colors(cell.get("userEnteredFormat"), data.get("userEnteredFormat") or {})
    if cell.get("userEnteredFormat") == {}:
        del cell["userEnteredFormat"]
    sheet.put(row, col, cell)


def _reconcile_colors(stored: dict[str, Any] | None, sent: dict[str, Any]) -> None:
    """A colour written without its ``…Style`` twin replaces the stale twin (and back)."""
    if not stored:
        return
    pairs = [(stored, sent, "backgroundColor")]
    if isinstance(stored.get("textFormat"), dict):
        pairs.append((stored["textFormat"], sent.get("textFormat") or {}, "foregroundColor"))
    for holder, given, name in pairs:
        style = f"{name}Style"
        if name in given and style not in given:
            holder.pop(style, None)
        elif style in given and name not in given:
            holder.pop(name, None)


# --- handlers ------------------------------------------------------------------------


def _add_sheet(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    ss = batch.ss
    props = copy.deepcopy(p.get("properties") or {})
    title = props.get("title")
    if title is None:
        n = len(ss.sheets) + 1
        while ss.sheet_by_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    title = _unique_title(ss, title)
    if props.get("sheetType", "GRID") != "GRID":
        raise unimplemented(f"addSheet of sheetType {props['sheetType']}")
    grid = props.get("gridProperties") or {}
    rows = grid.get("rowCount", DEFAULT_ROWS)
    cols = grid.get("columnCount", DEFAULT_COLUMNS)
    if rows < 1 or cols < 1:
        raise invalid("A sheet must have at least one row and one column.")
    index = props.get("index", len(ss.sheets))
    index = max(0, min(index, len(ss.sheets)))
    sheet = new_sheet(_new_sheet_id(batch, props.get("sheetId")), title, index, rows, cols)
    for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if grid.get(key):
            sheet.grid[key] = grid[key]
    for key in ("hidden", "rightToLeft", "tabColor", "tabColorStyle"):
        if props.get(key):
            sheet.properties[key] = props[key]
    for key in ("tabColorStyle", "tabColor"):
        if key in props:
            _mirror_tab_color(sheet.properties, {key: None})
            break
    ss.sheets.insert(index, sheet)
    ss.reindex()
    return {"addSheet": {"properties": copy.deepcopy(sheet.properties)}}


def _delete_sheet(batch: Batch, p: dict[str, Any]) -> None:
    ss = batch.ss
    sheet = ss.require_sheet(p.get("sheetId"))
    if len(ss.sheets) == 1:
        raise invalid("You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.developer_metadata = [
        md for md in ss.developer_metadata if not _located_on(md, sheet.sheet_id)
    ]
    ss.reindex()


def _located_on(md: dict[str, Any], sheet_id: int) -> bool:
    location = md["location"]
    return location.get("sheetId") == sheet_id or (
        location.get("dimensionRange", {}).get("sheetId") == sheet_id
    )


def _update_sheet_properties(batch: Batch, p: dict[str, Any]) -> None:
    ss = batch.ss
    props = p.get("properties") or {}
    mask = _mask(p.get("fields"), _SHEET_PROPERTY_FIELDS)
    sheet = ss.require_sheet(props.get("sheetId", 0))
    updated = copy.deepcopy(sheet.properties)
    masked_update(updated, props, mask)
    updated["sheetId"] = sheet.sheet_id
    updated["sheetType"] = sheet.properties.get("sheetType", "GRID")
    updated["title"] = _unique_title(ss, updated.get("title"), ignore=sheet)
    grid = updated.setdefault("gridProperties", {})
    for key in ("rowCount", "columnCount"):
        if grid.get(key, 0) < 1:
            raise invalid(f"gridProperties.{key} must be at least 1.")
    for frozen, count, noun in (
        ("frozenRowCount", "rowCount", "rows"),
        ("frozenColumnCount", "columnCount", "columns"),
    ):
        if grid.get(frozen, 0) >= grid[count]:
            raise invalid(f"You can't freeze all visible {noun} on the sheet.")
        if not grid.get(frozen):
            grid.pop(frozen, None)
    if updated.get("hidden") and all(
        s.properties.get("hidden") for s in ss.sheets if s is not sheet
    ):
        raise invalid("You can't hide all the sheets in a document.")
    if not updated.get("hidden"):
        updated.pop("hidden", None)
    _mirror_tab_color(updated, mask)
    position = ss.sheets.index(sheet)
    target = updated.get("index", position)
    old_size = {"ROWS": sheet.row_count, "COLUMNS": sheet.col_count}
    new_size = {"ROWS": grid["rowCount"], "COLUMNS": grid["columnCount"]}
    grid["rowCount"], grid["columnCount"] = old_size["ROWS"], old_size["COLUMNS"]
    sheet.properties = updated
    for dimension, size in new_size.items():
        if size < old_size[dimension]:
            # Shrinking deletes the rows/columns: cells and metadata on them go too.
            dimensions.delete(ss, sheet, dimension, size, old_size[dimension])
    grid["rowCount"], grid["columnCount"] = new_size["ROWS"], new_size["COLUMNS"]
    if "index" in mask and target != position:
        # Indexes are "before the move": moving S1 ahead of S2 (of S1,S2,S3) is index 2.
        ss.sheets.remove(sheet)
        new_position = target - 1 if target > position else target
        ss.sheets.insert(max(0, min(new_position, len(ss.sheets))), sheet)
    ss.reindex()


def _cell_writes(batch: Batch, p: dict[str, Any]) -> tuple[Sheet, int, int, Bounds | None, Mask]:
    mask = _mask(p.get("fields"))
    if "range" in p:
        sheet, bounds = batch.ss.grid_range(p["range"])
        return sheet, bounds.start_row, bounds.start_col, bounds, mask
    if "start" in p:
        start = p["start"]
        sheet = batch.ss.require_sheet(start.get("sheetId", 0), "grid")
        return sheet, start.get("rowIndex", 0), start.get("columnIndex", 0), None, mask
    raise invalid("Either 'start' or 'range' must be set.")


def _update_cells(batch: Batch, p: dict[str, Any]) -> None:
    sheet, row0, col0, area, mask = _cell_writes(batch, p)
    covered: set[tuple[int, int]] = set()
    for i, row in enumerate(p.get("rows") or []):
        for j, data in enumerate(row.get("values") or []):
            r, c = row0 + i, col0 + j
            if area is not None and not (r < area.end_row and c < area.end_col):  # type: ignore[operator]
                raise invalid(
                    f"Attempting to write outside the requested range (row {r}, column {c})."
                )
            _write_cell(sheet, r, c, data or {}, mask)
            covered.add((r, c))
    if area is not None:
        # "If the data in rows does not cover the entire requested range, the fields
        # matching those set in fields will be cleared."
        for r, c, _ in list(sheet.cells_in(area)):
            if (r, c) not in covered:
                _write_cell(sheet, r, c, {}, mask)


def _repeat_cell(batch: Batch, p: dict[str, Any]) -> None:
    sheet, bounds = batch.ss.grid_range(p.get("range") or {})
    mask = _mask(p.get("fields"))
    data = p.get("cell") or {}
    probe: dict[str, Any] = {}
    masked_update(probe, data, mask)
    if not probe:  # clearing: only cells that exist can change
        targets = [(r, c) for r, c, _ in sheet.cells_in(bounds)]
    else:
        targets = [
            (r, c)
            for r in range(bounds.start_row, bounds.end_row)  # type: ignore[arg-type]
            for c in range(bounds.start_col, bounds.end_col)  # type: ignore[arg-type]
        ]
    for r, c in targets:
        _write_cell(sheet, r, c, data, mask)


def _append_cells(batch: Batch, p: dict[str, Any]) -> None:
    sheet = batch.ss.require_sheet(p.get("sheetId", 0), "grid")
    mask = _mask(p.get("fields"))
    rows = p.get("rows") or []
    filled = [r for (r, _), cell in sheet.cells.items() if cell.get("userEnteredValue")]
    row0 = max(filled) + 1 if filled else 0
    width = max((len(row.get("values") or []) for row in rows), default=0)
    # "inserting new rows into the sheet if necessary"
    sheet.grid["rowCount"] = max(sheet.row_count, row0 + len(rows))
    sheet.grid["columnCount"] = max(sheet.col_count, width)
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            _write_cell(sheet, row0 + i, j, data or {}, mask)


def _update_dimension_properties(batch: Batch, p: dict[str, Any]) -> None:
    if "dataSourceSheetRange" in p:
        raise unimplemented("updateDimensionProperties on data source sheets")
    sheet, dimension, start, end = _dimension_range(batch.ss, p.get("range") or {})
    mask = _mask(p.get("fields"), _DIMENSION_PROPERTY_FIELDS)
    new = p.get("properties") or {}
    store = sheet.row_props if dimension == "ROWS" else sheet.col_props
    for index in range(start, end):
        props = store.get(index, {})
        masked_update(props, new, mask)
        if props.get("hiddenByUser") is False:
            del props["hiddenByUser"]
        if props:
            store[index] = props
        else:
            store.pop(index, None)


def _auto_resize(batch: Batch, p: dict[str, Any]) -> None:
    if "dataSourceSheetDimensions" in p:
        raise unimplemented("autoResizeDimensions on data source sheets")
    sheet, dimension, start, end = _dimension_range(batch.ss, p.get("dimensions") or {})
    dimensions.auto_resize(sheet, dimension, start, end, batch.ss.locale)


def _set_basic_filter(batch: Batch, p: dict[str, Any]) -> None:
    new = copy.deepcopy(p.get("filter") or {})
    sheet, bounds = batch.ss.grid_range(new.get("range") or {})
    new["range"] = _grid_range_json(sheet, bounds)
    sheet.basic_filter = new


def _clear_basic_filter(batch: Batch, p: dict[str, Any]) -> None:
    batch.ss.require_sheet(p.get("sheetId", 0)).basic_filter = None


def _add_conditional_format_rule(batch: Batch, p: dict[str, Any]) -> None:
    rule = copy.deepcopy(p.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise invalid("A conditional format rule must have at least one range.")
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise invalid(
            "A conditional format rule must set exactly one of booleanRule, gradientRule."
        )
    resolved = [batch.ss.grid_range(r) for r in ranges]
    sheet = resolved[0][0]
    if any(s is not sheet for s, _ in resolved):
        raise invalid("All ranges of a conditional format rule must be on the same sheet.")
    rule["ranges"] = [_grid_range_json(s, b) for s, b in resolved]
    index = max(0, min(p.get("index", 0), len(sheet.conditional_formats)))
    sheet.conditional_formats.insert(index, rule)


def _delete_conditional_format_rule(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    """Remove the rule at ``index``; later rules move up (their indexes decrease)."""
    sheet = batch.ss.require_sheet(p.get("sheetId", 0))
    index = p.get("index", 0)
    if not isinstance(index, int) or not 0 <= index < len(sheet.conditional_formats):
        raise invalid(f"No conditional format on sheet {sheet.sheet_id} at index {index}.")
    rule = sheet.conditional_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": rule}}


def _set_data_validation(batch: Batch, p: dict[str, Any]) -> None:
    validation.set_validation(batch.ss, p)


def _copy_paste(batch: Batch, p: dict[str, Any]) -> None:
    paste.copy_paste(batch.ss, p)


def _all_chart_ids(ss: Spreadsheet) -> set[int]:
    return {chart["chartId"] for sheet in ss.sheets for chart in sheet.charts}


def _check_sources(ss: Spreadsheet, node: Any) -> None:
    """Every GridRange a chart reads from must exist."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                for source in value:
                    ss.grid_range(source)
            else:
                _check_sources(ss, value)
    elif isinstance(node, list):
        for item in node:
            _check_sources(ss, item)


def _add_chart(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    ss = batch.ss
    chart = copy.deepcopy(p.get("chart") or {})
    if not chart.get("spec"):
        raise invalid("A chart must have a spec.")
    overlay = (chart.get("position") or {}).get("overlayPosition")
    if overlay is None:
        raise unimplemented("addChart without position.overlayPosition (own-sheet charts)")
    anchor = overlay.setdefault("anchorCell", {})
    sheet = ss.require_sheet(anchor.get("sheetId", 0), "grid")
    anchor.setdefault("sheetId", sheet.sheet_id)
    overlay.setdefault("widthPixels", 600)
    overlay.setdefault("heightPixels", 371)
    _check_sources(ss, chart["spec"])
    taken = _all_chart_ids(ss)
    wanted = chart.get("chartId")
    if wanted is None:
        chart["chartId"] = batch.ids.small_id(taken)
    elif wanted in taken:
        raise invalid(f"An embedded object with id {wanted} already exists.")
    ordered = {"chartId": chart.pop("chartId"), **chart}
    sheet.charts.append(ordered)
    return {"addChart": {"chart": copy.deepcopy(ordered)}}


def _delete_embedded_object(batch: Batch, p: dict[str, Any]) -> None:
    object_id = p.get("objectId")
    for sheet in batch.ss.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == object_id:
                sheet.charts.remove(chart)
                return
    raise invalid(f"No embedded object with id: {object_id}")


def _create_developer_metadata(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    md = metadata.create(batch.ss, batch.ids, p.get("developerMetadata") or {})
    return {"createDeveloperMetadata": {"developerMetadata": md}}


def _update_developer_metadata(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    updated = metadata.update(
        batch.ss,
        p.get("dataFilters") or [],
        p.get("developerMetadata") or {},
        p.get("fields") or "",
    )
    return {"updateDeveloperMetadata": {"developerMetadata": updated} if updated else {}}


def _delete_developer_metadata(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    gone = metadata.delete(batch.ss, p.get("dataFilter") or {})
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": gone} if gone else {}}


def _update_spreadsheet_properties(batch: Batch, p: dict[str, Any]) -> None:
    mask = _mask(p.get("fields"), _SPREADSHEET_PROPERTY_FIELDS)
    updated = copy.deepcopy(batch.ss.properties)
    masked_update(updated, p.get("properties") or {}, mask)
    if not isinstance(updated.get("title"), str) or not updated["title"]:
        raise invalid("Spreadsheet title must not be empty.")
    batch.ss.properties = updated


def _rewrite_sheet_ids(node: Any, old: int, new: int) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sheetId" and value == old:
                node[key] = new
            else:
                _rewrite_sheet_ids(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _rewrite_sheet_ids(item, old, new)


def _duplicate_sheet(batch: Batch, p: dict[str, Any]) -> dict[str, Any]:
    """Cells, sizes, filter, rules and charts are copied.  Developer metadata is not
    (unless the server was started with ``duplicate_copies_metadata=True``): Google's
    documentation does not say, so code must not rely on either behaviour."""
    ss = batch.ss
    source = ss.require_sheet(p.get("sourceSheetId"))
    name = p.get("newSheetName")
    if not name:
        name, n = f"Copy of {source.title}", 2
        while ss.sheet_by_title(name):
            name, n = f"Copy of {source.title} {n}", n + 1
    name = _unique_title(ss, name)
    new_id = _new_sheet_id(batch, p.get("newSheetId"))
    copied = copy.deepcopy(source)
    copied.properties.update(sheetId=new_id, title=name)
    if copied.basic_filter:
        _rewrite_sheet_ids(copied.basic_filter, source.sheet_id, new_id)
    _rewrite_sheet_ids(copied.conditional_formats, source.sheet_id, new_id)
    taken = _all_chart_ids(ss)
    for chart in copied.charts:
        _rewrite_sheet_ids(chart.get("position"), source.sheet_id, new_id)
        chart["chartId"] = batch.ids.small_id(taken)
        taken.add(chart["chartId"])
    index = p.get("insertSheetIndex", len(ss.sheets))
    ss.sheets.insert(max(0, min(index, len(ss.sheets))), copied)
    ss.reindex()
    if batch.duplicate_copies_metadata:
        for md in [m for m in ss.developer_metadata if _located_on(m, source.sheet_id)]:
            twin = copy.deepcopy(md)
            _rewrite_sheet_ids(twin["location"], source.sheet_id, new_id)
            twin["metadataId"] = batch.ids.small_id(m["metadataId"] for m in ss.developer_metadata)
            ss.developer_metadata.append(twin)
    return {"duplicateSheet": {"properties": copy.deepcopy(copied.properties)}}


def _insert_dimension(batch: Batch, p: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_range_for_insert(batch.ss, p.get("range") or {})
    dimensions.insert(batch.ss, sheet, dimension, start, end - start)
    store = sheet.row_props if dimension == "ROWS" else sheet.col_props
    neighbour = start - 1 if p.get("inheritFromBefore") else end
    if neighbour in store and neighbour >= 0:
        for index in range(start, end):
            store[index] = copy.deepcopy(store[neighbour])


def _dimension_range_for_insert(ss: Spreadsheet, dr: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = ss.require_sheet(dr.get("sheetId", 0), "grid")
    dimension = dimensions.check_dimension(dr.get("dimension"))
    start, end = dr.get("startIndex", 0), dr.get("endIndex")
    if end is None or end <= start:
        raise invalid("insertDimension needs a range with endIndex > startIndex.")
    return sheet, dimension, start, end


def _append_dimension(batch: Batch, p: dict[str, Any]) -> None:
    sheet = batch.ss.require_sheet(p.get("sheetId", 0), "grid")
    dimension = dimensions.check_dimension(p.get("dimension"))
    length = p.get("length", 0)
    if not isinstance(length, int) or length < 1:
        raise invalid("length must be at least 1.")
    key = "rowCount" if dimension == "ROWS" else "columnCount"
    sheet.grid[key] = sheet.grid.get(key, 0) + length


def _delete_dimension(batch: Batch, p: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_range(batch.ss, p.get("range") or {})
    dimensions.delete(batch.ss, sheet, dimension, start, end)


HANDLERS: dict[str, Handler] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateCells": _update_cells,
    "repeatCell": _repeat_cell,
    "appendCells": _append_cells,
    "updateDimensionProperties": _update_dimension_properties,
    "autoResizeDimensions": _auto_resize,
    "setBasicFilter": _set_basic_filter,
    "clearBasicFilter": _clear_basic_filter,
    "addConditionalFormatRule": _add_conditional_format_rule,
    "deleteConditionalFormatRule": _delete_conditional_format_rule,
    "setDataValidation": _set_data_validation,
    "copyPaste": _copy_paste,
    "addChart": _add_chart,
    "deleteEmbeddedObject": _delete_embedded_object,
    "createDeveloperMetadata": _create_developer_metadata,
    "updateDeveloperMetadata": _update_developer_metadata,
    "deleteDeveloperMetadata": _delete_developer_metadata,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "duplicateSheet": _duplicate_sheet,
    "insertDimension": _insert_dimension,
    "appendDimension": _append_dimension,
    "deleteDimension": _delete_dimension,
}
