"""Decide what happens to each defined name when tabs are added, replaced or removed.

Sheet-scoped names are tied to a tab by *position* (``localSheetId``), so they are
re-indexed whenever a removal shifts tabs.  The seller's names keep their content; the
only names dropped are those scoped to a removed tab of ours, the stale autofilter range
of a tab we replace (and any name the new rendering defines again for it), and our old
markers, which are written afresh.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .formula import retitle
from .marker import formula_for, key_of, name_for
from .plan import SheetPlan

FILTER_DATABASE = "_xlnm._filterdatabase"


@dataclass(frozen=True)
class NameSpec:
    """A defined name to write; ``attrs`` are extra attributes such as ``hidden``."""

    name: str
    local_sheet_id: int | None
    formula: str
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NamesPlan:
    drop: frozenset[int]  # positions among the existing names
    reindex: dict[int, int]  # position → new localSheetId
    append: tuple[NameSpec, ...]


def plan_names(
    existing: Sequence[tuple[str, int | None]],
    plan: SheetPlan,
    rendered: Sequence[NameSpec],
    titles: dict[str, str],
    keep: Collection[str] = (),
) -> NamesPlan:
    """Plan the names of the written workbook.

    ``existing``: (name, localSheetId) of the workbook's names, in order; ``rendered``:
    the rendered workbook's names (``local_sheet_id`` = rendered sheet index);
    ``titles``: rendered title → final title, for their formulas; ``keep``: keys of our
    tabs left untouched, whose markers stay as they are.
    """
    if any(n.local_sheet_id is None for n in rendered):
        raise ValueError("the rendered workbook may only define sheet-scoped names")
    append = [
        NameSpec(n.name, p.position, retitle(n.formula, titles), n.attrs)
        for p in plan.placements
        for n in rendered
        if n.local_sheet_id == p.rendered_index
    ]
    append += [
        NameSpec(name_for(p.key), None, formula_for(p.title), (("hidden", "1"),))
        for p in plan.placements
    ]
    written = {(n.name.lower(), n.local_sheet_id) for n in append}
    removed = {old for _, old in plan.removed}
    replaced = {p.existing for p in plan.replaced}
    drop: set[int] = set()
    reindex: dict[int, int] = {}
    for position, (name, local) in enumerate(existing):
        lowered = name.lower()
        if local is None:
            if key_of(name) is not None and key_of(name) not in keep:
                drop.add(position)
            continue
        # A localSheetId beyond the last tab (seen in the corpus) stays as it is.
        new_local = plan.new_index.get(local, local)
        if (
            local in removed
            or (local in replaced and lowered == FILTER_DATABASE)
            or (lowered, new_local) in written  # defined again by the rendering: it wins
        ):
            drop.add(position)
        elif new_local != local:
            reindex[position] = new_local
    return NamesPlan(frozenset(drop), reindex, tuple(append))
