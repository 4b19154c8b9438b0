"""``sync`` end to end against the fake, through the real gspread/google-auth/requests stack:
the messy Japanese sheet, re-syncs, text that looks like a formula, the seller's tabs,
the Settings tab, renamed and edited tabs, and the duplicate decisions round trip."""

from __future__ import annotations

from collections.abc import Iterator

import gspread
import pytest
from gsheets_helpers import (
    AS_OF,
    NOTES,
    ORDERS,
    api_for,
    marked,
    shop,
    tab_state,
)

from sheetcrm.decisions import MEMORY_TITLE
from sheetcrm.fakesheets import FakeSheetsServer, client_for
from sheetcrm.gsheets import sync

CUSTOMERS = "顧客分析"
DUPLICATES = "重複候補"
SETTINGS = "設定"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSheetsServer]:
    with FakeSheetsServer(seed=21) as fake:
        yield fake


@pytest.fixture
def gc(server: FakeSheetsServer) -> gspread.Client:
    return client_for(server.root_url)


def run(server: FakeSheetsServer, sid: str, **options):
    options.setdefault("as_of", AS_OF)
    return sync(sid, api=api_for(server), **options)


def test_full_sync_writes_every_generated_tab_in_three_requests(server) -> None:
    sid = shop(server, 100)
    report = run(server, sid)

    assert report.requests == {
        "spreadsheets.get": 1,
        "values.batchGet": 1,
        "spreadsheets.batchUpdate": 1,
    }
    state = server.spreadsheet(sid)
    # The seller's tabs first, then ours in the model's order.
    assert state.sheet_titles[:2] == [ORDERS, NOTES]
    assert state.sheet_titles[2:] == list(report.tabs)
    assert report.tabs[0] == "サマリー"
    assert {CUSTOMERS, "データの問題", DUPLICATES, SETTINGS} <= set(report.tabs)
    assert set(marked(state)) == set(report.tabs)

    analysis = report.analysis
    # Title rows skipped, 4 date notations read, yen text read, the vague date reported.
    assert analysis.rows_read()["orders"] == 105
    issues = state.sheet("データの問題").values
    assert any("注文!B" in " ".join(row) and "3月頃" in row for row in issues)
    # Same e-mail in another case, a name with spaces and 様: one customer each.
    assert len(analysis.customers) == analysis.customers["email"].str.lower().nunique()


def test_generated_tabs_look_like_the_xlsx_ones(server) -> None:
    sid = shop(server, 100)
    run(server, sid)
    tab = server.spreadsheet(sid).sheet(CUSTOMERS)
    header = tab.format("A1")
    assert header["textFormat"]["bold"] is True
    assert header["backgroundColorStyle"]["rgbColor"] == {
        "red": 0.1216,
        "green": 0.4353,
        "blue": 0.4706,
    }
    assert tab.frozen_row_count == 1
    assert tab.basic_filter["range"]["startRowIndex"] == 0
    assert tab.tab_color is not None
    headers = tab.values[0]
    money = headers.index("累計購入額")
    last = headers.index("最終購入日")
    money_cell = tab.cells[(1, money)]
    assert money_cell["userEnteredFormat"]["numberFormat"]["type"] == "CURRENCY"
    assert money_cell["formattedValue"].startswith("¥")
    assert "numberValue" in money_cell["userEnteredValue"]
    date_cell = tab.cells[(1, last)]
    assert date_cell["userEnteredFormat"]["numberFormat"] == {
        "type": "DATE",
        "pattern": "yyyy/mm/dd",
    }
    assert date_cell["formattedValue"].count("/") == 2
    (rule,) = tab.conditional_formats
    assert rule["ranges"][0]["startColumnIndex"] == headers.index("最終購入からの日数")
    assert set(rule["gradientRule"]) == {"minpoint", "midpoint", "maxpoint"}
    assert all(tab.column_width(c) != 100 for c in range(len(headers)))
    summary = server.spreadsheet(sid).sheet("サマリー")
    assert {c["spec"]["basicChart"]["chartType"] for c in summary.charts} == {"BAR", "COLUMN"}
    duplicates = server.spreadsheet(sid).sheet(DUPLICATES)
    assert duplicates.frozen_row_count == 2  # caption + header


