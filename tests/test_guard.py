"""The guard lets every real workbook through, and measures sheets the way calamine reads them."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import fastexcel
import pytest
from hostile_packages import MAIN_NS, cell, package, sheet
from hypothesis import given, settings
from hypothesis import strategies as st
from test_package_support import CORPUS

from sheetcrm.errors import AbsurdDimensions, DamagedWorkbook
from sheetcrm.guard import Inspection, inspect_bytes, inspect_workbook
from sheetcrm.guard_cells import _columns_up_to, column_letters, column_number

SHEET = "xl/worksheets/sheet1.xml"
#: Corpus files that are not clean packages, and why.
NOT_CLEAN = {
    "issue252.xlsx": DamagedWorkbook,  # a part fails its CRC (see test_package_corpus)
}


def _corpus(*suffixes: str) -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix in suffixes)


@pytest.mark.parametrize("path", _corpus(".xlsx", ".xlsm", ".xlsb", ".ods"), ids=lambda p: p.name)
def test_every_corpus_workbook_passes(path: Path) -> None:
    if path.read_bytes()[:4] != b"PK\x03\x04":
        pytest.skip("an encrypted (CFB) workbook: see test_crypto")
    if path.name in NOT_CLEAN:
        with pytest.raises(NOT_CLEAN[path.name]):
            inspect_workbook(path)
        return
    stats = Inspection()
    assert inspect_workbook(path, stats=stats) is stats
    with zipfile.ZipFile(path) as archive:
        files = [i for i in archive.infolist() if not i.is_dir()]
    assert stats.parts == len(files)  # every part streamed, once…
    total = sum(i.file_size for i in files)
    if stats.exact_scans == 0:
        assert stats.inflated == total
    else:  # …and a sheet the fast gear was unsure of, twice
        assert total < stats.inflated <= 2 * total


def test_xlsxwriter_workbook_passes_in_the_fast_gear(make_workbook) -> None:
    rows = [["顧客ID", "氏名", "メール"]] + [
        [f"C{i}", "山田", f"u{i}@example.jp"] for i in range(2000)
    ]
    path = make_workbook({"顧客": rows, "注文": [["注文日", "金額"], ["2024/1/5", 1200]]})
    stats = Inspection()
    inspect_workbook(path, stats=stats)
    assert stats.sheets == ["顧客", "注文"] and stats.exact_scans == 0


def test_openpyxl_workbook_passes(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["氏名", "メール"])
    book.active.append(["山田", "taro@example.jp"])
    path = tmp_path / "shop.xlsx"
    book.save(path)
    assert inspect_workbook(path) is not None


@pytest.mark.parametrize(
    "stray",
    [
        '<c r="XFD1048576" s="0"/>',
        '<c r="XFD1048576" s="0"></c>',
        '<c r="XFD1048576"><v></v></c>',
        '<c r="XFD1048576"><f>1+1</f></c>',
    ],
    ids=["styled", "open-close", "empty value", "formula only"],
)
def test_a_blank_cell_far_away_is_harmless_and_passes(tmp_path: Path, stray: str) -> None:
    path = tmp_path / "shop.xlsx"
    path.write_bytes(
        package({SHEET: sheet(f'<row r="1">{cell("A1")}</row><row r="1048576">{stray}</row>')})
    )
    stats = Inspection()
    inspect_workbook(path, stats=stats)
    assert stats.exact_scans == 1  # the far cell made the fast gear unsure
    loaded = fastexcel.read_excel(path).load_sheet(0, header_row=None).to_arrow()
    assert loaded.num_rows == 1  # calamine skips it too: no giant grid


def test_a_wide_real_sheet_passes_through_the_exact_gear(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{r}">'
        + "".join(cell(f"{column_letters(c)}{r}") for c in range(1, 201))
        + "</row>"
        for r in range(1, 301)
    )
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package({SHEET: sheet(rows, dimension="A1:GR300")}))
    stats = Inspection()
    inspect_workbook(path, stats=stats)
    assert stats.exact_scans == 1


def test_cells_without_references_are_placed_like_calamine_does(tmp_path: Path) -> None:
    rows = "<row>" + "<c><v>1</v></c>" * 3 + "</row>" * 1 + "<row><c><v>2</v></c></row>"
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package({SHEET: sheet(rows)}))
    inspect_workbook(path)
    frame = fastexcel.read_excel(path).load_sheet(0, header_row=None).to_arrow()
    assert (frame.num_rows, frame.num_columns) == (2, 3)


def test_rows_out_of_order_are_measured_by_their_extremes(tmp_path: Path) -> None:
    rows = f'<row r="5">{cell("C5")}</row><row r="2">{cell("B2")}</row>'
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package({SHEET: sheet(rows)}))
    assert inspect_workbook(path) is not None


def test_the_verdict_is_cached_per_file_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package())
    first, again = Inspection(), Inspection()
    inspect_workbook(path, stats=first)
    inspect_workbook(path, stats=again)
    assert first.parts == 5 and again.parts == 0
    path.write_bytes(package({SHEET: sheet(f'<row r="1048576">{cell("XFE1048576")}</row>')}))
    with pytest.raises(AbsurdDimensions):
        inspect_workbook(path)


def test_a_workbook_in_memory_is_inspected_the_same() -> None:
    assert inspect_bytes(package(), "shop.xlsx").sheets == ["注文"]
    with pytest.raises(AbsurdDimensions):
        inspect_bytes(package({SHEET: sheet(f'<row r="1">{cell("XFE1")}</row>')}), "shop.xlsx")


def test_an_xlsb_with_values_at_both_corners_is_refused(tmp_path: Path) -> None:
    source = CORPUS / "any_sheets.xlsb"
    if not source.exists():
        pytest.skip("../shared/corpus not found")
    with zipfile.ZipFile(source) as archive:
        data = bytearray(archive.read("xl/worksheets/sheet1.bin"))
        row_at = cell_at = None
        for kind, start in _xlsb_records(bytes(data)):
            if kind == 0:
                row_at = start
            elif kind == 7:
                cell_at = start
        struct.pack_into("<I", data, row_at, 1_048_575)
        struct.pack_into("<I", data, cell_at, 16_383)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for info in archive.infolist():
                body = (
                    bytes(data)
                    if info.filename == "xl/worksheets/sheet1.bin"
                    else archive.read(info)
                )
                copy.writestr(info.filename, body)
    path = tmp_path / "shop.xlsb"
    path.write_bytes(out.getvalue())
    with pytest.raises(AbsurdDimensions, match="XFD1048576"):
        inspect_workbook(path)


def _xlsb_records(data: bytes):
    pos = 0
    while pos < len(data):
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, pos
        pos += size


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=702), st.integers(min_value=1, max_value=16_384))
def test_the_fast_gear_pattern_accepts_exactly_the_narrow_columns(limit: int, column: int) -> None:
    pattern = re.compile(_columns_up_to(limit) + rb"\Z")
    letters = column_letters(column).encode()
    assert bool(pattern.match(letters)) == (column <= limit)


@given(st.integers(min_value=1, max_value=16_384))
def test_column_letters_round_trip(column: int) -> None:
    assert column_number(column_letters(column)) == column


def test_a_worksheet_in_utf16_is_measured_too(tmp_path: Path) -> None:
    text = sheet(f'<row r="1">{cell("A1")}</row><row r="1048576">{cell("XFD1048576")}</row>')
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package({SHEET: text.encode("utf-16")}))
    with pytest.raises(AbsurdDimensions):
        inspect_workbook(path)


def test_a_sheet_listed_by_content_type_only_is_still_measured(tmp_path: Path) -> None:
    far = sheet(f'<row r="1">{cell("A1")}</row><row r="1048576">{cell("XFD1048576")}</row>')
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package({"xl/worksheets/hidden.xml": far}))
    with pytest.raises(AbsurdDimensions):
        inspect_workbook(path)
    assert MAIN_NS in far
