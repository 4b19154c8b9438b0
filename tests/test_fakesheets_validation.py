"""The request kinds added to the fake for sync: setDataValidation,
deleteConditionalFormatRule and copyPaste — with Google's semantics, through gspread."""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest

from sheetcrm.fakesheets import FakeSheetsServer, client_for


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSheetsServer]:
    with FakeSheetsServer(seed=5) as fake:
        yield fake


@pytest.fixture
def gc(server: FakeSheetsServer) -> gspread.Client:
    return client_for(server.root_url)


def _grid(rows: tuple[int, int], cols: tuple[int, int], sheet_id: int = 0) -> dict:
    return {
        "sheetId": sheet_id,
        "startRowIndex": rows[0],
        "endRowIndex": rows[1],
        "startColumnIndex": cols[0],
        "endColumnIndex": cols[1],
    }


DROP_DOWN = {
    "condition": {
        "type": "ONE_OF_LIST",
        "values": [{"userEnteredValue": "統合する"}, {"userEnteredValue": "別人"}],
    },
    "strict": False,
    "showCustomUi": True,
}


def test_set_data_validation_puts_the_rule_on_every_cell_and_grid_data_returns_it(
    server, gc
) -> None:
    sid = server.create_spreadsheet("DV", {"Sheet1": [["判断"], ["統合する"]]})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.batch_update(
        {"requests": [{"setDataValidation": {"range": _grid((1, 4), (0, 1)), "rule": DROP_DOWN}}]}
    )
    state = server.spreadsheet(sid).sheet("Sheet1")
    for a1 in ("A2", "A3", "A4"):
        assert state.cell(a1)["dataValidation"] == DROP_DOWN
    assert "dataValidation" not in state.cell("A1")
    assert state.value("A2") == "統合する"  # the value is untouched
    grid = gc.http_client.fetch_sheet_metadata(
        sid, params={"includeGridData": "true", "ranges": "Sheet1!A3"}
    )
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell == {"dataValidation": DROP_DOWN}


def test_set_data_validation_without_a_rule_clears_it(server, gc) -> None:
    sid = server.create_spreadsheet("DV clear", {"Sheet1": [["a"], ["b"]]})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.batch_update(
        {"requests": [{"setDataValidation": {"range": _grid((0, 2), (0, 1)), "rule": DROP_DOWN}}]}
    )
    spreadsheet.batch_update(
        {"requests": [{"setDataValidation": {"range": _grid((1, 2), (0, 1))}}]}
    )
    state = server.spreadsheet(sid).sheet("Sheet1")
    assert "dataValidation" in state.cell("A1")
    assert state.cell("A2") == {
        key: value for key, value in state.cell("A2").items() if key != "dataValidation"
    }
    assert state.value("A2") == "b"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"type": "ONE_OF_LIST", "values": []}, "requires at least 1"),
        ({"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": "1"}]}, "requires 2"),
        ({"type": "TEXT_STARTS_WITH", "values": [{"userEnteredValue": "a"}]}, "not supported"),
        ({"type": "NO_SUCH_TYPE"}, "Invalid value"),
        ({"values": [{"userEnteredValue": "a"}]}, "must have a condition"),
    ],
)
def test_invalid_validation_rules_are_refused_and_nothing_is_applied(
    server, gc, condition, message
) -> None:
    sid = server.create_spreadsheet("DV bad", {"Sheet1": [["a"]]})
    before = server.spreadsheet(sid)
    requests = [
        {"updateCells": {"range": _grid((0, 1), (0, 1)), "fields": "userEnteredValue"}},
        {"setDataValidation": {"range": _grid((0, 1), (0, 1)), "rule": {"condition": condition}}},
    ]
    with pytest.raises(gspread.exceptions.APIError) as refused:
        gc.open_by_key(sid).batch_update({"requests": requests})
    assert refused.value.code == 400
    assert "requests[1].setDataValidation" in refused.value.error["message"]
    assert message in refused.value.error["message"]
    assert server.spreadsheet(sid) == before  # all or nothing: the clear did not happen


