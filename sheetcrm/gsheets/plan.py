"""Decide what a sync does to each tab: replace in place, add, remove, or leave alone.

Pure logic over the tabs read and the tabs rendered, so the rules read on their own:

* a key with a tab that is still ours is **replaced in place**: same sheet, same
  position, same sheetId — so the seller's formulas that point at it keep working;
  it takes the rendered title when that title is free (a language change, or the
  ``(2)`` of an earlier fresh copy no longer needed);
* a new key is **added** after every existing tab, under the rendered title, with
  `` (2)``, `` (3)``… when a tab already has it (compared ignoring case and width);
* a tab of ours whose key is no longer rendered (a segment that became empty) is
  **removed**, as are staging leftovers of an interrupted sync;
* released tabs, the Settings tab and the seller's tabs are **left alone**.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sheetcrm.errors import SpreadsheetTooLarge
from sheetcrm.gsheets.markers import Ownership, TabInfo
from sheetcrm.gsheets.render import TabContent
from sheetcrm.package.plan import fold, unique_title

#: Google's limit on cells (rows × columns of every tab) per spreadsheet.
MAX_CELLS = 10_000_000


@dataclass(frozen=True)
class TabWrite:
    """One rendered tab and where it goes."""

    content: TabContent
    sheet_id: int
    title: str
    existing: TabInfo | None  # the tab it replaces in place, if any


@dataclass(frozen=True)
class WritePlan:
    writes: tuple[TabWrite, ...]  # in the rendered order
    removed: tuple[TabInfo, ...]
    leftovers: tuple[TabInfo, ...]  # staging tabs of an interrupted sync
    released: tuple[tuple[TabInfo, str], ...]
    kept: tuple[TabInfo, ...]  # the seller's Settings tab(s)
    cells_before: int
    cells_after: int
    sheet_ids: frozenset[int] = frozenset()  # every sheetId in use, new ones included

    @property
    def added(self) -> tuple[TabWrite, ...]:
        return tuple(w for w in self.writes if w.existing is None)

    @property
    def replaced(self) -> tuple[TabWrite, ...]:
        return tuple(w for w in self.writes if w.existing is not None)


def new_sheet_id(taken: set[int], rng: random.Random) -> int:
    """A positive int32 sheetId no tab uses (Google accepts ids chosen by the client)."""
    while True:
        candidate = rng.randint(1, 2**31 - 1)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def plan_write(
    tabs: tuple[TabInfo, ...] | list[TabInfo],
    ownership: Ownership,
    contents: list[TabContent],
    rng: random.Random | None = None,
) -> WritePlan:
    """Plan the tabs; raises :class:`SpreadsheetTooLarge` past Google's cell limit."""
    rng = rng or random.Random()
    keys = [c.key for c in contents]
    if len(set(keys)) != len(keys):
        raise ValueError("generated tab keys must be unique")
    removed = tuple(tab for key, tab in ownership.ours.items() if key not in keys)
    leftovers = tuple(ownership.staging)
    gone = {tab.sheet_id for tab in removed + leftovers}
    staying = [tab for tab in tabs if tab.sheet_id not in gone]
    taken_ids = {tab.sheet_id for tab in tabs}
    titles = {fold(tab.title): tab.sheet_id for tab in staying}
    writes = []
    for content in contents:
        existing = ownership.ours.get(content.key)
        if existing is not None:
            owner = titles.get(fold(content.title))
            title = content.title if owner in (None, existing.sheet_id) else existing.title
            if title != existing.title:
                del titles[fold(existing.title)]
                titles[fold(title)] = existing.sheet_id
            writes.append(TabWrite(content, existing.sheet_id, title, existing))
            continue
        title = unique_title(content.title, set(titles))
        sheet_id = new_sheet_id(taken_ids, rng)
        titles[fold(title)] = sheet_id
        writes.append(TabWrite(content, sheet_id, title, None))
    replaced = {w.existing.sheet_id for w in writes if w.existing is not None}
    cells_before = sum(tab.cells for tab in tabs)
    cells_after = sum(tab.cells for tab in staying if tab.sheet_id not in replaced) + sum(
        w.content.cells for w in writes
    )
    if cells_after > MAX_CELLS:
        raise too_large(cells_after)
    return WritePlan(
        writes=tuple(writes),
        removed=removed,
        leftovers=leftovers,
        released=tuple(ownership.released),
        kept=tuple(ownership.settings),
        cells_before=cells_before,
        cells_after=cells_after,
        sheet_ids=frozenset(taken_ids),
    )


def too_large(cells: int) -> SpreadsheetTooLarge:
    return SpreadsheetTooLarge(
        f"The spreadsheet would hold {cells:,} cells with the new tabs, more than Google's "
        f"limit of {MAX_CELLS:,}. Nothing was changed. Delete tabs you no longer need "
        "(old copies of sheetcrm's tabs, empty rows and columns), or move old orders to "
        "another spreadsheet, and run again.",
        message_ja=f"新しいタブを書き込むとセル数が {cells:,} になり、Google の上限 "
        f"{MAX_CELLS:,} を超えます。何も変更していません。不要なタブ（sheetcrm のタブの古い"
        "コピー、空の行や列）を削除するか、古い注文を別のスプレッドシートに移してから、"
        "もう一度実行してください。",
    )
