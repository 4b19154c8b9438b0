"""spreadsheets.values through real gspread over HTTP: what is stored, how it reads back."""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest
import requests

from sheetcrm.fakesheets import FakeSheetsServer, client_for


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSheetsServer]:
    with FakeSheetsServer(seed=7) as fake:
        yield fake


@pytest.fixture
def gc(server: FakeSheetsServer) -> gspread.Client:
    return client_for(server.root_url)


def test_open_by_key_lists_worksheets_in_tab_order(server, gc) -> None:
    sid = server.create_spreadsheet("Shop", {"Customers": [["name"]], "Orders": [], "Memo": []})
    spreadsheet = gc.open_by_key(sid)
    assert spreadsheet.title == "Shop"
    assert [w.title for w in spreadsheet.worksheets()] == ["Customers", "Orders", "Memo"]
    assert spreadsheet.sheet1.id == 0  # Google's first sheet is always id 0
    assert gc.open_by_url(f"https://docs.google.com/spreadsheets/d/{sid}/edit").id == sid


def test_trailing_empty_rows_and_cells_are_left_out_like_google(server, gc) -> None:
    rows = [["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""], ["A4", "B4", "", "D4"]]
    sid = server.create_spreadsheet("Gaps", {"Sheet1": rows})
    spreadsheet = gc.open_by_key(sid)
    # The same shape as gspread's recorded cassette for this data.
    assert spreadsheet.values_get("'Sheet1'") == {
        "range": "Sheet1!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4", "B4", "", "D4"]],
    }
    assert spreadsheet.sheet1.get_all_values() == [
        ["A1", "B1", "", "D1"],
        ["", "b2", "", ""],
        ["", "", "", ""],
        ["A4", "B4", "", "D4"],
    ]
    assert spreadsheet.values_get("'Sheet1'!F1:G9") == {
        "range": "Sheet1!F1:G9",
        "majorDimension": "ROWS",
    }


def test_raw_keeps_formula_looking_text_and_leading_zeros_as_text(server, gc) -> None:
    sid = server.create_spreadsheet("Raw", {"Sheet1": []})
    sheet = gc.open_by_key(sid).sheet1
    sheet.update([['=IMPORTXML("http://x","//a")', "0123", "TRUE"]], "A1", value_input_option="RAW")
    tab = server.spreadsheet(sid).sheet("Sheet1")
    assert tab.cell("A1")["userEnteredValue"] == {"stringValue": '=IMPORTXML("http://x","//a")'}
    assert tab.cell("B1")["userEnteredValue"] == {"stringValue": "0123"}
    assert tab.cell("C1")["userEnteredValue"] == {"stringValue": "TRUE"}
    # Even the FORMULA render gives the text back: there is no formula.
    assert sheet.get("A1:B1", value_render_option="FORMULA") == [
        ['=IMPORTXML("http://x","//a")', "0123"]
    ]


def test_user_entered_parses_like_the_ui(server, gc) -> None:
    sid = server.create_spreadsheet("Typed", {"Sheet1": []})
    sheet = gc.open_by_key(sid).sheet1
    sheet.update(
        [["=SUM(1,2)", "0123", "2020-01-01", "'=not a formula", "12%", "$1,234.50", "true"]],
        "A1",
        value_input_option="USER_ENTERED",
    )
    tab = server.spreadsheet(sid).sheet("Sheet1")
    assert tab.value("A1") == "=SUM(1,2)"
    assert "formulaValue" in tab.cell("A1")["userEnteredValue"]
    assert tab.cell("B1")["userEnteredValue"] == {"numberValue": 123}
    assert tab.cell("C1")["userEnteredValue"] == {"numberValue": 43831}
    assert tab.format("C1")["numberFormat"] == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert tab.cell("D1")["userEnteredValue"] == {"stringValue": "=not a formula"}
    assert tab.value("E1") == 0.12
    assert tab.value("F1") == 1234.5
    assert tab.value("G1") is True
    assert tab.values == [
        ["#ERROR!", "123", "2020-01-01", "=not a formula", "12%", "$1,234.50", "TRUE"]
    ]