def test_resync_gives_identical_generated_tabs(server) -> None:
    sid = shop(server, 100)
    run(server, sid)
    first = server.spreadsheet(sid)
    report = run(server, sid)
    second = server.spreadsheet(sid)

    assert report.added == () and report.removed == () and report.released == ()
    assert set(report.replaced) == set(report.tabs)
    assert first.sheet_titles == second.sheet_titles
    for title in report.tabs:
        assert tab_state(second.sheet(title)) == tab_state(first.sheet(title)), title
    assert report.requests["spreadsheets.batchUpdate"] == 1


@pytest.mark.parametrize(
    "text",
    [
        '=IMPORTXML("http://evil.example","//a")',
        '=HYPERLINK("http://evil.example","click")',
        "+1",
        "@SUM(1)",
    ],
)
def test_text_that_looks_like_a_formula_stays_text(server, text) -> None:
    sid = shop(server, 30)
    run(server, sid)
    tab = server.spreadsheet(sid).sheet(CUSTOMERS)
    name_column = tab.values[0].index("氏名")
    found = [
        cell
        for (row, col), cell in tab.cells.items()
        if col == name_column and cell.get("formattedValue") == text
    ]
    assert found, f"{text!r} not in the Customers tab"
    for cell in found:
        assert cell["userEnteredValue"] == {"stringValue": text}
        assert cell["effectiveValue"] == {"stringValue": text}


def test_the_sellers_tabs_are_byte_for_byte_unchanged(server) -> None:
    sid = shop(server, 100)
    before = server.spreadsheet(sid)
    run(server, sid)
    run(server, sid)
    after = server.spreadsheet(sid)
    for title in (ORDERS, NOTES):
        assert after.sheet(title) == before.sheet(title)


def test_settings_tab_is_created_once_then_left_to_the_seller(server, gc) -> None:
    sid = shop(server, 60)
    run(server, sid)
    settings = gc.open_by_key(sid).worksheet(SETTINGS)
    rows = settings.get_all_values()
    language_row = next(i for i, row in enumerate(rows, 1) if row and row[0] == "言語")
    settings.update([["en"]], f"B{language_row}")  # the seller switches to English
    edited = server.spreadsheet(sid).sheet(SETTINGS)
    ids = {t.title: t.sheet_id for t in server.spreadsheet(sid).sheets}

    report = run(server, sid)

    state = server.spreadsheet(sid)
    assert state.sheet(SETTINGS) == edited  # never rewritten
    assert report.kept == (SETTINGS,)
    assert SETTINGS not in report.tabs
    # The setting applied: our tabs are English now, replaced in place (same sheets).
    assert "Customer analysis" in report.tabs
    assert state.sheet("Customer analysis").sheet_id == ids[CUSTOMERS]
    assert CUSTOMERS not in state.sheet_titles


def test_a_tab_the_seller_renamed_is_no_longer_ours(server, gc) -> None:
    sid = shop(server, 60)
    run(server, sid)
    sheet = gc.open_by_key(sid).worksheet(CUSTOMERS)
    sheet.update_title("顧客分析 12月の控え")
    kept = server.spreadsheet(sid).sheet("顧客分析 12月の控え")

    report = run(server, sid)

    state = server.spreadsheet(sid)
    assert report.released == (("顧客分析 12月の控え", "renamed"),)
    assert state.sheet("顧客分析 12月の控え") == kept  # not written, not deleted
    assert CUSTOMERS in report.added  # a fresh tab took its place
    assert state.sheet(CUSTOMERS).values[0] == kept.values[0]
    # Its rows hold customers, but they were never read as the seller's data.
    assert report.analysis.rows_read()["customers"] == 0
    again = run(server, sid)
    assert again.added == ()  # stable: no copy after copy
    assert len(server.spreadsheet(sid).sheet_titles) == len(state.sheet_titles)


