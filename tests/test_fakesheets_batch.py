"""spreadsheets.batchUpdate through real gspread: request kinds, replies, atomicity."""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest

from sheetcrm.fakesheets import FakeSheetsServer, client_for


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSheetsServer]:
    with FakeSheetsServer(seed=11) as fake:
        yield fake


@pytest.fixture
def gc(server: FakeSheetsServer) -> gspread.Client:
    return client_for(server.root_url)


def _text(value: str) -> dict:
    return {"userEnteredValue": {"stringValue": value}}


def test_one_batch_builds_a_generated_tab(server, gc) -> None:
    sid = server.create_spreadsheet("Shop", {"Customers": [["name"], ["Aiko"]]})
    spreadsheet = gc.open_by_key(sid)
    response = spreadsheet.batch_update(
        {
            "requests": [
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": 4242,
                            "title": "顧客分析",
                            "gridProperties": {"rowCount": 50, "columnCount": 4},
                        }
                    }
                },
                {
                    "updateCells": {
                        "start": {"sheetId": 4242, "rowIndex": 0, "columnIndex": 0},
                        "rows": [
                            {"values": [_text("顧客ID"), _text('=HYPERLINK("x")')]},
                            {
                                "values": [
                                    {"userEnteredValue": {"numberValue": 1200}},
                                    {"userEnteredValue": {"formulaValue": "=A2*2"}},
                                ]
                            },
                        ],
                        "fields": "userEnteredValue",
                    }
                },
                {
                    "repeatCell": {
                        "range": {"sheetId": 4242, "startRowIndex": 0, "endRowIndex": 1},
                        "cell": {
                            "userEnteredFormat": {
                                "textFormat": {"bold": True},
                                "backgroundColor": {"red": 0.9, "green": 0.9, "blue": 0.9},
                            }
                        },
                        "fields": "userEnteredFormat(textFormat,backgroundColor)",
                    }
                },
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": 4242,
                            "startRowIndex": 1,
                            "startColumnIndex": 0,
                            "endColumnIndex": 1,
                        },
                        "cell": {
                            "userEnteredFormat": {
                                "numberFormat": {"type": "CURRENCY", "pattern": '"¥"#,##0'}
                            }
                        },
                        "fields": "userEnteredFormat.numberFormat",
                    }
                },
                {"setBasicFilter": {"filter": {"range": {"sheetId": 4242}}}},
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": 4242, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": 4242,
                            "dimension": "COLUMNS",
                            "startIndex": 0,
                            "endIndex": 2,
                        },
                        "properties": {"pixelSize": 160},
                        "fields": "pixelSize",
                    }
                },
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "sheetcrm.tab",
                            "metadataValue": "customer_analysis",
                            "location": {"sheetId": 4242},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
            ]
        }
    )

    replies = response["replies"]
    assert response["spreadsheetId"] == sid
    assert len(replies) == 8
    assert replies[0] == {
        "addSheet": {
            "properties": {
                "sheetId": 4242,
                "title": "顧客分析",
                "index": 1,
                "sheetType": "GRID",
                "gridProperties": {"rowCount": 50, "columnCount": 4},
            }
        }
    }
    assert replies[1:7] == [{}] * 6
    created = replies[7]["createDeveloperMetadata"]["developerMetadata"]
    assert created["metadataId"] > 0
    assert created["location"] == {"locationType": "SHEET", "sheetId": 4242}

    tab = server.spreadsheet(sid).sheet("顧客分析")
    assert tab.value("B1") == '=HYPERLINK("x")'  # stringValue: text, never a formula
    assert "stringValue" in tab.cell("B1")["userEnteredValue"]
    assert tab.cell("B2")["userEnteredValue"] == {"formulaValue": "=A2*2"}
    assert tab.formatted("A2") == "¥1,200"
    assert tab.format("A1")["textFormat"] == {"bold": True}
    assert tab.format("A1")["backgroundColorStyle"] == {
        "rgbColor": {"red": 0.9, "green": 0.9, "blue": 0.9}
    }
    assert tab.frozen_row_count == 1
    assert tab.basic_filter == {
        "range": {"sheetId": 4242, "startRowIndex": 0, "endRowIndex": 50}
        | {"startColumnIndex": 0, "endColumnIndex": 4}
    }
    assert [tab.column_width(c) for c in range(3)] == [160, 160, 100]
    assert tab.developer_metadata == [created]


