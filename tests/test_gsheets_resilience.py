"""Sync under failure: all-or-nothing writes, retries with back-off, quotas, request
counts that do not grow with the data, writes too large for one request, Google's limits."""

from __future__ import annotations

import random

import pytest
from gsheets_helpers import AS_OF, api_for, fast_policy, shop, tab_state

from sheetcrm.errors import GoogleUnavailable, QuotaExceeded, SpreadsheetTooLarge
from sheetcrm.fakesheets import FakeSheetsServer
from sheetcrm.gsheets import plan as plan_module
from sheetcrm.gsheets import sync
from sheetcrm.gsheets.cells import MAX_CELL_CHARS
from sheetcrm.gsheets.retry import RetryPolicy

BATCH_UPDATE = r":batchUpdate$"


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run(server, sid, **options):
    api = api_for(
        server,
        policy=options.pop("policy", None),
        sleep=options.pop("sleep", None) or (lambda s: None),
    )
    options.setdefault("as_of", AS_OF)
    return sync(sid, api=api, **options)


@pytest.fixture
def server():
    with FakeSheetsServer(seed=33) as fake:
        yield fake


@pytest.mark.parametrize("earlier_sync", [False, True])
def test_a_write_that_keeps_failing_changes_nothing(server, earlier_sync) -> None:
    sid = shop(server, 60)
    if earlier_sync:
        run(server, sid)
    before = server.spreadsheet(sid)
    server.fail_next(500, times=3, on=BATCH_UPDATE)
    with pytest.raises(GoogleUnavailable) as failed:
        run(server, sid, policy=fast_policy(tries=3))
    assert "Nothing was changed" in str(failed.value)
    assert failed.value.exit_code == 3
    assert server.spreadsheet(sid) == before


def test_one_transient_failure_is_retried_and_the_sync_succeeds(server) -> None:
    sid = shop(server, 60)
    server.fail_next(503, times=1, on=BATCH_UPDATE)
    report = run(server, sid)
    assert report.retries == 1
    assert report.requests["spreadsheets.batchUpdate"] == 2
    assert "顧客分析" in server.spreadsheet(sid).sheet_titles


def test_429_backs_off_exponentially_until_the_quota_window_passes() -> None:
    clock = FakeClock()
    with FakeSheetsServer(seed=34, quota_per_minute=2, clock=clock) as server:
        sid = shop(server, 30)
        policy = RetryPolicy(tries=8, rng=random.Random(1))
        report = run(server, sid, policy=policy, sleep=clock.sleep)
    # get and batchGet fit the window; the batchUpdate waits for it to slide.
    assert report.retries == len(clock.sleeps) >= 1
    assert sum(clock.sleeps) >= 60
    for attempt, waited in enumerate(clock.sleeps):
        assert 2**attempt <= waited <= 2**attempt + 1  # exponential, plus up to 1 s jitter
    assert report.requests["spreadsheets.batchUpdate"] == 1 + report.retries


def test_a_quota_that_never_frees_up_is_reported_plainly() -> None:
    clock = FakeClock()
    with FakeSheetsServer(seed=35, quota_per_minute=1, clock=clock) as server:
        sid = shop(server, 30)
        with pytest.raises(QuotaExceeded) as refused:
            run(
                server, sid, policy=RetryPolicy(tries=3, rng=random.Random(2)), sleep=lambda s: None
            )
    assert "quota" in str(refused.value)
    assert "Wait a few minutes" in str(refused.value)
    assert "上限" in refused.value.message_for("ja")


def test_request_count_does_not_grow_with_the_rows(server) -> None:
    counts = {}
    for rows in (100, 5_000):
        sid = shop(server, rows)
        report = run(server, sid)
        counts[rows] = report.requests
        assert report.write_requests == 1 and report.split_reason is None
        resync = run(server, sid)
        assert resync.requests == report.requests
    assert (
        counts[100]
        == counts[5_000]
        == {
            "spreadsheets.get": 1,
            "values.batchGet": 1,
            "spreadsheets.batchUpdate": 1,
        }
    )


