"""Failures as gspread sees them, the quota window, the request log, Drive, and the
redirecting session's refusal to reach anything but the fake."""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest
import requests

from sheetcrm.fakesheets import (
    FakeSheetsServer,
    OutboundRequestRefused,
    client_for,
    redirecting_session,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSheetsServer]:
    with FakeSheetsServer(seed=3) as fake:
        yield fake


@pytest.fixture
def gc(server: FakeSheetsServer) -> gspread.Client:
    return client_for(server.root_url)


class FakeClock:
    """Time that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_unknown_spreadsheet_is_404_not_found(gc) -> None:
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("no-such-id")
    with pytest.raises(gspread.exceptions.APIError) as missing:
        gc.http_client.values_get("no-such-id", "A1")
    assert missing.value.error == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }


def test_a_sheet_not_shared_with_the_caller_is_403(server, gc) -> None:
    sid = server.create_spreadsheet("Private", {"Sheet1": [["secret"]]})
    server.deny(sid)
    with pytest.raises(PermissionError):  # how gspread's open_by_key reports a 403
        gc.open_by_key(sid)
    with pytest.raises(gspread.exceptions.APIError) as denied:
        gc.http_client.values_get(sid, "A1")
    assert denied.value.code == 403
    assert denied.value.error["status"] == "PERMISSION_DENIED"
    assert denied.value.error["message"] == "The caller does not have permission"
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open("Private")  # Drive does not list it either
    server.allow(sid)
    assert gc.open("Private").sheet1.get_all_values() == [["secret"]]


def test_injected_500_fails_the_next_batch_update_only(server, gc) -> None:
    sid = server.create_spreadsheet("Flaky", {"Sheet1": []})
    spreadsheet = gc.open_by_key(sid)
    server.fail_next(500, on=r":batchUpdate$")
    spreadsheet.sheet1.get_all_values()  # not a batchUpdate: unaffected
    with pytest.raises(gspread.exceptions.APIError) as failed:
        spreadsheet.add_worksheet("Tab", 5, 5)
    assert failed.value.code == 500
    assert failed.value.error["status"] == "INTERNAL"
    assert server.spreadsheet(sid).sheet_titles == ["Sheet1"]
    spreadsheet.add_worksheet("Tab", 5, 5)
    assert server.spreadsheet(sid).sheet_titles == ["Sheet1", "Tab"]


def test_injected_failures_repeat_as_asked(server, gc) -> None:
    sid = server.create_spreadsheet("Busy", {"Sheet1": []})
    spreadsheet = gc.open_by_key(sid)
    server.fail_next(503, times=2, method="GET")
    codes = []
    for _ in range(3):
        try:
            spreadsheet.sheet1.get_all_values()
            codes.append(200)
        except gspread.exceptions.APIError as error:
            codes.append(error.code)
    assert codes == [503, 503, 200]
    server.fail_next(429, on="values")
    with pytest.raises(gspread.exceptions.APIError) as limited:
        spreadsheet.sheet1.update([["x"]], "A1")
    assert limited.value.error["status"] == "RESOURCE_EXHAUSTED"
    assert "Write requests per minute per user" in limited.value.error["message"]


def test_quota_refuses_beyond_n_requests_a_minute_then_recovers() -> None:
    clock = FakeClock()
    with FakeSheetsServer(clock=clock) as server:
        sid = server.create_spreadsheet("Quota", {"Sheet1": [["a"]]})
        sheet = client_for(server.root_url).open_by_key(sid).sheet1
        server.quota_per_minute = 3
        sheet.get_all_values()
        sheet.get_all_values()
        clock.now += 30
        sheet.get_all_values()
        with pytest.raises(gspread.exceptions.APIError) as limited:
            sheet.get_all_values()
        assert limited.value.code == 429
        assert limited.value.error["message"].startswith(
            "Quota exceeded for quota metric 'Read requests'"
        )
        clock.now += 30  # the first two requests leave the 60-second window
        sheet.get_all_values()
        sheet.get_all_values()
        with pytest.raises(gspread.exceptions.APIError) as write_limited:
            sheet.update([["b"]], "A1")
        assert "'Write requests'" in write_limited.value.error["message"]
        assert [entry.status for entry in server.request_log][-4:] == [429, 200, 200, 429]
        assert server.spreadsheet(sid).sheet("Sheet1").value("A1") == "a"


def test_request_log_counts_every_request(server, gc) -> None:
    sid = server.create_spreadsheet("Logged", {"Sheet1": []})
    sheet = gc.open_by_key(sid).sheet1
    server.clear_request_log()
    sheet.update([["a", "b"]], "A1", value_input_option="RAW")
    sheet.get_all_values()
    with pytest.raises(gspread.exceptions.APIError):
        sheet.update([["x"]], "A5000")
    log = server.request_log
    assert [(e.method, e.status) for e in log] == [("PUT", 200), ("GET", 200), ("PUT", 400)]
    assert log[0].path == f"/v4/spreadsheets/{sid}/values/'Sheet1'!A1"
    assert log[0].query == {"valueInputOption": ["RAW"]}
    assert log[0].body_size == len(b'{"values": [["a", "b"]], "majorDimension": null}')
    assert log[1].path == f"/v4/spreadsheets/{sid}/values/'Sheet1'"
    assert log[1].body_size == 0


def test_bodies_over_the_size_limit_are_refused() -> None:
    with FakeSheetsServer(max_body_bytes=1000) as server:
        sid = server.create_spreadsheet("Big", {"Sheet1": []})
        sheet = client_for(server.root_url).open_by_key(sid).sheet1
        with pytest.raises(gspread.exceptions.APIError) as refused:
            sheet.update([["x" * 2000]], "A1")
        assert refused.value.code == 400
        assert refused.value.error["message"] == (
            "Request payload size exceeds the limit: 1000 bytes."
        )
        sheet.update([["small"]], "A1")  # the connection is still usable


def test_drive_create_list_open_by_title_share_and_delete(server, gc) -> None:
    created = gc.create("Drive made")
    assert created.sheet1.title == "Sheet1"
    assert gc.open("Drive made").id == created.id
    assert created.id in {f["id"] for f in gc.list_spreadsheet_files("Drive made")}
    created.share("seller@example.com", perm_type="user", role="writer", notify=False)
    roles = {(p.get("emailAddress"), p["role"]) for p in created.list_permissions()}
    assert ("seller@example.com", "writer") in roles
    copied = gc.copy(created.id)
    assert copied.title == "Copy of Drive made"
    assert created.get_lastUpdateTime().endswith("Z")
    gc.del_spreadsheet(created.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open("Drive made")


def test_redirecting_session_refuses_anything_but_the_fake(server) -> None:
    session = redirecting_session(server.root_url)
    for url in (
        "https://oauth2.googleapis.com/token",
        "https://example.com/",
        "http://10.0.0.1/v4/spreadsheets/x",
        "https://sheets.googleapis.com:8443/v4/spreadsheets/x",
    ):
        with pytest.raises(OutboundRequestRefused):
            session.get(url, timeout=1)
    # Google's hosts are rewritten to the fake, not contacted.
    assert (
        session.get("https://sheets.googleapis.com/v4/spreadsheets/nope", timeout=5).status_code
        == 404
    )
    with pytest.raises(ValueError, match="loopback"):
        redirecting_session("http://192.168.1.10:8765")
    with pytest.raises(ValueError, match="loopback"):
        redirecting_session("https://sheets.googleapis.com")


def test_token_refresh_cannot_reach_google(server) -> None:
    from google.oauth2.credentials import Credentials

    expired = Credentials(
        token=None,
        refresh_token="r",
        client_id="c",
        client_secret="s",
        token_uri="https://oauth2.googleapis.com/token",
    )
    session = redirecting_session(server.root_url, expired)
    with pytest.raises(OutboundRequestRefused):
        session.get("https://sheets.googleapis.com/v4/spreadsheets/x", timeout=5)


def test_plain_requests_sees_googles_error_body(server) -> None:
    response = requests.post(
        f"{server.root_url}/v4/spreadsheets/unknown:batchUpdate", json={"requests": []}, timeout=5
    )
    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"
    bad_json = requests.post(
        f"{server.root_url}/v4/spreadsheets",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert bad_json.status_code == 400
    created = requests.post(
        f"{server.root_url}/v4/spreadsheets",
        json={"properties": {"title": "Via API"}, "sheets": [{"properties": {"title": "売上"}}]},
        timeout=5,
    ).json()
    assert created["properties"]["title"] == "Via API"
    assert created["sheets"][0]["properties"] == {
        "sheetId": 0,
        "title": "売上",
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