def test_a_batch_with_one_bad_request_changes_nothing(server, gc) -> None:
    sid = server.create_spreadsheet("Atomic", {"Sheet1": [["before"]]})
    spreadsheet = gc.open_by_key(sid)
    before = server.spreadsheet(sid)
    with pytest.raises(gspread.exceptions.APIError) as refused:
        spreadsheet.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {
                        "updateCells": {
                            "start": {"sheetId": 0},
                            "rows": [{"values": [_text("after")]}],
                            "fields": "userEnteredValue",
                        }
                    },
                    {"deleteSheet": {"sheetId": 999}},
                ]
            }
        )
    assert refused.value.code == 400
    assert refused.value.error == {
        "code": 400,
        "message": "Invalid requests[2].deleteSheet: No sheet with id: 999",
        "status": "INVALID_ARGUMENT",
    }
    assert server.spreadsheet(sid) == before


def test_unknown_and_unmodelled_request_kinds_fail_loudly(server, gc) -> None:
    spreadsheet = gc.open_by_key(server.create_spreadsheet("Kinds", {"Sheet1": []}))
    with pytest.raises(gspread.exceptions.APIError, match="Cannot find field") as unknown:
        spreadsheet.batch_update({"requests": [{"makeCoffee": {}}]})
    assert unknown.value.code == 400
    with pytest.raises(gspread.exceptions.APIError, match="does not implement") as unmodelled:
        spreadsheet.batch_update({"requests": [{"mergeCells": {"range": {"sheetId": 0}}}]})
    assert unmodelled.value.code == 501
    with pytest.raises(gspread.exceptions.APIError, match="at least one request"):
        spreadsheet.batch_update({"requests": []})


def test_sheet_rules_google_enforces(server, gc) -> None:
    spreadsheet = gc.open_by_key(server.create_spreadsheet("Rules", {"Sheet1": []}))
    with pytest.raises(gspread.exceptions.APIError, match="already exists"):
        spreadsheet.add_worksheet("sheet1", 10, 10)  # titles are case-insensitive
    with pytest.raises(gspread.exceptions.APIError, match="remove all the sheets"):
        spreadsheet.del_worksheet(spreadsheet.sheet1)
    with pytest.raises(gspread.exceptions.APIError, match="freeze all visible rows"):
        spreadsheet.sheet1.freeze(rows=1000)


def test_the_ten_million_cell_limit_is_googles(server, gc) -> None:
    spreadsheet = gc.open_by_key(server.create_spreadsheet("Huge", {"Sheet1": []}))
    with pytest.raises(gspread.exceptions.APIError) as refused:
        spreadsheet.add_worksheet("Too big", rows=400_000, cols=26)
    assert refused.value.error["message"] == (
        "Invalid requests[0].addSheet: This action would increase the number of cells in "
        "the workbook above the limit of 10000000 cells."
    )
    spreadsheet.sheet1.resize(rows=384_000)  # 9,984,000 cells: allowed
    with pytest.raises(gspread.exceptions.APIError, match="above the limit"):
        # INSERT_ROWS adds 1000 rows (26,000 cells) before writing.
        spreadsheet.sheet1.append_rows([["x"]] * 1000, insert_data_option="INSERT_ROWS")
    assert server.spreadsheet(spreadsheet.id).sheet("Sheet1").row_count == 384_000


def test_worksheet_helpers_update_properties(server, gc) -> None:
    sid = server.create_spreadsheet("Props", {"A": [], "B": [], "C": [["keep"]] + [["x"]] * 9})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.worksheet("A").update_title("Alpha")
    spreadsheet.worksheet("C").update_tab_color("#ff0000")
    spreadsheet.worksheet("B").hide()
    spreadsheet.reorder_worksheets([spreadsheet.worksheet("C"), spreadsheet.worksheet("Alpha")])
    spreadsheet.worksheet("C").resize(rows=5, cols=3)
    state = server.spreadsheet(sid)
    assert state.sheet_titles == ["C", "Alpha", "B"]
    assert [s.index for s in state.sheets] == [0, 1, 2]
    assert state.sheet("B").hidden
    assert state.sheet("C").tab_color == {"red": 1, "green": 0, "blue": 0}
    assert (state.sheet("C").row_count, state.sheet("C").column_count) == (5, 3)
    assert len(state.sheet("C").values) == 5  # shrinking drops the cells beyond the grid
    spreadsheet.update_title("Renamed")
    assert server.spreadsheet(sid).title == "Renamed"


