"""Decide where each generated tab goes: replaced in place, appended, or removed.

Pure logic over titles and indices, so the rules read (and test) on their own:

* a key that already has a tab of ours is replaced at that tab's position, keeping the
  title it has now (the seller may have renamed it, and their formulas use that name);
* a new key is appended after every existing tab, under the renderer's title — with
  `` (2)``, `` (3)``… when a tab already has it (compared as Excel does, ignoring case;
  width and compatibility forms are folded too, to err towards a suffix);
* a tab of ours whose key is no longer rendered is removed; the seller's tabs never are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

MAX_TITLE = 31


@dataclass(frozen=True)
class Placement:
    """Where the generated sheet ``rendered_index`` (identity ``key``) ends up."""

    key: str
    rendered_index: int
    title: str
    position: int
    existing: int | None  # its old tab index when it replaces one of ours


@dataclass(frozen=True)
class SheetPlan:
    placements: tuple[Placement, ...]  # in the order of the rendered sheets
    removed: tuple[tuple[str, int], ...]  # (key, old tab index)
    new_index: dict[int, int]  # old tab index → new tab index, for every kept tab

    @property
    def added(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.existing is None)

    @property
    def replaced(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.existing is not None)


def fold(title: str) -> str:
    """A title's identity for clash checks."""
    return unicodedata.normalize("NFKC", title).casefold()


def unique_title(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted (n)`` cut to 31 characters, whichever is free in ``taken``."""
    title = wanted[:MAX_TITLE]
    n = 2
    while fold(title) in taken:
        suffix = f" ({n})"
        title = wanted[: MAX_TITLE - len(suffix)].rstrip() + suffix
        n += 1
    return title


def plan_sheets(
    titles: Sequence[str],
    ours: dict[str, int],
    rendered_titles: Sequence[str],
    keys: Sequence[str],
    keep: Collection[str] = (),
) -> SheetPlan:
    """Plan the tab order.

    ``titles``: the workbook's tab titles in order; ``ours``: ``{key: tab index}`` of the
    tabs we generated before; ``rendered_titles[i]`` is the title of the sheet for ``keys[i]``;
    ``keep``: keys of our tabs to leave exactly as they are (e.g. a settings tab the
    seller now owns) — neither replaced nor removed.
    """
    if len(keys) != len(rendered_titles):
        raise ValueError(f"{len(keys)} keys for {len(rendered_titles)} rendered sheets")
    if len(set(keys)) != len(keys):
        raise ValueError("sheet keys must be unique")
    wanted = set(keys)
    if wanted & set(keep):
        raise ValueError("a key cannot be both rendered and kept")
    removed = tuple(
        sorted(
            ((k, i) for k, i in ours.items() if k not in wanted and k not in keep),
            key=lambda x: x[1],
        )
    )
    gone = {i for _, i in removed}
    kept = [i for i in range(len(titles)) if i not in gone]
    new_index = {old: new for new, old in enumerate(kept)}
    taken = {fold(titles[i]) for i in kept}
    placements = []
    next_position = len(kept)
    for r, (key, rendered_title) in enumerate(zip(keys, rendered_titles, strict=True)):
        old = ours.get(key)
        if old is not None:
            placements.append(Placement(key, r, titles[old], new_index[old], old))
            continue
        title = unique_title(rendered_title, taken)
        taken.add(fold(title))
        placements.append(Placement(key, r, title, next_position, None))
        next_position += 1
    return SheetPlan(tuple(placements), removed, new_index)
