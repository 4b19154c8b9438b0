"""render_xlsx: the output model as a standalone .xlsx, checked with openpyxl and calamine."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheetcrm.output_model import Chart, Column, OutputWorkbook, SheetModel, Table
from sheetcrm.render_xlsx import render_xlsx

FORMULA_LOOKALIKES = [
    '=HYPERLINK("http://evil","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1",
    "-1+2",
    "+SUM(1)",
    "@cmd",
    "=1+1",
]


# -- helpers ----------------------------------------------------------------------------


def table(columns: list[tuple[str, str, str]], rows: dict[str, list], **options) -> Table:
    """A Table from ``(key, title, kind)`` triples and column lists."""
    return Table(
        columns=tuple(Column(key, title, kind) for key, title, kind in columns),
        rows=pd.DataFrame(rows),
        **options,
    )


def sheet(title: str, *tables: Table, key: str | None = None, **options) -> SheetModel:
    return SheetModel(key=key or title, title=title, tables=tables, **options)


def render(tmp_path: Path, *sheets: SheetModel, lang: str = "ja") -> Path:
    path = tmp_path / "out.xlsx"
    render_xlsx(OutputWorkbook(lang=lang, sheets=sheets), path)
    return path


def part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def sheet_xml(path: Path, number: int = 1) -> str:
    return part(path, f"xl/worksheets/sheet{number}.xml")


def calamine_rows(path: Path, title: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


@pytest.fixture
def customers() -> Table:
    return table(
        [
            ("name", "顧客名", "text"),
            ("orders", "購入回数", "integer"),
            ("spend", "累計金額", "money"),
            ("avg", "平均", "number"),
            ("share", "構成比", "percent"),
            ("last", "最終購入日", "date"),
            ("days", "経過日数", "days"),
        ],
        {
            "name": ["山田太郎", "Bob Smith", "佐藤花子"],
            "orders": [12, 3, 1],
            "spend": [125000, 4800, -300],
            "avg": [10416.67, 1600.0, 300.0],
            "share": [0.25, 0.5, 0.125],
            "last": pd.to_datetime(["2024-03-01", "2023-12-24", "2022-01-05"]),
            "days": [30, 98, 816],
        },
        caption="顧客一覧",
        recency_column="days",
    )


# -- sheets, headers, captions -------------------------------------------------------------


def test_sheets_are_written_in_order_with_their_titles(tmp_path, customers):
    titles = ["サマリー", "Customers", "VIP 顧客", "Issues"]
    path = render(tmp_path, *(sheet(title, customers) for title in titles))

    assert openpyxl.load_workbook(path).sheetnames == titles
    assert CalamineWorkbook.from_path(str(path)).sheet_names == titles


def test_header_row_is_bold_white_on_teal(tmp_path, customers):
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", customers))).active

    header = [cell for cell in ws[2]]
    assert [cell.value for cell in header] == [c.title for c in customers.columns]
    for cell in header:
        assert cell.data_type == "s"
        assert cell.font.b
        assert cell.font.color.rgb == "FFFFFFFF"
        assert cell.fill.fgColor.rgb == "FF1F6F78"
        assert cell.alignment.wrap_text
        assert cell.border.bottom.style == "thin"


def test_caption_is_a_bold_larger_line_above_the_header(tmp_path, customers):
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", customers))).active

    assert ws["A1"].value == "顧客一覧"
    assert ws["A1"].font.b
    assert ws["A1"].font.sz > 11
    assert ws["A2"].value == "顧客名"


def test_tables_stack_down_with_one_blank_row_between(tmp_path, customers):
    second = table([("k", "Key", "text")], {"k": ["a", "b"]})
    third = table([("k", "Key", "text")], {"k": ["c"]}, caption="Third")
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", customers, second, third))).active

    column_a = [ws.cell(row, 1).value for row in range(1, 13)]
    assert column_a == [
        "顧客一覧", "顧客名", "山田太郎", "Bob Smith", "佐藤花子",
        None,
        "Key", "a", "b",
        None,
        "Third", "Key",
    ]  # fmt: skip
    assert ws["A13"].value == "c"


def test_empty_table_still_gets_its_header_row(tmp_path):
    empty = table(
        [("name", "顧客名", "text"), ("spend", "金額", "money")],
        {"name": pd.Series([], dtype=object), "spend": pd.Series([], dtype=float)},
    )
    path = render(tmp_path, sheet("Empty", empty))
    ws = openpyxl.load_workbook(path).active

    assert [cell.value for cell in ws[1]] == ["顧客名", "金額"]
    assert ws.max_row == 1
    assert ws.auto_filter.ref is None
    assert calamine_rows(path, "Empty") == [["顧客名", "金額"]]


def test_sheet_without_tables_is_an_empty_tab(tmp_path):
    path = render(tmp_path, sheet("Nothing yet"))
    assert openpyxl.load_workbook(path).sheetnames == ["Nothing yet"]


# -- values and number formats ---------------------------------------------------------------


def test_each_kind_gets_its_number_format(tmp_path, customers):
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", customers))).active

    row = {cell.column_letter: cell for cell in ws[3]}
    assert (row["A"].value, row["A"].data_type) == ("山田太郎", "s")
    assert (row["B"].value, row["B"].number_format) == (12, "#,##0")
    assert (row["C"].value, row["C"].number_format) == (125000, "¥#,##0;-¥#,##0")
    assert (row["D"].value, row["D"].number_format) == (10416.67, "#,##0.00")
    assert (row["E"].value, row["E"].number_format) == (0.25, "0.0%")
    assert (row["G"].value, row["G"].number_format) == (30, "#,##0")
    assert ws["C5"].value == -300


def test_text_cells_are_left_aligned(tmp_path, customers):
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", customers))).active
    assert ws["A3"].alignment.horizontal == "left"


@pytest.mark.parametrize(("lang", "number_format"), [("ja", "yyyy/mm/dd"), ("en", "yyyy-mm-dd")])
def test_dates_are_real_dates_in_the_languages_format(tmp_path, customers, lang, number_format):
    path = render(tmp_path, sheet("S", customers), lang=lang)
    ws = openpyxl.load_workbook(path).active

    assert ws["F3"].is_date
    assert ws["F3"].value == dt.datetime(2024, 3, 1)
    assert ws["F3"].number_format == number_format
    assert calamine_rows(path, "S")[2][5] == dt.date(2024, 3, 1)


def test_date_objects_timestamps_and_time_zones_all_become_dates(tmp_path):
    dates = table(
        [("d", "Date", "date")],
        {
            "d": [
                dt.date(2024, 1, 2),
                dt.datetime(2024, 1, 3, 15, 30),
                pd.Timestamp("2024-01-04 09:00", tz="Asia/Tokyo"),
                np.datetime64("2024-01-05"),
            ]
        },
    )
    aware = table(
        [("d", "Date", "date")],
        {"d": pd.to_datetime(["2024-02-01 23:30"]).tz_localize("Asia/Tokyo")},
    )
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", dates, aware))).active

    assert [ws.cell(row, 1).value for row in range(2, 6)] == [
        dt.datetime(2024, 1, 2),
        dt.datetime(2024, 1, 3, 15, 30),
        dt.datetime(2024, 1, 4, 9, 0),  # wall-clock time kept, zone dropped
        dt.datetime(2024, 1, 5),
    ]
    assert ws["A8"].value == dt.datetime(2024, 2, 1, 23, 30)
    assert all(ws.cell(row, 1).number_format == "yyyy/mm/dd" for row in (2, 3, 4, 5, 8))


def test_missing_values_leave_cells_empty(tmp_path):
    blanks = table(
        [("t", "T", "text"), ("n", "N", "number"), ("d", "D", "date"), ("i", "I", "integer")],
        {
            "t": ["x", None, np.nan, pd.NA],
            "n": [1.5, np.nan, np.inf, -np.inf],
            "d": [pd.Timestamp("2024-01-01"), pd.NaT, pd.NaT, pd.NaT],
            "i": pd.array([1, None, None, None], dtype="Int64"),
        },
    )
    path = render(tmp_path, sheet("S", blanks))
    ws = openpyxl.load_workbook(path).active

    for row in (3, 4, 5):
        assert [cell.value for cell in ws[row]] == [None] * 4
    assert 'r="A3"' not in sheet_xml(path)  # no cell element at all, not even a styled blank
    assert calamine_rows(path, "S") == [["T", "N", "D", "I"], ["x", 1.5, dt.date(2024, 1, 1), 1.0]]


def test_numpy_scalars_are_written_as_numbers_and_booleans(tmp_path):
    mixed = table(
        [("v", "Value", "number")],
        {
            "v": pd.Series(
                [np.int64(7), np.float64(2.5), np.bool_(True), np.int32(-3), np.float32(0.5)],
                dtype=object,
            )
        },
    )
    typed = table(
        [("i", "I", "integer"), ("f", "F", "number"), ("b", "B", "text")],
        {
            "i": np.array([1, 2], dtype=np.int64),
            "f": np.array([0.5, 1.5]),
            "b": np.array([True, False]),
        },
    )
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", mixed, typed))).active

    values = [(ws.cell(row, 1).value, ws.cell(row, 1).data_type) for row in range(2, 7)]
    assert values == [(7, "n"), (2.5, "n"), (True, "b"), (-3, "n"), (0.5, "n")]
    assert [ws.cell(9, col).value for col in (1, 2, 3)] == [1, 0.5, True]
    assert ws["C10"].value is False


def test_mixed_object_column_is_written_cell_by_cell(tmp_path):
    mixed = table(
        [("v", "Value", "money")],
        {
            "v": [
                "未入金",
                1200,
                Decimal("3400"),
                pd.Timestamp("2024-05-06"),
                pd.Timedelta(days=3),
                ("a", 1),
            ]
        },
    )
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", mixed))).active

    assert (ws["A2"].value, ws["A2"].data_type) == ("未入金", "s")
    assert (ws["A3"].value, ws["A3"].number_format) == (1200, "¥#,##0;-¥#,##0")
    assert ws["A4"].value == 3400
    assert ws["A5"].value == dt.datetime(2024, 5, 6)
    assert ws["A6"].value == 3  # a timedelta is a number of days
    assert (ws["A7"].value, ws["A7"].data_type) == ("('a', 1)", "s")


def test_timedelta_column_is_written_as_days(tmp_path):
    days = table([("d", "Days", "days")], {"d": pd.to_timedelta([1, 2.5, None], unit="D")})
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", days))).active
    assert [ws.cell(row, 1).value for row in (2, 3, 4)] == [1, 2.5, None]


def test_pandas_string_and_category_dtypes_are_text(tmp_path):
    texts = table(
        [("s", "S", "text"), ("c", "C", "text")],
        {
            "s": pd.array(["a", None], dtype="string"),
            "c": pd.Categorical(["VIP", None]),
        },
    )
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", texts))).active
    assert [(c.value, c.data_type) for c in ws[2]] == [("a", "s"), ("VIP", "s")]
    assert [c.value for c in ws[3]] == [None, None]


# -- text is data, never code -------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULA_LOOKALIKES)
def test_formula_looking_text_stays_a_string(tmp_path, text):
    names = table([("name", "顧客名", "text")], {"name": [text, "ok"]})
    path = render(tmp_path, sheet("S", names))

    cell = openpyxl.load_workbook(path).active["A2"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert "<f>" not in sheet_xml(path) and "<f " not in sheet_xml(path)
    assert calamine_rows(path, "S")[1] == [text]


def test_formula_looking_text_in_a_mixed_column_or_header_stays_a_string(tmp_path):
    mixed = table(
        [("v", "=SUM(A1:A9)", "number")],
        {"v": ['=HYPERLINK("http://evil","x")', 5]},
        caption="+cmd",
    )
    path = render(tmp_path, sheet("S", mixed))
    ws = openpyxl.load_workbook(path).active

    assert [(ws.cell(row, 1).value, ws.cell(row, 1).data_type) for row in (1, 2, 3)] == [
        ("+cmd", "s"),
        ("=SUM(A1:A9)", "s"),
        ('=HYPERLINK("http://evil","x")', "s"),
    ]
    assert "<f>" not in sheet_xml(path)


def test_numeric_and_url_looking_text_is_not_converted(tmp_path):
    texts = table(
        [("t", "T", "text")], {"t": ["0123", "1e5", "https://example.com", "mailto:a@b.jp"]}
    )
    path = render(tmp_path, sheet("S", texts))
    ws = openpyxl.load_workbook(path).active

    assert [(ws.cell(r, 1).value, ws.cell(r, 1).data_type) for r in range(2, 6)] == [
        ("0123", "s"),
        ("1e5", "s"),
        ("https://example.com", "s"),
        ("mailto:a@b.jp", "s"),
    ]
    assert "hyperlink" not in sheet_xml(path)


@pytest.mark.parametrize(
    "text", ["<r>&</r>", "<r><t>x</t></r>", "<r></r>", "<r> a_x0041_b </r>", "<r>\n</r>"]
)
def test_text_that_looks_like_rich_text_markup_is_escaped(tmp_path, text):
    # xlsxwriter would copy such strings into the XML unescaped in constant_memory mode.
    names = table([("name", "Name", "text")], {"name": [text]}, caption=text)
    path = render(tmp_path, sheet("S", names))

    ws = openpyxl.load_workbook(path).active  # parses: the XML is well-formed
    assert [ws.cell(r, 1).data_type for r in (1, 3)] == ["s", "s"]
    assert ws.cell(1, 1).value == text
    # The body cell is Excel-escaped ("_x0041_" → "_x005F_x0041_"), which openpyxl leaves
    # raw in inline strings; calamine decodes it the way Excel does.
    rows = calamine_rows(path, "S")
    assert [rows[0], rows[2]] == [[text], [text]]


def test_text_longer_than_excels_limit_is_cut_with_an_ellipsis(tmp_path):
    long_ascii = "a" * 40_000
    long_emoji = "😀" * 20_000  # two UTF-16 units each: Excel's limit counts units
    texts = table([("t", "T", "text")], {"t": [long_ascii, long_emoji, "short"]})
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", texts))).active

    ascii_cell, emoji_cell = ws["A2"].value, ws["A3"].value
    assert len(ascii_cell) == 32_767 and ascii_cell.endswith("a…")
    assert len(emoji_cell.encode("utf-16-le")) // 2 <= 32_767
    assert emoji_cell.endswith("😀…")
    assert ws["A4"].value == "short"


def test_control_characters_and_escape_lookalikes_round_trip(tmp_path):
    # Excel writes control characters as _xHHHH_ and escapes literal "_xHHHH_" text;
    # calamine decodes both the way Excel does (openpyxl leaves inline strings raw).
    texts = ["a_x0041_b", "tab\there", "bell\x07", "line\nbreak", " padded "]
    path = render(tmp_path, sheet("S", table([("t", "T", "text")], {"t": texts})))
    assert calamine_rows(path, "S")[1:] == [[text] for text in texts]


def test_strings_are_inline_never_shared(tmp_path, customers):
    path = render(tmp_path, sheet("S", customers), sheet("T", customers))

    for number in (1, 2):
        xml = sheet_xml(path, number)
        assert 't="inlineStr"' in xml
        assert 't="s"' not in xml
    with zipfile.ZipFile(path) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        # Any character XML can carry (surrogates and U+FFFE/U+FFFF are not text).
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"),
        min_size=1,
        max_size=40,
    )
)
def test_any_text_round_trips_as_text(tmp_path, text):
    path = tmp_path / "prop.xlsx"
    names = table([("t", "T", "text")], {"t": [text]})
    render_xlsx(OutputWorkbook("ja", (sheet("S", names),)), path)

    cell = openpyxl.load_workbook(path).active["A2"]
    assert cell.data_type == "s"
    assert "<f>" not in sheet_xml(path)
    assert calamine_rows(path, "S")[1] == [text]


# -- sheet furniture ---------------------------------------------------------------------------


def test_panes_freeze_below_the_first_header(tmp_path, customers):
    no_caption = table([("k", "Key", "text")], {"k": ["a"]})
    path = render(
        tmp_path,
        sheet("Captioned", customers),
        sheet("Plain", no_caption),
        sheet("Loose", no_caption, freeze_header=False),
    )
    wb = openpyxl.load_workbook(path)

    assert wb["Captioned"].freeze_panes == "A3"
    assert wb["Plain"].freeze_panes == "A2"
    assert wb["Loose"].freeze_panes is None


def test_autofilter_covers_the_first_table_only(tmp_path, customers):
    second = table([("k", "Key", "text")], {"k": ["a", "b"]})
    unfiltered = table([("k", "Key", "text")], {"k": ["a"]}, autofilter=False)
    wb = openpyxl.load_workbook(
        render(tmp_path, sheet("S", customers, second), sheet("T", unfiltered))
    )

    assert wb["S"].auto_filter.ref == "A2:G5"
    assert wb["T"].auto_filter.ref is None


def test_recency_column_gets_a_green_to_red_colour_scale(tmp_path, customers):
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", customers))).active

    (formatting,) = list(ws.conditional_formatting)
    assert str(formatting.sqref) == "G3:G5"
    (rule,) = formatting.rules
    assert rule.type == "colorScale"
    assert [color.rgb for color in rule.colorScale.color] == ["FF63BE7B", "FFFFEB84", "FFF8696B"]
    assert [cfvo.type for cfvo in rule.colorScale.cfvo] == ["min", "percentile", "max"]


def test_tab_colour_is_set_when_given(tmp_path, customers):
    wb = openpyxl.load_workbook(
        render(tmp_path, sheet("S", customers, tab_color="#1F6F78"), sheet("T", customers))
    )
    assert wb["S"].sheet_properties.tabColor.rgb == "FF1F6F78"
    assert wb["T"].sheet_properties.tabColor is None


# -- column widths -----------------------------------------------------------------------------


def test_japanese_text_makes_a_column_wider_than_ascii(tmp_path):
    names = table(
        [("ja", "A", "text"), ("en", "B", "text")],
        {"ja": ["山田太郎商店株式会社"], "en": ["Yamada Sho"]},  # both ten characters
    )
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", names))).active

    ja, en = ws.column_dimensions["A"].width, ws.column_dimensions["B"].width
    assert ja > en
    assert ja >= 20


def test_widths_are_clamped_and_explicit_widths_win(tmp_path):
    columns = (
        Column("tiny", "x"),
        Column("huge", "Notes"),
        Column("fixed", "Fixed", width=70),
        Column("money", "売上", "money"),
    )
    rows = pd.DataFrame(
        {"tiny": ["a"], "huge": ["word " * 100], "fixed": ["b"], "money": [123_456_789]}
    )
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", Table(columns, rows)))).active

    widths = [ws.column_dimensions[letter].width for letter in "ABCD"]
    assert 6 <= widths[0] < 7
    assert 50 <= widths[1] < 51
    assert 70 <= widths[2] < 71
    assert widths[3] >= len("¥123,456,789")


def test_column_width_covers_the_widest_of_stacked_tables(tmp_path):
    narrow = table([("k", "K", "text")], {"k": ["a"]})
    wide = table([("k", "K", "text")], {"k": ["a much longer value here"]})
    ws = openpyxl.load_workbook(render(tmp_path, sheet("S", narrow, wide))).active
    assert ws.column_dimensions["A"].width >= len("a much longer value here")


# -- charts ------------------------------------------------------------------------------------


@pytest.fixture
def segments() -> Table:
    return table(
        [
            ("segment", "セグメント", "text"),
            ("count", "人数", "integer"),
            ("spend", "売上", "money"),
        ],
        {"segment": ["VIP", "常連", "休眠"], "count": [12, 40, 75], "spend": [900000, 400000, 0]},
        caption="セグメント別",
    )


def test_chart_series_refer_to_the_table_cells(tmp_path, segments):
    chart = Chart("bar", "セグメント別人数", 0, "segment", ("count",))
    path = render(tmp_path, sheet("Summary", segments, charts=(chart,)))
    xml = part(path, "xl/charts/chart1.xml")

    assert '<c:barDir val="bar"/>' in xml
    assert "<c:f>Summary!$A$3:$A$5</c:f>" in xml  # categories
    assert "<c:f>Summary!$B$3:$B$5</c:f>" in xml  # values
    assert "<c:f>Summary!$B$2</c:f>" in xml  # series name from the header cell
    assert "セグメント別人数" in xml
    assert "<c:legend>" not in xml  # a single series needs no legend
    assert '<c:orientation val="maxMin"/>' in xml  # bars read top-down, like the table
    # The cached values let viewers that never recalculate draw the chart.
    assert re.search(r"<c:cat><c:strRef>.*<c:v>休眠</c:v>", xml)
    assert "<c:v>75</c:v>" in xml


def test_chart_ranges_quote_sheet_titles_with_spaces_and_apostrophes(tmp_path, segments):
    chart = Chart("column", "Spend", 0, "segment", ("count", "spend"))
    path = render(tmp_path, sheet("Bob's top 10", segments, charts=(chart,)))
    xml = part(path, "xl/charts/chart1.xml")

    assert "<c:f>'Bob''s top 10'!$A$3:$A$5</c:f>" in xml
    assert "<c:f>'Bob''s top 10'!$B$3:$B$5</c:f>" in xml
    assert "<c:f>'Bob''s top 10'!$C$3:$C$5</c:f>" in xml
    assert "<c:legend>" in xml  # two series: keep the legend


def test_chart_ranges_work_with_japanese_titles(tmp_path, segments):
    chart = Chart("line", "推移", 0, "segment", ("spend",))
    path = render(tmp_path, sheet("顧客 分析", segments, charts=(chart,)))
    xml = part(path, "xl/charts/chart1.xml")
    assert "<c:lineChart>" in xml
    assert "<c:f>'顧客 分析'!$C$3:$C$5</c:f>" in xml


@pytest.mark.parametrize(
    ("kind", "element"),
    [
        ("bar", '<c:barDir val="bar"/>'),
        ("column", '<c:barDir val="col"/>'),
        ("line", "<c:lineChart>"),
        ("pie", "<c:pieChart>"),
    ],
)
def test_each_chart_kind_is_a_native_chart(tmp_path, segments, kind, element):
    chart = Chart(kind, "Chart", 0, "segment", ("count",))
    xml = part(render(tmp_path, sheet("S", segments, charts=(chart,))), "xl/charts/chart1.xml")
    assert element in xml
    assert ("<c:legend>" in xml) == (kind == "pie")  # a pie's legend names its slices


def test_charts_sit_right_of_the_widest_table_one_below_the_other(tmp_path, segments):
    wide = table(
        [(f"c{i}", f"C{i}", "integer") for i in range(5)], {f"c{i}": [i] for i in range(5)}
    )
    charts = (
        Chart("bar", "One", 0, "segment", ("count",)),
        Chart("pie", "Two", 0, "segment", ("spend",)),
    )
    path = render(tmp_path, sheet("S", segments, wide, charts=charts))
    drawing = part(path, "xl/drawings/drawing1.xml")

    anchors = re.findall(
        r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff>"
        r"<xdr:row>(\d+)</xdr:row>",
        drawing,
    )
    assert len(anchors) == 2
    (col1, row1), (col2, row2) = ((int(c), int(r)) for c, r in anchors)
    assert col1 == col2 == 6  # five columns wide (A:E), one blank column, then G
    assert row1 == 2  # level with the first data row, below the frozen header
    assert row2 > row1 + 10
    with zipfile.ZipFile(path) as archive:
        assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml"} <= set(archive.namelist())


def test_chart_of_an_empty_table_is_left_out(tmp_path):
    empty = table(
        [("segment", "S", "text"), ("count", "N", "integer")],
        {"segment": pd.Series([], dtype=object), "count": pd.Series([], dtype=int)},
    )
    chart = Chart("bar", "Nothing", 0, "segment", ("count",))
    with zipfile.ZipFile(render(tmp_path, sheet("S", empty, charts=(chart,)))) as archive:
        assert not any(name.startswith("xl/charts/") for name in archive.namelist())


def test_chart_title_shaped_like_a_reference_stays_literal(tmp_path, segments):
    chart = Chart("bar", "要注意!A1", 0, "segment", ("count",))
    xml = part(render(tmp_path, sheet("S", segments, charts=(chart,))), "xl/charts/chart1.xml")
    assert "<a:t>要注意!\u200bA1</a:t>" in xml


def test_chart_over_dates_caches_excel_serials(tmp_path):
    monthly = table(
        [("month", "Month", "date"), ("sales", "Sales", "money")],
        {"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "sales": [10, 20]},
    )
    chart = Chart("line", "Sales", 0, "month", ("sales",))
    xml = part(render(tmp_path, sheet("S", monthly, charts=(chart,))), "xl/charts/chart1.xml")
    assert re.search(r"<c:v>45292(\.0)?</c:v>", xml)  # 2024-01-01


# -- the model must be consistent --------------------------------------------------------------


A_TABLE = table([("a", "A", "text")], {"a": ["x"]})


@pytest.mark.parametrize(
    ("model_sheet", "message"),
    [
        (sheet("S", table([("a", "A", "text")], {"b": [1]})), "'a' is missing"),
        (sheet("S", table([("a", "A", "euro")], {"a": [1]})), "unknown kind"),
        (
            sheet("S", table([("a", "A", "text")], {"a": [1]}, recency_column="days")),
            "recency column 'days'",
        ),
        (sheet("S", A_TABLE, charts=(Chart("bar", "x", 1, "a", ("a",)),)), "missing table"),
        (sheet("S", A_TABLE, charts=(Chart("bar", "x", 0, "a", ("z",)),)), "unknown column 'z'"),
        (sheet("S", A_TABLE, charts=(Chart("bar", "x", 0, "a", ()),)), "no value columns"),
        (sheet("S", A_TABLE, charts=(Chart("area", "x", 0, "a", ("a",)),)), "unknown chart kind"),
    ],
)
def test_inconsistent_model_raises_and_writes_nothing(tmp_path, model_sheet, message):
    path = tmp_path / "out.xlsx"
    with pytest.raises(ValueError, match=message):
        render_xlsx(OutputWorkbook("ja", (model_sheet,)), path)
    assert not path.exists()


def test_two_tabs_with_one_title_are_refused(tmp_path, customers):
    path = tmp_path / "out.xlsx"
    model = OutputWorkbook("en", (sheet("VIP", customers), sheet("vip", customers, key="b")))
    with pytest.raises(ValueError, match="same title"):
        render_xlsx(model, path)
    assert not path.exists()


def test_duplicate_dataframe_column_is_refused(tmp_path):
    rows = pd.DataFrame([[1, 2]], columns=["a", "a"])
    model = OutputWorkbook("en", (sheet("S", Table((Column("a", "A"),), rows)),))
    with pytest.raises(ValueError, match="appears twice"):
        render_xlsx(model, tmp_path / "out.xlsx")


def test_rendering_leaves_the_dataframes_untouched(tmp_path):
    rows = pd.DataFrame({"t": pd.Series(["a", None, np.nan], dtype=object), "n": [1.0, np.nan, 3]})
    before = rows.copy()
    render(tmp_path, sheet("S", Table((Column("t", "T"), Column("n", "N", "number")), rows)))
    pd.testing.assert_frame_equal(rows, before)
    assert isinstance(rows["t"].iloc[2], float)  # NaN was not replaced by None in place


def test_dataframe_index_and_extra_columns_are_ignored(tmp_path):
    rows = pd.DataFrame({"a": ["x", "y"], "secret": ["p", "q"]}, index=[10, 3])
    ws = openpyxl.load_workbook(
        render(tmp_path, sheet("S", Table((Column("a", "A"),), rows)))
    ).active
    assert [[cell.value for cell in row] for row in ws.iter_rows()] == [["A"], ["x"], ["y"]]


def test_heat_columns_get_one_two_colour_scale(tmp_path):
    frame = pd.DataFrame({"c": ["2024-01", "2024-02"], "m0": [1.0, 1.0], "m1": [0.5, None]})
    columns = (Column("c", "Cohort"), Column("m0", "M0", "percent"), Column("m1", "M1", "percent"))
    model = OutputWorkbook(
        "en", (SheetModel("r", "R", (Table(columns, frame, heat_columns=("m0", "m1")),)),)
    )
    path = tmp_path / "heat.xlsx"
    render_xlsx(model, path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<conditionalFormatting sqref="B2:C3">' in xml and "colorScale" in xml


def test_heat_columns_must_be_adjacent(tmp_path):
    frame = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    columns = (Column("a", "A"), Column("b", "B"), Column("c", "C"))
    model = OutputWorkbook(
        "en", (SheetModel("r", "R", (Table(columns, frame, heat_columns=("a", "c")),)),)
    )
    with pytest.raises(ValueError, match="adjacent"):
        render_xlsx(model, tmp_path / "x.xlsx")