def test_delete_conditional_format_rule_shifts_later_rules_up(server, gc) -> None:
    sid = server.create_spreadsheet("CF", {"Sheet1": [[1], [2]]})
    spreadsheet = gc.open_by_key(sid)

    def rule(color: float) -> dict:
        return {
            "ranges": [_grid((0, 2), (0, 1))],
            "booleanRule": {
                "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "1"}]},
                "format": {"backgroundColor": {"red": color}},
            },
        }

    spreadsheet.batch_update(
        {
            "requests": [
                {"addConditionalFormatRule": {"rule": rule(0.1), "index": 0}},
                {"addConditionalFormatRule": {"rule": rule(0.2), "index": 1}},
            ]
        }
    )
    reply = spreadsheet.batch_update(
        {"requests": [{"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}}]}
    )
    deleted = reply["replies"][0]["deleteConditionalFormatRule"]["rule"]
    assert deleted["booleanRule"]["format"]["backgroundColor"] == {"red": 0.1}
    rules = server.spreadsheet(sid).sheet("Sheet1").conditional_formats
    assert [r["booleanRule"]["format"]["backgroundColor"]["red"] for r in rules] == [0.2]
    with pytest.raises(gspread.exceptions.APIError) as missing:
        spreadsheet.batch_update(
            {"requests": [{"deleteConditionalFormatRule": {"sheetId": 0, "index": 5}}]}
        )
    assert missing.value.code == 400


def test_copy_paste_values_keeps_text_as_text_and_leaves_formats(server, gc) -> None:
    sid = server.create_spreadsheet(
        "Paste", {"Staging": [["=IMPORTXML(1)", 1200], ["+1", None]], "Target": [["old", "old"]]}
    )
    spreadsheet = gc.open_by_key(sid)
    staging, target = (w.id for w in spreadsheet.worksheets())
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "repeatCell": {
                        "range": _grid((0, 2), (1, 2), target),
                        "cell": {
                            "userEnteredFormat": {
                                "numberFormat": {"type": "NUMBER", "pattern": "#,##0"}
                            }
                        },
                        "fields": "userEnteredFormat.numberFormat",
                    }
                },
                {
                    "copyPaste": {
                        "source": _grid((0, 2), (0, 2), staging),
                        "destination": _grid((0, 2), (0, 2), target),
                        "pasteType": "PASTE_VALUES",
                    }
                },
            ]
        }
    )
    state = server.spreadsheet(sid).sheet("Target")
    assert state.cell("A1")["userEnteredValue"] == {"stringValue": "=IMPORTXML(1)"}
    assert state.cell("A2")["userEnteredValue"] == {"stringValue": "+1"}
    assert state.formatted("B1") == "1,200"  # the destination's own format stays
    assert state.value("B2") is None  # an empty source cell clears the value


def test_copy_paste_repeats_over_a_multiple_and_pastes_whole_source_otherwise(server, gc) -> None:
    sid = server.create_spreadsheet("Tile", {"Sheet1": [["x", "y"]]})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "copyPaste": {
                        "source": _grid((0, 1), (0, 2)),
                        "destination": _grid((2, 5), (0, 4)),  # 3 rows x 4 columns: tiled
                        "pasteType": "PASTE_NORMAL",
                    }
                },
                {
                    "copyPaste": {
                        "source": _grid((0, 1), (0, 2)),
                        "destination": _grid((6, 7), (0, 1)),  # smaller: whole source once
                        "pasteType": "PASTE_VALUES",
                    }
                },
            ]
        }
    )
    values = server.spreadsheet(sid).sheet("Sheet1").values
    assert values[2:5] == [["x", "y", "x", "y"]] * 3
    assert values[6] == ["x", "y"]


def test_copy_paste_refusals(server, gc) -> None:
    sid = server.create_spreadsheet("Refuse", {"Sheet1": [["a"]]})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 1},
                        "rows": [{"values": [{"userEnteredValue": {"formulaValue": "=A1"}}]}],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        }
    )

    def paste(**extra) -> int:
        body = {
            "source": _grid((0, 1), (0, 1)),
            "destination": _grid((3, 4), (0, 1)),
            "pasteType": "PASTE_VALUES",
            **extra,
        }
        with pytest.raises(gspread.exceptions.APIError) as refused:
            spreadsheet.batch_update({"requests": [{"copyPaste": body}]})
        return refused.value.code

    assert paste(destination=_grid((999, 1000), (0, 1)), source=_grid((0, 2), (0, 1))) == 400
    assert paste(pasteType="PASTE_FORMULA") == 501
    assert paste(pasteOrientation="TRANSPOSE") == 501
    assert paste(source=_grid((1, 2), (1, 2))) == 501  # formulas are not evaluated
