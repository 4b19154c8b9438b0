"""What openpyxl loses, we keep: a seller workbook with chart, text box, sparklines,
an x14 data bar, comments and an image comes back byte-identical around our tabs."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from test_package_support import CORPUS, integrity, make_rendered, parts, raw_entry, tiny_png

from sheetcrm.package import write_generated_sheets

EDITABLE = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "docProps/app.xml",
}


@pytest.fixture
def rich_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "shop.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("売上")
    for r in range(10):
        ws.write_row(r, 0, [f"item {r}", r * 3, r * 5, (r * 7) % 11])
    ws.add_sparkline("E1", {"range": "売上!B1:D1", "type": "column"})
    ws.conditional_format("B1:B10", {"type": "data_bar", "data_bar_2010": True})
    ws.write_comment("A1", "仕入れ先に確認")
    ws.insert_textbox("G2", "Seller's own note", {"width": 200, "height": 60})
    ws.insert_image("G8", "dot.png", {"image_data": io.BytesIO(tiny_png())})
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=売上!$B$1:$B$10"})
    ws.insert_chart("J2", chart)
    wb.close()
    return path


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_openpyxl_would_lose_data_here(rich_workbook: Path, tmp_path: Path) -> None:
    """The reason the engine exists: a plain openpyxl load+save drops seller content."""
    saved = tmp_path / "openpyxl.xlsx"
    openpyxl.load_workbook(rich_workbook).save(saved)
    before, after = parts(rich_workbook), parts(saved)
    assert any(name not in after or after[name] != data for name, data in before.items())


def test_rich_seller_parts_survive_byte_identical(rich_workbook: Path, tmp_path: Path) -> None:
    original = parts(rich_workbook)
    assert any("vmlDrawing" in n for n in original) and any("media/" in n for n in original)
    assert b"x14:dataBar" in original["xl/worksheets/sheet1.xml"]
    assert b"x14:sparklineGroup" in original["xl/worksheets/sheet1.xml"]
    rendered = make_rendered(tmp_path / "rendered.xlsx")

    result = write_generated_sheets(rich_workbook, rendered, ["customers", "summary"])

    assert [r.title for r in result.added] == ["Customers", "Summary"]
    after = parts(rich_workbook)
    for name, data in original.items():
        if name in EDITABLE:
            continue
        assert after[name] == data, name
        assert raw_entry(rich_workbook, name) == raw_entry(result.backup, name), name
    assert integrity(rich_workbook) == (set(), set())
    # Our own drawing and chart were numbered after the seller's, not over them.
    added = set(after) - set(original)
    assert "xl/drawings/drawing2.xml" in added and "xl/charts/chart2.xml" in added


def test_x14_and_mc_content_of_workbook_xml_is_kept(tmp_path: Path) -> None:
    """Edits to workbook.xml are splices: extLst, mc:AlternateContent and calcPr stay."""
    source = CORPUS / "pivots.xlsx"
    if not source.exists():
        pytest.skip("../shared/corpus not found")
    workbook = tmp_path / "pivots.xlsx"
    workbook.write_bytes(source.read_bytes())
    rendered = make_rendered(tmp_path / "rendered.xlsx")
    write_generated_sheets(workbook, rendered, ["customers", "summary"])
    before = parts(source)["xl/workbook.xml"].decode()
    after = parts(workbook)["xl/workbook.xml"].decode()
    sheets_end = before.index("</sheets>")
    assert after.startswith(before[:sheets_end])  # declaration, namespaces, views, tabs
    assert after.endswith(before[before.index("<calcPr") :])  # calcPr, pivotCaches, extLst
