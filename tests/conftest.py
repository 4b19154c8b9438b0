"""Shared fixtures: workbooks are built in code, never read from checked-in files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from network_guard import no_network  # noqa: F401 - an autouse fixture: loopback only, no DNS

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

Rows = list[list[object]]


def write_workbook(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write ``{sheet name: rows}`` with real cell types: str → text, numbers, dates."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    date_format = workbook.add_format({"num_format": "yyyy/mm/dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, (dt.date, dt.datetime)):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write_number(r, c, value)
    workbook.close()
    return path


@pytest.fixture
def make_workbook(tmp_path: Path) -> Callable[..., Path]:
    """``make_workbook({"注文": rows}, name="shop.xlsx")`` → path of a real .xlsx."""

    def make(sheets: dict[str, Rows], name: str = "shop.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets)

    return make


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found (clone the project beside its shared/ folder)")
    return SHARED