def test_developer_metadata_is_found_by_key_and_by_id(server, gc) -> None:
    sid = server.create_spreadsheet("Meta", {"Sheet1": [], "Other": []})
    spreadsheet = gc.open_by_key(sid)
    other = spreadsheet.worksheet("Other").id

    def marker(key: str, location: dict) -> dict:
        return {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": key,
                    "metadataValue": "v1",
                    "location": location,
                    "visibility": "DOCUMENT",
                }
            }
        }

    replies = spreadsheet.batch_update(
        {
            "requests": [
                marker("sheetcrm.version", {"spreadsheet": True}),
                marker("sheetcrm.tab", {"sheetId": other}),
                marker(
                    "sheetcrm.header",
                    {
                        "dimensionRange": {
                            "sheetId": other,
                            "dimension": "ROWS",
                            "startIndex": 0,
                            "endIndex": 1,
                        }
                    },
                ),
            ]
        }
    )["replies"]
    ids = [r["createDeveloperMetadata"]["developerMetadata"]["metadataId"] for r in replies]

    client = spreadsheet.client
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{sid}/developerMetadata"
    found = client.request(
        "post",
        url + ":search",
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "sheetcrm.tab"}}]},
    ).json()
    assert [m["developerMetadata"]["metadataId"] for m in found["matchedDeveloperMetadata"]] == [
        ids[1]
    ]
    assert found["matchedDeveloperMetadata"][0]["dataFilters"] == [
        {"developerMetadataLookup": {"metadataKey": "sheetcrm.tab"}}
    ]
    on_row = client.request(
        "post", url + ":search", json={"dataFilters": [{"a1Range": "Other!A1:C1"}]}
    ).json()
    assert {m["developerMetadata"]["metadataKey"] for m in on_row["matchedDeveloperMetadata"]} == {
        "sheetcrm.tab",
        "sheetcrm.header",
    }
    nothing = client.request(
        "post",
        url + ":search",
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "absent"}}]},
    ).json()
    assert nothing == {}
    assert client.request("get", f"{url}/{ids[0]}").json()["location"] == {
        "locationType": "SPREADSHEET",
        "spreadsheet": True,
    }
    with pytest.raises(gspread.exceptions.APIError) as missing:
        client.request("get", f"{url}/1")
    assert missing.value.code == 404

    deleted = spreadsheet.batch_update(
        {
            "requests": [
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {
                            "developerMetadataLookup": {"metadataKey": "sheetcrm.header"}
                        }
                    }
                }
            ]
        }
    )["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]
    assert [d["metadataId"] for d in deleted] == [ids[2]]
    # Deleting a sheet deletes the metadata on it.
    spreadsheet.del_worksheet(spreadsheet.worksheet("Other"))
    assert [m["metadataId"] for m in server.spreadsheet(sid).developer_metadata] == [ids[0]]


def test_row_metadata_moves_with_inserted_rows(server, gc) -> None:
    sid = server.create_spreadsheet("Move", {"Sheet1": [["h"], ["a"], ["b"]]})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "row",
                            "location": {
                                "dimensionRange": {
                                    "sheetId": 0,
                                    "dimension": "ROWS",
                                    "startIndex": 2,
                                    "endIndex": 3,
                                }
                            },
                            "visibility": "DOCUMENT",
                        }
                    }
                },
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}
                    }
                },
            ]
        }
    )
    state = server.spreadsheet(sid)
    assert state.sheet("Sheet1").values == [["h"], [], [], ["a"], ["b"]]
    assert state.developer_metadata[0]["location"]["dimensionRange"]["startIndex"] == 4
    assert state.sheet("Sheet1").row_count == 1002


