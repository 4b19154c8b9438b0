"""Saving the fake's spreadsheets to a JSON file and loading them back (``--state``).

The file is the fake's own format (not an API resource): enough to restart the
standalone server where it left off.  Writes go to a temporary file first and are
renamed into place, so a crash never leaves half a state file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sheetcrm.fakesheets.store import Sheet, Spreadsheet, Workspace

FORMAT_VERSION = 1


def _sheet_json(sheet: Sheet) -> dict[str, Any]:
    return {
        "properties": sheet.properties,
        "cells": [[r, c, cell] for (r, c), cell in sorted(sheet.cells.items())],
        "rowProperties": [[i, p] for i, p in sorted(sheet.row_props.items())],
        "columnProperties": [[i, p] for i, p in sorted(sheet.col_props.items())],
        "basicFilter": sheet.basic_filter,
        "conditionalFormats": sheet.conditional_formats,
        "charts": sheet.charts,
    }


def _sheet_from_json(data: dict[str, Any]) -> Sheet:
    return Sheet(
        properties=data["properties"],
        cells={(r, c): cell for r, c, cell in data.get("cells", [])},
        row_props={i: p for i, p in data.get("rowProperties", [])},
        col_props={i: p for i, p in data.get("columnProperties", [])},
        basic_filter=data.get("basicFilter"),
        conditional_formats=data.get("conditionalFormats", []),
        charts=data.get("charts", []),
    )


def save(workspace: Workspace, path: Path) -> None:
    """Write every spreadsheet (and the not-shared list) to ``path`` atomically."""
    data = {
        "version": FORMAT_VERSION,
        "denied": sorted(workspace.denied),
        "spreadsheets": [
            {
                "spreadsheetId": s.spreadsheet_id,
                "properties": s.properties,
                "sheets": [_sheet_json(sheet) for sheet in s.sheets],
                "developerMetadata": s.developer_metadata,
                "createdTime": s.created_time,
                "modifiedTime": s.modified_time,
                "permissions": s.permissions,
            }
            for s in workspace.spreadsheets.values()
        ],
    }
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load(workspace: Workspace, path: Path) -> None:
    """Add the spreadsheets saved in ``path`` to the workspace."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"{path} is not a fakesheets state file (version {FORMAT_VERSION}).")
    for item in data["spreadsheets"]:
        spreadsheet = Spreadsheet(
            spreadsheet_id=item["spreadsheetId"],
            properties=item["properties"],
            sheets=[_sheet_from_json(s) for s in item["sheets"]],
            developer_metadata=item.get("developerMetadata", []),
            created_time=item["createdTime"],
            modified_time=item["modifiedTime"],
            permissions=item.get("permissions", []),
        )
        workspace.spreadsheets[spreadsheet.spreadsheet_id] = spreadsheet
    workspace.denied.update(data.get("denied", []))
