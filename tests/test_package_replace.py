"""Refreshing our tabs: replaced in place, appended, removed — and the seller's never touched.

Between runs the tests edit the package the way Excel does when the seller moves,
renames or copies tabs, then check that the next refresh finds our tabs anyway.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from test_package_support import (
    WRITER_OPTIONS,
    edit_package,
    integrity,
    make_rendered,
    make_seller,
    parts,
    tiny_png,
)

from sheetcrm.package import generated_sheets, write_generated_sheets
from sheetcrm.package.marker import code_name_for

KEYS = ["customers", "summary"]
NEW_ROWS = [("Dan", 10, 1), ("Eve", 20, 2)]


def _tabs(path: Path) -> list[str]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names


def _rows(path: Path, title: str) -> list[list]:
    return (
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()
    )


def _workbook_xml(path: Path) -> str:
    return parts(path)["xl/workbook.xml"].decode()


def _move_and_rename(xml: bytes, old: str, new: str) -> bytes:
    """What Excel writes after the seller drags tab ``old`` to the front and renames it."""
    text = xml.decode()
    sheets = re.findall(r"<sheet [^>]*/>", text)
    ours = next(s for s in sheets if f'name="{old}"' in s)
    index = sheets.index(ours)
    reordered = [ours.replace(f'name="{old}"', f'name="{new}"')] + [s for s in sheets if s != ours]
    text = text.replace("".join(sheets), "".join(reordered))

    def shift(m: re.Match[str]) -> str:
        local = int(m.group(1))
        moved = 0 if local == index else local + 1 if local < index else local
        return f'localSheetId="{moved}"'

    text = re.sub(r'localSheetId="(\d+)"', shift, text)
    text = text.replace(f"'{old}'!", f"'{new}'!").replace(f">{old}!", f">'{new}'!")
    return text.encode()


def test_refresh_finds_our_tab_after_excel_moved_and_renamed_it(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    seller_parts = parts(book)
    write_generated_sheets(book, make_rendered(tmp_path / "r1.xlsx"), KEYS)
    assert _tabs(book) == ["Orders", "Notes", "Customers", "Summary"]

    # The seller drags "Customers" to the front and renames it; Excel also renumbers parts.
    moved = tmp_path / "moved.xlsx"
    edit_package(
        book,
        moved,
        {
            "xl/workbook.xml": lambda x: _move_and_rename(x, "Customers", "顧客リスト"),
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"sheet3.xml", b"sheet9.xml"),
            "[Content_Types].xml": lambda x: x.replace(b"sheet3.xml", b"sheet9.xml"),
        },
        renames={
            "xl/worksheets/sheet3.xml": "xl/worksheets/sheet9.xml",
            "xl/worksheets/_rels/sheet3.xml.rels": "xl/worksheets/_rels/sheet9.xml.rels",
        },
    )
    assert generated_sheets(moved) == {"顧客リスト": "customers", "Summary": "summary"}

    result = write_generated_sheets(moved, make_rendered(tmp_path / "r2.xlsx", rows=NEW_ROWS), KEYS)

    assert [(r.key, r.title) for r in result.replaced] == [
        ("customers", "顧客リスト"),
        ("summary", "Summary"),
    ]
    assert not result.added and not result.removed
    assert _tabs(moved) == ["顧客リスト", "Orders", "Notes", "Summary"]
    assert [r[0] for r in _rows(moved, "顧客リスト")[1:]] == ["Dan", "Eve"]
    after = parts(moved)
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"):
        assert after[name] == seller_parts[name]
    assert "xl/worksheets/sheet9.xml" in after and "xl/worksheets/sheet3.xml" not in after
    # The chart, the autofilter range and the summary formula follow the seller's title.
    assert (
        b"'\xe9\xa1\xa7\xe5\xae\xa2\xe3\x83\xaa\xe3\x82\xb9\xe3\x83\x88'!$B$2"
        in after["xl/charts/chart1.xml"]
    )
    assert "SUM('顧客リスト'!B2:B3)" in after["xl/worksheets/sheet4.xml"].decode()
    xml = _workbook_xml(moved)
    assert '<definedName name="_xlnm._FilterDatabase" localSheetId="0"' in xml
    assert xml.count("_xlnm._FilterDatabase") == 1
    assert [n for n in after if "chart" in n or "drawing" in n] == [
        "xl/drawings/drawing1.xml",
        "xl/drawings/_rels/drawing1.xml.rels",
        "xl/charts/chart1.xml",
    ]
    assert integrity(moved) == (set(), set())


def test_seller_tabs_titled_like_ours_are_never_replaced_or_removed(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx", ("Customers", "顧客一覧"))
    seller_parts = parts(book)
    rendered = make_rendered(tmp_path / "r.xlsx", ("顧客一覧", "Customers"))

    first = write_generated_sheets(book, rendered, KEYS)
    assert [r.title for r in first.added] == ["顧客一覧 (2)", "Customers (2)"]
    second = write_generated_sheets(book, rendered, KEYS)
    assert [r.title for r in second.replaced] == ["顧客一覧 (2)", "Customers (2)"]

    only_summary = make_rendered(tmp_path / "r2.xlsx", ("Customers",), chart=False)
    third = write_generated_sheets(book, only_summary, ["summary"])
    assert [(r.key, r.title) for r in third.removed] == [("customers", "顧客一覧 (2)")]
    assert _tabs(book) == ["Customers", "顧客一覧", "Customers (2)"]
    after = parts(book)
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert after[name] == seller_parts[name]


def test_long_titles_get_their_suffix_within_31_characters(tmp_path: Path) -> None:
    long_title = "Customers by lifetime value tier"[:31]
    book = make_seller(tmp_path / "shop.xlsx", (long_title,))
    result = write_generated_sheets(
        book, make_rendered(tmp_path / "r.xlsx", (long_title, "Summary")), KEYS
    )
    title = result.added[0].title
    assert len(title) <= 31 and title.endswith(" (2)")


def test_removing_a_key_removes_its_tab_chart_and_names_cleanly(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    original = parts(book)
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)
    summary_only = make_rendered(tmp_path / "r2.xlsx", ("Summary",), chart=False)

    result = write_generated_sheets(book, summary_only, ["summary"])

    assert [(r.key, r.title) for r in result.removed] == [("customers", "Customers")]
    assert _tabs(book) == ["Orders", "Notes", "Summary"]
    after = parts(book)
    assert not [n for n in after if "drawing" in n or "chart" in n]
    content_types = after["[Content_Types].xml"].decode()
    assert "drawing" not in content_types and "chart" not in content_types
    xml = _workbook_xml(book)
    assert "_sheetcrm.customers" not in xml and "_sheetcrm.summary" in xml
    # Only the new Summary's autofilter range is left, at Summary's new position.
    assert re.findall(r'_FilterDatabase" localSheetId="(\d)"', xml) == ["2"]
    editable = {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "docProps/app.xml",
    }
    for name, data in original.items():
        assert name in editable or after[name] == data, name
    assert integrity(book) == (set(), set())
    assert generated_sheets(book) == {"Summary": "summary"}


def test_a_copy_of_our_tab_belongs_to_the_seller(tmp_path: Path) -> None:
    """Excel copies sheet-scoped names and gives the copy a new code name: not ours."""
    book = make_seller(tmp_path / "shop.xlsx")
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)
    ours = parts(book)["xl/worksheets/sheet3.xml"]
    copy = ours.replace(code_name_for("customers").encode(), b"sheetcrm_customers1")

    def add_copy(xml: bytes) -> bytes:
        text = xml.decode().replace(
            "</sheets>", '<sheet name="Customers (2)" sheetId="99" r:id="rId99"/></sheets>'
        )
        return text.replace(
            "</definedNames>",
            '<definedName name="_sheetcrm.customers" localSheetId="4" hidden="1">'
            "'Customers (2)'!$A$1</definedName></definedNames>",
        ).encode()

    copied = tmp_path / "copied.xlsx"
    edit_package(
        book,
        copied,
        {
            "xl/workbook.xml": add_copy,
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(
                b"</Relationships>",
                b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/worksheet" Target="worksheets/sheet99.xml"/></Relationships>',
            ),
            "[Content_Types].xml": lambda x: x.replace(
                b"</Types>",
                b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            ),
        },
        extra={"xl/worksheets/sheet99.xml": copy},
    )
    assert generated_sheets(copied) == {"Customers": "customers", "Summary": "summary"}

    summary_only = make_rendered(tmp_path / "r2.xlsx", ("Summary",), chart=False)
    write_generated_sheets(copied, summary_only, ["summary"])

    assert _tabs(copied) == ["Orders", "Notes", "Summary", "Customers (2)"]
    assert parts(copied)["xl/worksheets/sheet99.xml"] == copy
    xml = _workbook_xml(copied)
    # The copy's sheet-scoped name is the seller's now: kept, and re-indexed (4 → 3).
    assert '<definedName name="_sheetcrm.customers" localSheetId="3" hidden="1">' in xml


def test_a_stale_marker_on_a_new_seller_tab_is_not_trusted(tmp_path: Path) -> None:
    """A tool deleted our tab without fixing names; a seller tab (with its own code name,
    as Excel gives every tab once macros exist) now has the title the marker names."""
    book = make_seller(tmp_path / "shop.xlsx", ("Orders",))
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx", ("Customers",)), ["customers"])
    other = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(str(other))
    ws = wb.add_worksheet("X")
    ws.set_vba_name("Sheet2")
    ws.write_string(0, 0, "the seller's own data")
    wb.close()
    seller_sheet = parts(other)["xl/worksheets/sheet1.xml"]
    swapped = tmp_path / "swapped.xlsx"
    edit_package(book, swapped, {"xl/worksheets/sheet2.xml": lambda _: seller_sheet})
    assert generated_sheets(swapped) == {}

    rendered = make_rendered(tmp_path / "r2.xlsx", ("Customers",))
    result = write_generated_sheets(swapped, rendered, ["customers"])

    assert [r.title for r in result.added] == ["Customers (2)"]
    assert parts(swapped)["xl/worksheets/sheet2.xml"] == seller_sheet


def test_names_views_and_hidden_tabs_follow_their_tabs(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx", ("Orders", "Notes", "Secret"))

    def seller_setup(xml: bytes) -> bytes:
        text = xml.decode()
        text = text.replace('name="Secret" sheetId="3"', 'name="Secret" sheetId="3" state="hidden"')
        text = re.sub(r"<workbookView ([^>]*)/>", r'<workbookView \1 activeTab="1"/>', text)
        names = (
            '<definedNames><definedName name="Total">Orders!$C$2</definedName>'
            '<definedName name="_xlnm.Print_Area" localSheetId="1">Notes!$A$1:$C$2</definedName>'
            "</definedNames>"
        )
        return text.replace("<calcPr", names + "<calcPr").encode()

    prepared = tmp_path / "prepared.xlsx"
    edit_package(book, prepared, {"xl/workbook.xml": seller_setup})
    write_generated_sheets(prepared, make_rendered(tmp_path / "r.xlsx"), KEYS)
    moved = tmp_path / "moved.xlsx"
    edit_package(
        prepared,
        moved,
        {"xl/workbook.xml": lambda x: _move_and_rename(x, "Customers", "Customers")},
    )
    moved_xml = _workbook_xml(moved).replace('activeTab="1"', 'activeTab="2"')
    edit_package(moved, moved, {"xl/workbook.xml": lambda _: moved_xml.encode()})
    assert '<definedName name="_xlnm.Print_Area" localSheetId="2">' in moved_xml

    write_generated_sheets(
        moved, make_rendered(tmp_path / "r2.xlsx", ("Summary",), chart=False), ["summary"]
    )

    xml = _workbook_xml(moved)
    assert _tabs(moved) == ["Orders", "Notes", "Secret", "Summary"]
    assert (
        '<definedName name="_xlnm.Print_Area" localSheetId="1">Notes!$A$1:$C$2</definedName>' in xml
    )
    assert '<definedName name="Total">Orders!$C$2</definedName>' in xml
    assert 'activeTab="1"' in xml  # still "Notes"
    assert 'name="Secret" sheetId="3" state="hidden"' in xml


def test_our_tabs_never_open_grouped_with_the_sellers(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)
    after = parts(book)
    assert b"tabSelected" in after["xl/worksheets/sheet1.xml"]
    assert b"tabSelected" not in after["xl/worksheets/sheet3.xml"]
    assert b"tabSelected" not in after["xl/worksheets/sheet4.xml"]


@pytest.mark.parametrize("lists_our_tab", [True, False])
def test_calc_chain_is_dropped_only_when_it_lists_a_replaced_tab(
    tmp_path: Path, lists_our_tab: bool
) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)
    sheet_id = 3 if lists_our_tab else 1
    chain = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<c r="B1" i="{sheet_id}"/></calcChain>'
    ).encode()
    saved = tmp_path / "saved.xlsx"
    edit_package(
        book,
        saved,
        {
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(
                b"</Relationships>",
                b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
            ),
            "[Content_Types].xml": lambda x: x.replace(
                b"</Types>",
                b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxml'
                b'formats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
            ),
        },
        extra={"xl/calcChain.xml": chain},
    )
    write_generated_sheets(saved, make_rendered(tmp_path / "r2.xlsx"), KEYS)
    after = parts(saved)
    assert ("xl/calcChain.xml" in after) is not lists_our_tab
    assert (b"calcChain" in after["xl/_rels/workbook.xml.rels"]) is not lists_our_tab
    assert integrity(saved) == (set(), set())


def test_active_tab_on_a_removed_tab_falls_back_to_its_neighbour(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)
    viewing = tmp_path / "viewing.xlsx"  # the seller last looked at "Customers" (index 2)
    edit_package(
        book,
        viewing,
        {
            "xl/workbook.xml": lambda x: re.sub(
                rb"<workbookView ", b'<workbookView activeTab="2" ', x
            )
        },
    )
    write_generated_sheets(
        viewing, make_rendered(tmp_path / "r2.xlsx", ("Summary",), chart=False), ["summary"]
    )
    assert 'activeTab="1"' in _workbook_xml(viewing)  # "Notes", the tab before it


def test_a_symlinked_workbook_is_rewritten_through_the_link(tmp_path: Path) -> None:
    real = make_seller(tmp_path / "real.xlsx")
    link = tmp_path / "shop.xlsx"
    link.symlink_to(real)
    result = write_generated_sheets(link, make_rendered(tmp_path / "r.xlsx"), KEYS)
    assert link.is_symlink() and result.path == real
    assert generated_sheets(link) == {"Customers": "customers", "Summary": "summary"}


def test_an_image_shared_by_two_generated_tabs_is_grafted_once(tmp_path: Path) -> None:
    rendered = tmp_path / "logo.xlsx"
    wb = xlsxwriter.Workbook(str(rendered), WRITER_OPTIONS)
    for title in ("Customers", "Summary"):
        ws = wb.add_worksheet(title)
        ws.write_string(0, 0, title)
        ws.insert_image("C3", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    wb.close()
    assert sum("media/" in n for n in parts(rendered)) == 1
    book = make_seller(tmp_path / "shop.xlsx")

    write_generated_sheets(book, rendered, KEYS)
    first = parts(book)
    write_generated_sheets(book, rendered, KEYS)

    assert sum("media/" in n for n in parts(book)) == 1
    assert parts(book) == first
    assert integrity(book) == (set(), set())


def test_kept_key_is_neither_replaced_nor_removed(tmp_path) -> None:
    """A tab of ours listed in ``keep`` (a settings tab the seller now owns) is left alone."""
    import xlsxwriter

    from sheetcrm.package import generated_sheets, write_generated_sheets

    def rendered(path, titles):
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        for title in titles:
            wb.add_worksheet(title).write_string(0, 0, f"{title} v{path.stem}")
        wb.close()
        return path

    seller = tmp_path / "shop.xlsx"
    wb = xlsxwriter.Workbook(str(seller))
    wb.add_worksheet("顧客").write_string(0, 0, "氏名")
    wb.close()
    write_generated_sheets(
        seller,
        rendered(tmp_path / "1.xlsx", ["Settings", "Summary"]),
        ["settings", "summary"],
        backup=False,
    )
    before = _sheet_xml(seller, "Settings")
    write_generated_sheets(
        seller,
        rendered(tmp_path / "2.xlsx", ["Summary"]),
        ["summary"],
        backup=False,
        keep=["settings"],
    )
    assert list(generated_sheets(seller).values()) == ["settings", "summary"]
    assert _sheet_xml(seller, "Settings") == before


def _sheet_xml(path, title):
    import openpyxl

    return [[c.value for c in row] for row in openpyxl.load_workbook(path)[title].iter_rows()]