def test_value_and_date_render_options(server, gc) -> None:
    sid = server.create_spreadsheet("Render", {"Sheet1": []})
    sheet = gc.open_by_key(sid).sheet1
    # The rows of gspread's cassette test_get_all_values_date_time_render_options.
    sheet.update(
        [["=4/2", "2020-01-01", "string", 53], ["=3/2", 0.12, "1999-01-02", ""]],
        "A1:D2",
        value_input_option="USER_ENTERED",
    )
    unformatted = sheet.get_all_values(value_render_option="UNFORMATTED_VALUE")
    assert unformatted[0][1:] == [43831, "string", 53]
    assert unformatted[1][1:3] == [0.12, 36162]
    as_strings = sheet.get_all_values(
        value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING"
    )
    assert as_strings[0][1] == "2020-01-01"
    assert as_strings[1][2] == "1999-01-02"
    assert sheet.get_all_values(value_render_option="FORMULA")[0][0] == "=4/2"
    assert sheet.get_all_values()[0][3] == "53"  # FORMATTED_VALUE is text
    # Formulas are kept, never evaluated: their value is an error.
    assert sheet.get_all_values()[0][0] == "#ERROR!"


def test_batch_get_echoes_each_range_clipped_to_the_grid(server, gc) -> None:
    sid = server.create_spreadsheet("Batch", {"Sheet1": [["a", "b"], ["c", "d"]]})
    spreadsheet = gc.open_by_key(sid)
    response = spreadsheet.values_batch_get(["'Sheet1'!A:A", "Sheet1!B1:C2", "Sheet1!1:1"])
    assert [r["range"] for r in response["valueRanges"]] == [
        "Sheet1!A1:A1000",
        "Sheet1!B1:C2",
        "Sheet1!A1:Z1",
    ]
    assert response["valueRanges"][0]["values"] == [["a"], ["c"]]
    ranges = spreadsheet.sheet1.batch_get(["A1:B1", "B2"])
    assert [list(r) for r in ranges] == [[["a", "b"]], [["d"]]]
    columns = spreadsheet.values_get("Sheet1!A1:B2", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a", "c"], ["b", "d"]]


@pytest.mark.parametrize(
    ("title", "echo"),
    [
        ("Bob's orders", "'Bob''s orders'!A1:B2"),
        ("顧客 一覧", "'顧客 一覧'!A1:B2"),
        ("売上", "'売上'!A1:B2"),
        ("D3", "'D3'!A1:B2"),
    ],
)
def test_sheet_names_needing_quotes_round_trip(server, gc, title: str, echo: str) -> None:
    sid = server.create_spreadsheet("Names", {title: []})
    sheet = gc.open_by_key(sid).worksheet(title)
    response = sheet.update([["名前", "電話"], ["山田", "090"]], "A1", value_input_option="RAW")
    assert response["updatedRange"] == echo
    assert sheet.get_all_values() == [["名前", "電話"], ["山田", "090"]]
    assert server.spreadsheet(sid).sheet(title).values == [["名前", "電話"], ["山田", "090"]]


def test_append_writes_after_the_table_and_grows_the_grid(server, gc) -> None:
    sid = server.create_spreadsheet("Append", {"Sheet1": [["id", "name"], [1, "Aiko"]]})
    sheet = gc.open_by_key(sid).sheet1
    response = sheet.append_rows([[2, "Ken"], [3, "Mai"]], value_input_option="RAW")
    assert response["tableRange"] == "Sheet1!A1:B2"
    assert response["updates"]["updatedRange"] == "Sheet1!A3:B4"
    assert sheet.get_all_values()[-1] == ["3", "Mai"]
    small = gc.open_by_key(sid).add_worksheet("Tiny", rows=1, cols=1)
    small.append_rows([["a", "b"], ["c", "d"]])
    tiny = server.spreadsheet(sid).sheet("Tiny")
    assert (tiny.row_count, tiny.column_count) == (2, 2)
    assert tiny.values == [["a", "b"], ["c", "d"]]


def test_insert_row_writes_into_the_row_it_inserted(server, gc) -> None:
    # gspread inserts an empty row, then appends at its first cell: an empty anchor
    # cell means "write here", not "after the table below".
    sid = server.create_spreadsheet("Insert", {"Sheet1": [["id"], ["1"], ["2"]]})
    sheet = gc.open_by_key(sid).sheet1
    sheet.insert_row(["new"], 2)
    assert sheet.get_all_values() == [["id"], ["new"], ["1"], ["2"]]
    sheet.delete_rows(2)
    assert server.spreadsheet(sid).sheet("Sheet1").values == [["id"], ["1"], ["2"]]


def test_clear_removes_values_but_keeps_formats(server, gc) -> None:
    sid = server.create_spreadsheet("Clear", {"Sheet1": [["keep format"]]})
    sheet = gc.open_by_key(sid).sheet1
    sheet.format("A1", {"textFormat": {"bold": True}})
    assert sheet.batch_clear(["A1"])["clearedRanges"] == ["Sheet1!A1"]
    tab = server.spreadsheet(sid).sheet("Sheet1")
    assert tab.value("A1") is None
    assert tab.format("A1") == {"textFormat": {"bold": True}}
    assert sheet.clear()["clearedRange"] == "Sheet1!A1:Z1000"


def test_writing_past_the_grid_is_refused_with_googles_message(server, gc) -> None:
    sid = server.create_spreadsheet("Grid", {"Sheet1": []})
    sheet = gc.open_by_key(sid).add_worksheet("Small", rows=10, cols=5)
    with pytest.raises(gspread.exceptions.APIError) as refused:
        sheet.update([["x"]], "A11")
    assert refused.value.code == 400
    assert "exceeds grid limits. Max rows: 10, max columns: 5" in str(refused.value)


def test_more_values_than_a_multi_cell_range_holds_is_refused(server, gc) -> None:
    sid = server.create_spreadsheet("Fit", {"Sheet1": []})
    sheet = gc.open_by_key(sid).sheet1
    with pytest.raises(gspread.exceptions.APIError, match=r"tried writing to row \[3\]"):
        sheet.update([["a"], ["b"], ["c"]], "A1:A2")
    assert server.spreadsheet(sid).sheet("Sheet1").values == []


def test_a_cell_over_50000_characters_is_refused(server, gc) -> None:
    sid = server.create_spreadsheet("Long", {"Sheet1": []})
    sheet = gc.open_by_key(sid).sheet1
    with pytest.raises(gspread.exceptions.APIError, match="maximum of 50000 characters"):
        sheet.update([["ok", "x" * 50_001]], "A1", value_input_option="RAW")
    assert server.spreadsheet(sid).sheet("Sheet1").value("A1") is None  # nothing half-written
    sheet.update([["x" * 50_000]], "A1", value_input_option="RAW")


def test_values_batch_update_is_all_or_nothing(server, gc) -> None:
    sid = server.create_spreadsheet("Atomic", {"Sheet1": []})
    spreadsheet = gc.open_by_key(sid)
    with pytest.raises(gspread.exceptions.APIError, match="Unable to parse range: Nope!A1"):
        spreadsheet.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Sheet1!A1", "values": [["first"]]},
                    {"range": "Nope!A1", "values": [["second"]]},
                ],
            }
        )
    assert server.spreadsheet(sid).sheet("Sheet1").values == []