def test_a_write_too_large_for_one_request_is_staged_then_swapped_at_once(server) -> None:
    small = shop(server, 100)
    large = shop(server, 100)
    reference = run(server, small)
    seen = []
    report = run(server, large, max_request_bytes=120_000, progress=seen.append)

    assert report.write_requests >= 3  # create staging, fill it, swap
    assert report.split_reason and "120,000" in report.split_reason
    assert any("staged" in n.en for n in report.notices)
    assert f"write {report.write_requests}/{report.write_requests}" in seen
    state, expected = server.spreadsheet(large), server.spreadsheet(small)
    assert state.sheet_titles == expected.sheet_titles  # no staging tab left
    for title in reference.tabs:
        assert state.sheet(title).values == expected.sheet(title).values
        ours, theirs = tab_state(state.sheet(title)), tab_state(expected.sheet(title))
        for key in ("cells", "rules", "filter", "columns"):
            assert _without_ids(ours[key]) == _without_ids(theirs[key]), (title, key)
    again = run(server, large, max_request_bytes=120_000)  # in place, staged again
    assert again.released == () and set(again.replaced) == set(again.tabs)
    assert server.spreadsheet(large).sheet_titles == expected.sheet_titles


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "sheetId"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_a_staged_write_failing_at_the_swap_leaves_the_visible_tabs_as_they_were(
    server,
) -> None:
    sid = shop(server, 100)
    run(server, sid)
    before = server.spreadsheet(sid)

    def break_the_swap(stage: str) -> None:
        step, _, total = stage.partition(" ")[2].partition("/")
        if step and step == total:  # the last (swap) request
            server.fail_next(500, times=3, on=BATCH_UPDATE)

    with pytest.raises(GoogleUnavailable):
        run(server, sid, max_request_bytes=120_000, progress=break_the_swap, policy=fast_policy(3))
    assert server.spreadsheet(sid) == before  # staging tabs were cleaned up too


def test_staging_left_by_an_interrupted_sync_is_deleted_by_the_next(server) -> None:
    sid = shop(server, 100)
    visible = server.spreadsheet(sid).sheet_titles

    class Interrupted(Exception):
        pass

    def interrupt(stage: str) -> None:
        step, _, total = stage.partition(" ")[2].partition("/")
        if step and step == total:
            raise Interrupted  # e.g. Ctrl-C before the swap

    with pytest.raises(Interrupted):
        run(server, sid, max_request_bytes=120_000, progress=interrupt)
    leftover = server.spreadsheet(sid)
    staging = [s for s in leftover.sheets if s.title.startswith("sheetcrm staging")]
    assert staging and all(s.hidden for s in staging)
    assert [s.title for s in leftover.sheets if not s.hidden] == visible

    run(server, sid)
    assert not any(t.startswith("sheetcrm staging") for t in server.spreadsheet(sid).sheet_titles)


def test_text_over_googles_cell_limit_is_cut_and_reported(server) -> None:
    # 姓 and 名 columns are joined into one name: 60,001 characters, over the limit.
    customers = [["姓", "名", "メール"], ["長" * 30_000, "名" * 30_000, "l@example.jp"]]
    orders = [["注文日", "メール", "金額"], ["2024/1/5", "l@example.jp", 100]]
    sid = server.create_spreadsheet("Long", {"顧客": customers, "注文": orders}, locale="ja_JP")
    report = run(server, sid)
    assert report.truncated_cells >= 1
    assert any("50,000" in n.en for n in report.notices)
    names = [
        cell["userEnteredValue"]["stringValue"]
        for cell in server.spreadsheet(sid).sheet("顧客分析").cells.values()
        if cell.get("userEnteredValue", {}).get("stringValue", "").startswith("長長")
    ]
    assert names and all(len(n) == MAX_CELL_CHARS and n.endswith("…") for n in names)
    assert run(server, sid).released == ()  # the cut text fingerprints as written


def test_more_cells_than_google_allows_is_refused_before_writing(server, monkeypatch) -> None:
    sid = shop(server, 30)
    before = server.spreadsheet(sid)
    monkeypatch.setattr(plan_module, "MAX_CELLS", 53_000)  # the seller's tabs hold 52,000
    with pytest.raises(SpreadsheetTooLarge) as refused:
        run(server, sid)
    assert "Nothing was changed" in str(refused.value)
    assert server.spreadsheet(sid) == before