def test_charts_and_conditional_formats_are_stored(server, gc) -> None:
    sid = server.create_spreadsheet("Charts", {"Sheet1": [["seg", "n"], ["VIP", 3], ["New", 5]]})
    spreadsheet = gc.open_by_key(sid)
    source = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 3}
    reply = spreadsheet.batch_update(
        {
            "requests": [
                {
                    "addChart": {
                        "chart": {
                            "spec": {
                                "title": "Customers by segment",
                                "basicChart": {
                                    "chartType": "COLUMN",
                                    "domains": [
                                        {
                                            "domain": {
                                                "sourceRange": {
                                                    "sources": [
                                                        source
                                                        | {
                                                            "startColumnIndex": 0,
                                                            "endColumnIndex": 1,
                                                        }
                                                    ]
                                                }
                                            }
                                        }
                                    ],
                                    "series": [
                                        {
                                            "series": {
                                                "sourceRange": {
                                                    "sources": [
                                                        source
                                                        | {
                                                            "startColumnIndex": 1,
                                                            "endColumnIndex": 2,
                                                        }
                                                    ]
                                                }
                                            }
                                        }
                                    ],
                                },
                            },
                            "position": {
                                "overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 5}}
                            },
                        }
                    }
                },
                {
                    "addConditionalFormatRule": {
                        "rule": {
                            "ranges": [{"sheetId": 0, "startColumnIndex": 1, "endColumnIndex": 2}],
                            "booleanRule": {
                                "condition": {
                                    "type": "NUMBER_GREATER",
                                    "values": [{"userEnteredValue": "4"}],
                                },
                                "format": {"textFormat": {"bold": True}},
                            },
                        },
                        "index": 0,
                    }
                },
            ]
        }
    )
    chart = reply["replies"][0]["addChart"]["chart"]
    assert isinstance(chart["chartId"], int)
    assert chart["position"]["overlayPosition"]["anchorCell"] == {"sheetId": 0, "rowIndex": 5}
    tab = server.spreadsheet(sid).sheet("Sheet1")
    assert [c["spec"]["title"] for c in tab.charts] == ["Customers by segment"]
    assert tab.conditional_formats[0]["booleanRule"]["condition"]["type"] == "NUMBER_GREATER"

    spreadsheet.batch_update(
        {"requests": [{"deleteEmbeddedObject": {"objectId": chart["chartId"]}}]}
    )
    assert server.spreadsheet(sid).sheet("Sheet1").charts == []


def test_duplicate_sheet_copies_the_grid_but_not_developer_metadata(server, gc) -> None:
    sid = server.create_spreadsheet("Dup", {"Sheet1": [["x"]]})
    spreadsheet = gc.open_by_key(sid)
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "tab",
                            "location": {"sheetId": 0},
                            "visibility": "DOCUMENT",
                        }
                    }
                }
            ]
        }
    )
    copy = spreadsheet.duplicate_sheet(0)
    assert copy.title == "Copy of Sheet1"
    state = server.spreadsheet(sid)
    assert state.sheet("Copy of Sheet1").values == [["x"]]
    assert state.sheet("Copy of Sheet1").developer_metadata == []
    assert len(state.sheet("Sheet1").developer_metadata) == 1


def test_spreadsheets_get_honours_fields_ranges_and_grid_data(server, gc) -> None:
    sid = server.create_spreadsheet("Get", {"Sheet1": [["a", 1]], "Other": [["z"]]})
    spreadsheet = gc.open_by_key(sid)
    props_only = spreadsheet.fetch_sheet_metadata(params={"fields": "sheets.properties.title"})
    assert props_only == {
        "sheets": [{"properties": {"title": "Sheet1"}}, {"properties": {"title": "Other"}}]
    }
    grid = spreadsheet.fetch_sheet_metadata(
        params={"includeGridData": "true", "ranges": ["Other!A1:B2"]}
    )
    assert [s["properties"]["title"] for s in grid["sheets"]] == ["Other"]
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell["userEnteredValue"] == {"stringValue": "z"}
    assert cell["effectiveValue"] == {"stringValue": "z"}
    assert cell["formattedValue"] == "z"
    masked = spreadsheet.fetch_sheet_metadata(
        params={"ranges": "Sheet1!B1", "fields": "sheets.data.rowData.values.effectiveValue"}
    )
    assert masked == {
        "sheets": [{"data": [{"rowData": [{"values": [{"effectiveValue": {"numberValue": 1}}]}]}]}]
    }