def test_plain_http_values_get_matches_the_documented_shape(server) -> None:
    sid = server.create_spreadsheet("Plain", {"Sheet1": [["a", "b"], [1]], "My tab": [["x"]]})
    base = f"{server.root_url}/v4/spreadsheets/{sid}/values"
    got = requests.get(f"{base}/Sheet1!A1:B2", timeout=5)
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert got.json() == {
        "range": "Sheet1!A1:B2",
        "majorDimension": "ROWS",
        "values": [["a", "b"], ["1"]],
    }
    quoted = requests.get(
        f"{base}/'My tab'!A1", params={"valueRenderOption": "UNFORMATTED_VALUE"}, timeout=5
    )
    assert quoted.json() == {"range": "'My tab'!A1", "majorDimension": "ROWS", "values": [["x"]]}
    unformatted = requests.get(
        f"{base}/A2", params={"valueRenderOption": "UNFORMATTED_VALUE"}, timeout=5
    )
    assert unformatted.json()["values"] == [[1]]  # a number, as JSON integer
    missing = requests.put(f"{base}/A1", json={"values": [["x"]]}, timeout=5)
    assert missing.status_code == 400
    assert missing.json() == {
        "error": {
            "code": 400,
            "message": "'valueInputOption' is required but not specified",
            "status": "INVALID_ARGUMENT",
        }
    }
