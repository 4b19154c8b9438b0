"""The seller's merge / keep-apart decisions on duplicate candidates, and their memory.

The Duplicates tab is a review queue: each candidate pair has a Decision drop-down
(統合する / 別人 · merge / keep apart).  On the next refresh the decisions are read
back, applied by :mod:`sheetcrm.identity`, and remembered in a hidden tab of ours
(``sheetcrm memory``), so the workbook carries its own memory: nothing depends on a
side file, and it travels with the workbook to Google Sheets and back.  The
Duplicates tab also lists every remembered decision, where clearing the Decision cell
forgets it and changing it overrides it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from sheetcrm.labels import label
from sheetcrm.output_model import Column, SheetModel, Table
from sheetcrm.parse.dates import parse_date
from sheetcrm.reader import SourceSheet
from sheetcrm.text import fold_header, nfkc

Verdict = Literal["merge", "keep_apart"]
VERDICTS: tuple[Verdict, ...] = ("merge", "keep_apart")
MEMORY_KEY = "memory"
MEMORY_TITLE = "sheetcrm memory"
_MEMORY_COLUMNS = ("customer_id_a", "customer_id_b", "decision", "decided_on")


def verdict_label(verdict: Verdict, lang: str) -> str:
    return label("decisions", verdict, lang)


def _verdict_of(text: str | None) -> Verdict | None:
    if not text:
        return None
    folded = fold_header(text)
    for verdict in VERDICTS:
        names = {verdict, *(label("decisions", verdict, lang) for lang in ("ja", "en"))}
        if folded in {fold_header(n) for n in names}:
            return verdict
    return None


def pair_key(a: str, b: str) -> tuple[str, str]:
    """A pair of customer IDs in a fixed order, so (a, b) and (b, a) are one pair."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Decision:
    """The seller said: these two customers are one (merge) or two people (keep apart)."""

    a: str
    b: str
    verdict: Verdict
    decided_on: dt.date | None = None


@dataclass(frozen=True)
class Decisions:
    """All remembered decisions, one per pair."""

    by_pair: dict[tuple[str, str], Decision] = field(default_factory=dict)

    def of(self, verdict: Verdict) -> list[Decision]:
        return [d for d in self.by_pair.values() if d.verdict == verdict]

    def keeps_apart(self, a: str, b: str) -> bool:
        decision = self.by_pair.get(pair_key(a, b))
        return decision is not None and decision.verdict == "keep_apart"

    def __len__(self) -> int:
        return len(self.by_pair)


def _rows(sheet: SourceSheet) -> list[list[str | None]]:
    return [
        [None if pd.isna(v) else str(v).strip() or None for v in row]
        for row in sheet.cells.itertuples(index=False, name=None)
    ]


def _exact(text: str) -> str:
    return nfkc(text).strip().casefold()


def _read_memory(sheet: SourceSheet) -> dict[tuple[str, str], Decision]:
    found: dict[tuple[str, str], Decision] = {}
    rows = _rows(sheet)
    header = next((i for i, r in enumerate(rows) if r[:4] == list(_MEMORY_COLUMNS)), None)
    if header is None:
        return found
    for a, b, verdict_text, decided in (
        r[:4] + [None] * (4 - len(r[:4])) for r in rows[header + 1 :]
    ):
        verdict = _verdict_of(verdict_text)
        if a and b and verdict:
            day = parse_date(decided)[0] if decided else None
            found[pair_key(a, b)] = Decision(*pair_key(a, b), verdict, day)
    return found


def _read_review(sheet: SourceSheet) -> dict[tuple[str, str], Decision | None]:
    """Pairs listed in our Duplicates tab → the decision in their row (``None`` = blank)."""
    # Our own headers, compared exactly: folding would make "顧客ID (A)" equal "顧客ID (B)".
    titles = {
        key: {_exact(label("columns", key, lang)) for lang in ("ja", "en")}
        for key in ("decision", "customer_id_a", "customer_id_b")
    }
    listed: dict[tuple[str, str], Decision | None] = {}
    columns: dict[str, int] | None = None
    for row in _rows(sheet):
        folded = [_exact(c) if c else "" for c in row]
        positions = {
            key: next((i for i, f in enumerate(folded) if f in names), None)
            for key, names in titles.items()
        }
        if all(p is not None for p in positions.values()):
            columns = positions  # a header row (the tab holds two tables)
            continue
        if columns is None:
            continue
        cells = row + [None] * (max(columns.values()) + 1 - len(row))
        a, b = cells[columns["customer_id_a"]], cells[columns["customer_id_b"]]
        if not a or not b:
            continue
        verdict = _verdict_of(cells[columns["decision"]])
        listed[pair_key(a, b)] = Decision(*pair_key(a, b), verdict) if verdict else None
    return listed


def read_decisions(
    memory: SourceSheet | None, review: SourceSheet | None, today: dt.date
) -> Decisions:
    """Remembered decisions, updated with what the seller entered in the Duplicates tab.

    A pair listed in the Duplicates tab takes the decision in its row there (a blank
    cell forgets a remembered decision); pairs not listed keep their memory.
    """
    by_pair = _read_memory(memory) if memory is not None else {}
    if review is not None:
        for pair, decision in _read_review(review).items():
            if decision is None:
                by_pair.pop(pair, None)
            else:
                earlier = by_pair.get(pair)
                same = earlier is not None and earlier.verdict == decision.verdict
                by_pair[pair] = earlier if same else Decision(*pair, decision.verdict, today)
    return Decisions(dict(sorted(by_pair.items())))


def memory_sheet(decisions: Decisions) -> SheetModel:
    """The hidden tab that remembers decisions (stable English keys: it is for sheetcrm)."""
    frame = pd.DataFrame(
        [(d.a, d.b, d.verdict, d.decided_on) for d in decisions.by_pair.values()],
        columns=list(_MEMORY_COLUMNS),
    )
    columns = (
        Column("customer_id_a", "customer_id_a"),
        Column("customer_id_b", "customer_id_b"),
        Column("decision", "decision"),
        Column("decided_on", "decided_on", "date"),
    )
    caption = "sheetcrm: decisions on duplicate candidates (edit them in the Duplicates tab)"
    return SheetModel(
        key=MEMORY_KEY,
        title=MEMORY_TITLE,
        tables=(Table(columns, frame, caption=caption, autofilter=False),),
        freeze_header=False,
        hidden=True,
    )
