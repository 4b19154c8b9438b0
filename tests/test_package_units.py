"""The engine's pure pieces: markers, formulas, titles, styles merge, XML splicing, zip writing."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.package.appprops import update_titles
from sheetcrm.package.formula import quote_title, retitle, sheet_of
from sheetcrm.package.marker import code_name_for, find_marked, key_of, name_for
from sheetcrm.package.names import NameSpec, plan_names
from sheetcrm.package.plan import plan_sheets, unique_title
from sheetcrm.package.sheetstream import (
    SharedStringsInGeneratedSheet,
    SheetRewrite,
    rewrite_sheet,
)
from sheetcrm.package.styles import merge_styles
from sheetcrm.package.xmlspan import Splicer, XMLError, parse
from sheetcrm.package.zipio import ZipWriter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@given(st.text(min_size=1, max_size=40))
def test_marker_name_carries_any_key(key: str) -> None:
    name = name_for(key)
    assert key_of(name) == key
    assert re.fullmatch(r"_sheetcrm\.[a-z0-9_.]+", name)


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_distinct_keys_give_names_distinct_for_excel(a: str, b: str) -> None:
    if a != b:
        assert name_for(a).lower() != name_for(b).lower()


def test_code_name_is_a_valid_vba_identifier() -> None:
    code = code_name_for("segment:champions")
    assert re.fullmatch(r"[A-Za-z]\w{0,30}", code)


def test_marker_is_a_workbook_scoped_name_vetoed_by_another_code_name() -> None:
    titles = ["Orders", "Customers", "Customers (2)"]
    code_names = {1: code_name_for("customers"), 2: "sheetcrm_customers1"}
    names = [
        ("_sheetcrm.customers", None, "'Customers'!$A$1"),
        ("_sheetcrm.customers", 2, "'Customers (2)'!$A$1"),  # Excel's copy: sheet-scoped
        ("_sheetcrm.summary", None, "#REF!$A$1"),  # our tab was deleted
    ]
    assert find_marked(names, titles, code_names.get) == {"customers": 1}
    # LibreOffice drops code names: the name alone is enough then.
    assert find_marked(names, titles, {}.get) == {"customers": 1}
    # A tab with another code name is never ours, whatever points at it.
    assert find_marked(names, titles, {1: "Sheet2"}.get) == {}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("SUM(Customers!B2:B6)", "SUM('顧客 (2)'!B2:B6)"),
        ("'Customers'!$A$1", "'顧客 (2)'!$A$1"),
        ('"Customers!A1"&Customers!A1', "\"Customers!A1\"&'顧客 (2)'!A1"),
        ("MyCustomers!A1+[1]Customers!A1", "MyCustomers!A1+[1]Customers!A1"),
        ("customers!A1", "'顧客 (2)'!A1"),
    ],
)
def test_retitle_rewrites_only_sheet_references(formula: str, expected: str) -> None:
    assert retitle(formula, {"Customers": "顧客 (2)"}) == expected


@given(st.text(min_size=1, max_size=31).filter(lambda t: not set(t) & set("[]:*?/\\")))
def test_quoted_titles_read_back(title: str) -> None:
    assert sheet_of(f"{quote_title(title)}!$A$1") == title


def test_unique_title_suffixes_and_truncates() -> None:
    taken = {"customers", "顧客一覧"}
    assert unique_title("Customers", taken) == "Customers (2)"
    assert unique_title("顧客一覧", taken) == "顧客一覧 (2)"
    long = "x" * 31
    assert unique_title(long, {long}) == "x" * 27 + " (2)"
    assert unique_title("ＣＵＳＴＯＭＥＲＳ", taken) == "ＣＵＳＴＯＭＥＲＳ (2)"


def test_plan_replaces_in_place_appends_and_removes() -> None:
    plan = plan_sheets(
        ["Kunden", "Orders", "Old", "Summary"],
        {"customers": 0, "old": 2, "summary": 3},
        ["Customers", "Summary", "New"],
        ["customers", "summary", "new"],
    )
    assert [(p.key, p.title, p.position, p.existing) for p in plan.placements] == [
        ("customers", "Kunden", 0, 0),
        ("summary", "Summary", 2, 3),
        ("new", "New", 3, None),
    ]
    assert plan.removed == (("old", 2),)
    assert plan.new_index == {0: 0, 1: 1, 3: 2}


SELLER_STYLES = "\n".join(
    [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<x:styleSheet xmlns:x="{MAIN}" xmlns:mc="http://schemas.openxmlformats.org/'
        'markup-compatibility/2006">',
        '  <x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="0.000"/></x:numFmts>',
        '  <x:fonts count="1"><x:font><x:sz val="11"/><x:name val="游ゴシック"/></x:font>'
        "</x:fonts>",
        '  <x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill>'
        '<x:fill><x:patternFill patternType="gray125"/></x:fill></x:fills>',
        '  <x:borders count="1"><x:border><x:left/><x:right/><x:top/><x:bottom/><x:diagonal/>'
        "</x:border></x:borders>",
        '  <x:cellStyleXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</x:cellStyleXfs>",
        '  <x:cellXfs count="2"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<x:xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        "</x:cellXfs>",
        '  <x:cellStyles count="1"><x:cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</x:cellStyles>",
        '  <x:extLst><x:ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}"/></x:extLst>',
        "</x:styleSheet>",
    ]
)

RENDERED_STYLES = "".join(
    [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<styleSheet xmlns="{MAIN}">',
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="¥#,##0"/></numFmts>',
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>',
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>',
        '<fills count="2"><fill><patternFill patternType="none"/></fill>',
        '<fill><patternFill patternType="gray125"/></fill></fills>',
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>',
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
        "</cellStyleXfs>",
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
        "</cellXfs>",
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
        '<dxfs count="2"><dxf><font><color rgb="FF9C0006"/></font></dxf>',
        '<dxf><numFmt numFmtId="165" formatCode="0.0%"/></dxf></dxfs>',
        '<tableStyles count="0"/></styleSheet>',
    ]
)


def test_styles_merge_appends_keeps_indices_and_does_not_grow_on_rerun() -> None:
    seller = SELLER_STYLES.encode()
    first = merge_styles(seller, RENDERED_STYLES.encode())
    text = first.data.decode()
    # Existing entries untouched, new ones appended with the seller's prefix.
    assert text.startswith(SELLER_STYLES[: SELLER_STYLES.index("<x:numFmts")])
    assert '<x:numFmt numFmtId="164" formatCode="0.000"/><x:numFmt numFmtId="165"' in text
    assert '<x:fonts count="3">' in text and '<x:cellXfs count="5">' in text
    assert first.xf == (2, 3, 4)
    # The seller had no <dxfs>: it is created after cellStyles, before extLst.
    assert text.index("<x:cellStyles") < text.index('<x:dxfs count="2">') < text.index("<x:extLst")
    assert first.dxf == (0, 1)
    # A format inside a differential style gets a free id, not declared among numFmts.
    assert '<x:dxf><x:numFmt numFmtId="166" formatCode="0.0%"/></x:dxf>' in text
    assert text.count("<x:numFmt ") == 3
    second = merge_styles(first.data, RENDERED_STYLES.encode())
    assert second.data is None and second.xf == first.xf and second.dxf == first.dxf
    parse(text)  # still well-formed


def test_styles_merge_reuses_identical_seller_entries() -> None:
    rendered = RENDERED_STYLES.encode()
    merged = merge_styles(rendered, rendered)
    assert merged.data is None and merged.xf == (0, 1, 2) and merged.dxf == (0, 1)


def test_app_properties_follow_the_localised_worksheet_group() -> None:
    app = (
        '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
        'officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/'
        'officeDocument/2006/docPropsVTypes"><HeadingPairs><vt:vector size="4" baseType="variant">'
        "<vt:variant><vt:lpstr>ワークシート</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4>"
        "</vt:variant><vt:variant><vt:lpstr>名前付き一覧</vt:lpstr></vt:variant><vt:variant>"
        "<vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>"
        '<vt:vector size="3" baseType="lpstr"><vt:lpstr>売上</vt:lpstr><vt:lpstr>顧客</vt:lpstr>'
        "<vt:lpstr>合計</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
    )
    new = update_titles(app.encode(), ["売上", "顧客"], ["売上", "顧客", "Customers"]).decode()
    assert "<vt:i4>3</vt:i4>" in new and '<vt:vector size="4" baseType="lpstr">' in new
    assert "<vt:lpstr>顧客</vt:lpstr><vt:lpstr>Customers</vt:lpstr><vt:lpstr>合計</vt:lpstr>" in new
    assert update_titles(app.encode(), ["Other"], ["Other", "X"]) is None


def test_splicer_keeps_everything_it_does_not_touch() -> None:
    text = '<?xml version="1.0"?>\n<a xmlns="urn:x"  q = "1" ><!-- keep --><b x="1"/><c/></a>'
    doc = parse(text)
    b, c = doc.root.children
    edits = Splicer()
    edits.set_attr(b, "x", "2&3")
    edits.set_attr(c, "y", "<")
    edits.append_child(c, "<d/>")
    assert edits.apply(text) == (
        '<?xml version="1.0"?>\n<a xmlns="urn:x"  q = "1" ><!-- keep -->'
        '<b x="2&amp;3"/><c y="&lt;"><d/></c></a>'
    )


@pytest.mark.parametrize(
    "evil",
    [
        '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
        '<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>',
        "<a><b></a>",
    ],
)
def test_unsafe_or_broken_xml_is_rejected(evil: str) -> None:
    with pytest.raises(XMLError):
        parse(evil)


def test_zip_writer_copies_raw_entries_and_streams_new_ones() -> None:
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/stored.bin", b"\x00" * 100, compress_type=zipfile.ZIP_STORED)
        z.writestr("xl/日本語.xml", "<a>データ</a>")
    out = io.BytesIO()
    with zipfile.ZipFile(source) as z:
        writer = ZipWriter(out)
        for info in z.infolist():
            source.seek(info.header_offset)
            header = source.read(30)
            start = info.header_offset + 30 + int.from_bytes(header[26:28], "little")
            start += int.from_bytes(header[28:30], "little")
            source.seek(start)
            writer.copy_raw(info, [source.read(info.compress_size)])
        writer.write_stream("xl/new.xml", iter([b"<x>", b"y" * 100_000, b"</x>"]))
        writer.close(b"comment")
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert z.namelist() == [
            "[Content_Types].xml",
            "xl/stored.bin",
            "xl/日本語.xml",
            "xl/new.xml",
        ]
        assert z.read("xl/日本語.xml").decode() == "<a>データ</a>"
        assert z.getinfo("xl/stored.bin").compress_type == zipfile.ZIP_STORED
        assert len(z.read("xl/new.xml")) == 100_007
        assert z.comment == b"comment"


SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheetPr><tabColor rgb="FFFF9900"/></sheetPr><dimension ref="A1:B3"/>'
    b'<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
    b'<cols><col min="1" max="1" width="9" style="2" customWidth="1"/></cols><sheetData>'
    b'<row r="1" s="1" customFormat="1"><c r="A1" s="1" t="inlineStr"><is><t>s="1" &lt;x&gt;'
    b'</t></is></c><c r="B1" s="2"><f>SUM(Customers!B2:B3)&amp;"Customers!"</f><v>0</v></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>b</t></is></c></row>'
    b'</sheetData><conditionalFormatting sqref="B2:B3"><cfRule type="cellIs" dxfId="0" '
    b'priority="1" operator="greaterThan"><formula>Customers!$B$2</formula></cfRule>'
    b'</conditionalFormatting><hyperlinks><hyperlink ref="A2" location="Customers!A1"/>'
    b"</hyperlinks></worksheet>"
)


def _rewrite(sheet: bytes, size: int, **kwargs) -> bytes:
    chunks = [sheet[i : i + size] for i in range(0, len(sheet), size)]
    options = {"xf": (0, 7, 9), "dxf": (4,), "code_name": "sheetcrm_abc"} | kwargs
    return b"".join(rewrite_sheet(iter(chunks), SheetRewrite(**options)))


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1 << 20])
def test_sheet_stream_rewrites_styles_names_and_views_whatever_the_chunking(
    chunk_size: int,
) -> None:
    out = _rewrite(SHEET, chunk_size, titles={"Customers": "顧客 (2)"}).decode()
    assert '<sheetPr codeName="sheetcrm_abc"><tabColor' in out
    assert "tabSelected" not in out
    assert '<col min="1" max="1" width="9" style="9" customWidth="1"/>' in out
    assert '<row r="1" s="7" customFormat="1"><c r="A1" s="7" t="inlineStr">' in out
    assert '<t>s="1" &lt;x&gt;</t>' in out  # text that looks like an attribute is left alone
    assert "<f>SUM('顧客 (2)'!B2:B3)&amp;\"Customers!\"</f>" in out
    assert 'dxfId="4"' in out and "<formula>'顧客 (2)'!$B$2</formula>" in out
    assert "location=\"'顧客 (2)'!A1\"" in out
    assert out == _rewrite(SHEET, 1 << 20, titles={"Customers": "顧客 (2)"}).decode()


def test_sheet_stream_adds_sheet_pr_and_refuses_shared_strings() -> None:
    plain = SHEET.replace(b'<sheetPr><tabColor rgb="FFFF9900"/></sheetPr>', b"")
    out = _rewrite(plain, 5, strict=True).decode()
    assert '<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"' in out
    assert '<sheetPr codeName="sheetcrm_abc"/><dimension' in out
    shared = SHEET.replace(
        b'<c r="A2" t="inlineStr"><is><t>b</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>'
    )
    with pytest.raises(SharedStringsInGeneratedSheet):
        _rewrite(shared, 64)
    with pytest.raises(ValueError, match="undefined cell style"):
        _rewrite(SHEET, 64, xf=(0, 1))


def test_names_plan_reindexes_drops_and_lets_the_rendering_win() -> None:
    plan = plan_sheets(
        ["Customers", "Old", "Orders"],
        {"customers": 0, "old": 1},
        ["Customers", "New", "Newer"],
        ["customers", "new", "newer"],
    )
    existing = [
        ("Total", None),  # the seller's, workbook-scoped
        ("_sheetcrm.customers", None),  # our old marker: written afresh
        ("_xlnm._FilterDatabase", 0),  # the replaced tab's old autofilter
        ("_xlnm.Print_Area", 0),  # the seller's print area on our tab: kept
        ("_xlnm.Print_Area", 2),  # on "Orders", which moves from 2 to 1
        ("Local", 1),  # scoped to the removed tab
        ("_xlnm._FilterDatabase", 3),  # dangling in the original; "Newer" lands at 3
    ]
    rendered = [
        NameSpec("_xlnm._FilterDatabase", 0, "Customers!$A$1:$C$9", (("hidden", "1"),)),
        NameSpec("_xlnm._FilterDatabase", 2, "Newer!$A$1:$B$2", (("hidden", "1"),)),
    ]
    names = plan_names(existing, plan, rendered, {})
    assert names.drop == {1, 2, 5, 6}
    assert names.reindex == {4: 1}
    assert [(n.name, n.local_sheet_id) for n in names.append] == [
        ("_xlnm._FilterDatabase", 0),
        ("_xlnm._FilterDatabase", 3),
        ("_sheetcrm.customers", None),
        ("_sheetcrm.new", None),
        ("_sheetcrm.newer", None),
    ]
    with pytest.raises(ValueError, match="sheet-scoped"):
        plan_names(existing, plan, [NameSpec("Global", None, "1")], {})
