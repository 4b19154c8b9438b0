"""``sync``: the same refresh as ``sheetcrm refresh``, on a Google Sheet.

Usage::

    from sheetcrm.gsheets import sync

    url = "https://docs.google.com/spreadsheets/d/1AbC…/edit"
    report = sync(url, credentials=Path("key.json"))
    report.tabs       # the generated tabs, in order
    report.requests   # {"spreadsheets.get": 1, "values.batchGet": 1,
                      #  "spreadsheets.batchUpdate": 1}

A sync reads in two requests (:mod:`sheetcrm.gsheets.read`), runs the very analysis
``refresh`` runs (:func:`sheetcrm.pipeline.analyse_source`), renders the same output
model (:func:`sheetcrm.outputs.build_output`, :mod:`sheetcrm.gsheets.render`) and writes
every generated tab in one all-or-nothing ``spreadsheets.batchUpdate``
(:mod:`sheetcrm.gsheets.write`) — three requests whatever the size, until the values
outgrow Google's request size and must be staged.  Only tabs sheetcrm generated and
still owns are written; the seller's tabs, the Settings tab (created once, then theirs)
and tabs of ours the seller renamed or edited are never touched.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetcrm.gsheets.retry import RetryPolicy, Sleep
from sheetcrm.gsheets.write import MAX_REQUEST_BYTES

if TYPE_CHECKING:
    from sheetcrm.analysis import Analysis
    from sheetcrm.gsheets.api import SheetsApi

Progress = Callable[[str], None]

_RELEASE_REASONS = {
    "renamed": ("renamed", "名前が変更された"),
    "edited": ("edited", "編集された"),
    "unrecorded": ("not recorded by sheetcrm", "sheetcrm の記録がない"),
    "duplicate": ("a second copy", "重複したコピー"),
}


def _silent(_: str) -> None:
    pass


@dataclass(frozen=True)
class Notice:
    """Something the user should know about a sync that went through."""

    en: str
    ja: str

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class SyncReport:
    """What a sync did: the analysis, the tabs, and what it cost in requests."""

    analysis: Analysis
    spreadsheet_id: str
    title: str
    tabs: tuple[str, ...]  # generated tabs written (or, for a dry run, that would be)
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    released: tuple[tuple[str, str], ...] = ()  # (title, why) left alone as the seller's
    kept: tuple[str, ...] = ()  # the Settings tab
    dry_run: bool = False
    requests: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    bytes_sent: int = 0
    write_requests: int = 0
    split_reason: str | None = None
    truncated_cells: int = 0
    cells_after: int = 0
    notices: tuple[Notice, ...] = ()

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"

    @property
    def request_count(self) -> int:
        return sum(self.requests.values())


def sync(
    spreadsheet: str,
    *,
    credentials: Path | None = None,
    as_of: dt.date | None = None,
    lang: str | None = None,
    dry_run: bool = False,
    keep_identical_rows: bool | None = None,
    progress: Progress = _silent,
    api: SheetsApi | None = None,
    policy: RetryPolicy | None = None,
    sleep: Sleep = time.sleep,
    max_request_bytes: int = MAX_REQUEST_BYTES,
    rng: random.Random | None = None,
) -> SyncReport:
    """Analyse the Google spreadsheet ``spreadsheet`` (URL or key) and write the tabs.

    ``api`` replaces signing in with ``credentials`` (tests pass one built on the fake);
    ``policy``/``sleep`` control retries; ``max_request_bytes`` is the size above which
    the write is staged over several requests.
    """
    from sheetcrm.forget import with_forget_tab
    from sheetcrm.gsheets.connect import connect, spreadsheet_key
    from sheetcrm.gsheets.plan import plan_write
    from sheetcrm.gsheets.read import read_spreadsheet
    from sheetcrm.gsheets.render import render_tabs
    from sheetcrm.gsheets.write import execute
    from sheetcrm.outputs import build_output
    from sheetcrm.pipeline import analyse_source

    key = spreadsheet_key(spreadsheet)
    if api is None:
        progress("connect")
        api = connect(credentials, policy=policy, sleep=sleep)
    notices = [Notice(w, w) for w in api.account.warnings]
    progress("read")
    read = read_spreadsheet(api, key)
    progress("recognise")
    source = read.source()
    analysis = analyse_source(
        source, as_of=as_of, lang=lang, keep_identical_rows=keep_identical_rows, progress=progress
    )
    progress("render")
    # As refresh (pipeline.write_back) builds it: the Settings tab is created once and is
    # the seller's after that; the hidden list of people to forget is carried over.
    with_settings = not (source.has_settings_tab or read.ownership.settings)
    model = build_output(analysis, with_settings_tab=with_settings)
    contents = render_tabs(with_forget_tab(model, source.forget_list()))
    plan = plan_write(read.tabs, read.ownership, contents, rng)
    truncated = sum(c.truncated for c in contents)
    if truncated:
        notices.append(
            Notice(
                f"{truncated} cell(s) held more than Google's 50,000 characters and were "
                "cut, ending with '…'.",
                f"{truncated} 個のセルが Google の上限 50,000 文字を超えたため、末尾を「…」にして"
                "切り詰めました。",
            )
        )
    for tab, why in plan.released:
        en, ja = _RELEASE_REASONS.get(why, (why, why))
        notices.append(
            Notice(
                f"'{tab.title}' was {en} by hand, so it is yours now: sheetcrm left it as it "
                "is and wrote a fresh tab. Delete it when you no longer need it.",
                f"「{tab.title}」は手作業で{ja}ため、あなたのタブとして扱い、そのまま残しました"
                "（新しいタブを書き込みました）。不要になったら削除してください。",
            )
        )
    result = None
    if not dry_run:
        result = execute(
            api, key, plan, max_request_bytes=max_request_bytes, progress=progress, rng=rng
        )
        if result.split_reason:
            notices.append(
                Notice(
                    f"The write was split into {result.requests} requests because "
                    f"{result.split_reason}; the values were staged in hidden tabs and "
                    "swapped in by the last request, so the change still appeared at once.",
                    f"書き込み量が Google の 1 リクエストの上限を超えたため {result.requests} 回の"
                    "リクエストに分けました。値は非表示の作業用タブに書いてから最後のリクエストで"
                    "一度に入れ替えたので、途中の状態は見えていません。",
                )
            )
    return SyncReport(
        analysis=analysis,
        spreadsheet_id=key,
        title=read.title,
        tabs=tuple(w.title for w in plan.writes),
        added=tuple(w.title for w in plan.added),
        replaced=tuple(w.title for w in plan.replaced),
        removed=tuple(t.title for t in plan.removed),
        released=tuple((t.title, why) for t, why in plan.released),
        kept=tuple(t.title for t in plan.kept),
        dry_run=dry_run,
        requests=dict(api.stats.requests),
        retries=api.stats.retries,
        bytes_sent=api.stats.bytes_sent,
        write_requests=result.requests if result else 0,
        split_reason=result.split_reason if result else None,
        truncated_cells=truncated,
        cells_after=plan.cells_after,
        notices=tuple(notices),
    )