def test_a_tab_the_seller_edited_is_left_alone_but_sorting_is_not_an_edit(server, gc) -> None:
    sid = shop(server, 60)
    run(server, sid)
    sheet = gc.open_by_key(sid).worksheet(CUSTOMERS)

    # Sorting (here: the data rows reversed) keeps the tab ours.
    rows = sheet.get_all_values(value_render_option="UNFORMATTED_VALUE")
    sheet.update(rows[1:][::-1], "A2", raw=True)
    sorted_report = run(server, sid)
    assert sorted_report.released == ()
    assert CUSTOMERS in sorted_report.replaced

    # A note typed into the tab makes it the seller's.
    sheet.update([["電話済み"]], "B3")
    edited = server.spreadsheet(sid).sheet(CUSTOMERS)
    report = run(server, sid)
    state = server.spreadsheet(sid)
    assert report.released == ((CUSTOMERS, "edited"),)
    assert state.sheet(CUSTOMERS) == edited
    assert f"{CUSTOMERS} (2)" in report.added
    assert any(CUSTOMERS in n.text("en") for n in report.notices)


def test_tabs_no_longer_generated_are_removed_and_only_those(server, gc) -> None:
    sid = shop(server, 100)
    first = run(server, sid)
    gc.open_by_key(sid).worksheet(ORDERS).batch_clear(["A8:G200"])  # most orders go
    later = run(server, sid)
    state = server.spreadsheet(sid)
    assert later.removed
    assert set(later.removed) <= set(first.tabs)
    assert not set(later.removed) & set(state.sheet_titles)
    assert state.sheet_titles[:2] == [ORDERS, NOTES]


def test_duplicate_decisions_are_applied_and_remembered(server, gc) -> None:
    rows = [
        ["注文日", "お名前", "メール", "金額"],
        ["2024/1/5", "佐藤花子", "hanako@example.com", 1000],
        ["2024/3/5", "佐藤花子", "hanako.sato@example.jp", 2000],
        ["2024/4/5", "鈴木一郎", "ichiro@example.jp", 500],
    ]
    sid = server.create_spreadsheet("Review", {ORDERS: rows}, locale="ja_JP")
    first = run(server, sid)
    assert len(first.analysis.customers) == 3
    (a, b) = first.analysis.resolution.candidates.loc[0, ["customer_id_a", "customer_id_b"]]

    # A collaborator picks 統合する in the pair's Decision cell, in Google Sheets.
    review = gc.open_by_key(sid).worksheet(DUPLICATES)
    row = next(i for i, r in enumerate(review.get_all_values(), 1) if a in r and b in r)
    review.update([["統合する"]], f"A{row}")

    second = run(server, sid)
    assert len(second.analysis.customers) == 2
    merged = second.analysis.customers.set_index("name").loc["佐藤花子"]
    assert merged["total_spent"] == 3000
    state = server.spreadsheet(sid)
    assert state.sheet(MEMORY_TITLE).hidden
    assert marked(state)[MEMORY_TITLE] == "memory"
    assert second.released == ()  # typing a decision does not make the tab the seller's

    third = run(server, sid)  # nothing typed: the memory alone keeps them merged
    assert len(third.analysis.customers) == 2

    review = gc.open_by_key(sid).worksheet(DUPLICATES)
    row = next(i for i, r in enumerate(review.get_all_values(), 1) if a in r and b in r)
    review.update([[""]], f"A{row}")  # clearing the decision forgets it
    fourth = run(server, sid)
    assert len(fourth.analysis.customers) == 3


def test_when_the_seller_edits_during_a_sync_only_our_tabs_are_written(server, gc) -> None:
    sid = shop(server, 60)
    run(server, sid)
    notes = gc.open_by_key(sid).worksheet(NOTES)

    def collaborator(stage: str) -> None:
        if stage == "render":  # after the read, before the write
            notes.update([["在庫を確認"]], "A5")

    run(server, sid, progress=collaborator)
    state = server.spreadsheet(sid)
    assert state.sheet(NOTES).value("A5") == "在庫を確認"
    assert state.sheet_titles[:2] == [ORDERS, NOTES]


def test_dry_run_reads_but_writes_nothing(server) -> None:
    sid = shop(server, 30)
    before = server.spreadsheet(sid)
    report = run(server, sid, dry_run=True)
    assert report.dry_run and report.tabs
    assert report.requests == {"spreadsheets.get": 1, "values.batchGet": 1}
    assert server.spreadsheet(sid) == before
