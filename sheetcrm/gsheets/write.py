"""Carry out a :class:`~sheetcrm.gsheets.plan.WritePlan` in as few batchUpdates as possible.

Normally everything — deleting tabs we no longer generate, clearing and refilling the
tabs replaced in place, adding new ones, their formats, filters, drop-downs, charts and
marks — goes in **one** ``spreadsheets.batchUpdate``, which Google applies all or
nothing: an interruption never leaves half-written tabs.

Only when that request would be larger than ``max_request_bytes`` (Google refuses
bodies over 10 MB) is it split, and then the visible change stays atomic: a first
batchUpdate adds hidden *staging* tabs marked ``sheetcrm.staging``; the values go into
them with as many ``values.batchUpdate`` requests (``RAW``: strings are stored as they
are, never parsed) as the size needs; one final small batchUpdate then clears and
resizes our tabs, pastes the staged values in (``copyPaste``, values only), formats
them, and deletes the staging tabs.  If anything fails before that final request the
seller's view is unchanged; the staging tabs are deleted on the spot, or by the next
sync.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sheetcrm.errors import SheetcrmError
from sheetcrm.gsheets.api import SheetsApi, compact_json
from sheetcrm.gsheets.batching import Body, CellRows, pack, raw_rows, sized, value_bodies
from sheetcrm.gsheets.markers import (
    TabInfo,
    Written,
    marker_requests,
    rewrite_written,
    staging_marker,
)
from sheetcrm.gsheets.plan import MAX_CELLS, TabWrite, WritePlan, new_sheet_id, too_large
from sheetcrm.gsheets.read import quote_title

#: Default ceiling for one request body: Google refuses more than 10,485,760 bytes
#: ("Request payload size exceeds the limit"); the margin covers headers and rounding.
MAX_REQUEST_BYTES = 9_000_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WriteResult:
    """How the write went: requests sent, whether it had to be split and why."""

    requests: int
    body_bytes: tuple[int, ...]
    split_reason: str | None = None
    staging_tabs: int = 0


def _cells_of(write: TabWrite, sheet_id: int | None = None) -> CellRows:
    return CellRows.of(write.sheet_id if sheet_id is None else sheet_id, write.content.rows)


# --- the requests of one tab -----------------------------------------------------------


def _reset(tab: TabInfo) -> list[dict[str, Any]]:
    """Empty a tab of ours before refilling it in place (its sheetId stays)."""
    out: list[dict[str, Any]] = []
    if tab.has_filter:
        out.append({"clearBasicFilter": {"sheetId": tab.sheet_id}})
    out += [
        {"deleteConditionalFormatRule": {"sheetId": tab.sheet_id, "index": 0}}
        for _ in range(tab.conditional_formats)
    ]
    out += [{"deleteEmbeddedObject": {"objectId": chart_id}} for chart_id in tab.chart_ids]
    return out


def _clear(sheet_id: int) -> dict[str, Any]:
    return {"updateCells": {"range": {"sheetId": sheet_id}, "fields": "*"}}


def _shape(write: TabWrite) -> list[dict[str, Any]]:
    """addSheet, or resize/retitle/recolour the tab replaced in place and clear it."""
    props = write.content.properties(write.sheet_id)
    props["title"] = write.title
    if write.existing is None:
        return [{"addSheet": {"properties": props}}]
    fields = (
        "title,hidden,tabColorStyle,"
        "gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)"
    )
    return [
        *_reset(write.existing),
        {"updateSheetProperties": {"properties": props, "fields": fields}},
        _clear(write.sheet_id),
    ]


def _marks(write: TabWrite) -> list[dict[str, Any]]:
    content = write.content
    written = Written(write.title, content.fingerprint, content.free_columns)
    if write.existing is None:
        return marker_requests(write.sheet_id, content.key, written)
    return rewrite_written(write.existing, content.key, written)


def _order_shapes(writes: Sequence[TabWrite]) -> list[TabWrite]:
    """Tabs replaced in place first, shrinking ones before growing ones, so the cell count
    never peaks above the final one; then new tabs, appended in the rendered order."""
    replaced = [w for w in writes if w.existing is not None]
    replaced.sort(key=lambda w: w.content.cells - w.existing.cells)  # type: ignore[union-attr]
    return replaced + [w for w in writes if w.existing is None]


# --- executing -------------------------------------------------------------------------


def execute(
    api: SheetsApi,
    spreadsheet_id: str,
    plan: WritePlan,
    *,
    max_request_bytes: int = MAX_REQUEST_BYTES,
    progress: Progress | None = None,
    rng: random.Random | None = None,
) -> WriteResult:
    """Write the plan: one atomic batchUpdate, or staged values plus one atomic swap."""
    single = _single_batch(plan)
    if single.size <= max_request_bytes:
        if progress:
            progress("write")
        api.batch_update(spreadsheet_id, single.encode())
        return WriteResult(1, (single.size,))
    reason = (
        f"the tabs are {single.size:,} bytes of requests, over the {max_request_bytes:,}-byte limit"
    )
    del single
    return _staged(
        api, spreadsheet_id, plan, max_request_bytes, progress, rng or random.Random(), reason
    )


def _single_batch(plan: WritePlan) -> Body:
    pieces = sized(_deletions_of(plan.leftovers + plan.removed))
    for write in _order_shapes(plan.writes):
        pieces += sized(_shape(write))
    for write in plan.writes:
        pieces += list(_cells_of(write).requests(1 << 62))
    for write in plan.writes:
        pieces += sized(write.content.decorations(write.sheet_id) + _marks(write))
    return pack(pieces, 1 << 62)[0]


def _staged(
    api: SheetsApi,
    spreadsheet_id: str,
    plan: WritePlan,
    budget: int,
    progress: Progress | None,
    rng: random.Random,
    reason: str,
) -> WriteResult:
    """Values into hidden staging tabs over several requests, then one atomic swap.

    The staging tabs are created by a batchUpdate and filled with ``values.batchUpdate``
    (RAW: strings stay strings), whose bodies carry a third of the bytes of CellData.
    """
    staged_cells = sum(w.content.cells for w in plan.writes)
    if plan.cells_after + staged_cells > MAX_CELLS:
        raise too_large(plan.cells_after + staged_cells)
    taken = set(plan.sheet_ids)
    token = secrets.token_hex(3)
    staging: dict[int, tuple[int, str]] = {}
    first: list[dict[str, Any]] = _deletions_of(plan.leftovers)
    for index, write in enumerate(plan.writes):
        sid, title = new_sheet_id(taken, rng), f"sheetcrm staging {token} {index + 1}"
        staging[write.sheet_id] = (sid, title)
        grid = {"rowCount": write.content.row_count, "columnCount": write.content.column_count}
        props = {"sheetId": sid, "title": title, "hidden": True, "gridProperties": grid}
        first += [{"addSheet": {"properties": props}}, staging_marker(sid)]
    create = pack(sized(first), 1 << 62)[0].encode()
    values = value_bodies(
        [(quote_title(staging[w.sheet_id][1]), raw_rows(w.content.rows)) for w in plan.writes],
        budget,
    )
    swap: list[dict[str, Any]] = _deletions_of(plan.removed)
    for write in _order_shapes(plan.writes):
        swap += _shape(write)
    swap += [_paste(write, staging[write.sheet_id][0]) for write in plan.writes]
    for write in plan.writes:
        swap += write.content.decorations(write.sheet_id) + _marks(write)
    swap += [{"deleteSheet": {"sheetId": sid}} for sid, _ in staging.values()]
    final = pack(sized(swap), 1 << 62)[0]
    if final.size > budget or len(create) > budget:
        raise SheetcrmError(
            f"The request that swaps the tabs in is {final.size:,} bytes, over the limit of "
            f"{budget:,}.",
            message_ja=f"タブを入れ替えるリクエストが {final.size:,} バイトで、上限 {budget:,} を"
            "超えています。",
        )
    steps = [(api.batch_update, create), *((api.values_batch_update, b) for b in values)]
    steps.append((api.batch_update, final.encode()))
    sent = []
    try:
        for number, (send, body) in enumerate(steps, start=1):
            if progress:
                progress(f"write {number}/{len(steps)}")
            send(spreadsheet_id, body)
            sent.append(len(body))
    except SheetcrmError:
        _clean_up(api, spreadsheet_id, [sid for sid, _ in staging.values()])
        raise
    return WriteResult(len(steps), tuple(sent), reason, len(staging))


def _deletions_of(tabs: Sequence[TabInfo]) -> list[dict[str, Any]]:
    return [{"deleteSheet": {"sheetId": tab.sheet_id}} for tab in tabs]


def _paste(write: TabWrite, staging_id: int) -> dict[str, Any]:
    rows, columns = write.content.row_count, write.content.column_count
    area = {
        "startRowIndex": 0,
        "endRowIndex": rows,
        "startColumnIndex": 0,
        "endColumnIndex": columns,
    }
    return {
        "copyPaste": {
            "source": {"sheetId": staging_id, **area},
            "destination": {"sheetId": write.sheet_id, **area},
            "pasteType": "PASTE_VALUES",
            "pasteOrientation": "NORMAL",
        }
    }


def _clean_up(api: SheetsApi, spreadsheet_id: str, staging_ids: list[int]) -> None:
    """Best effort: delete staging tabs after a failure (the next sync does it otherwise)."""
    try:
        meta = api.get_spreadsheet(spreadsheet_id, fields="sheets(properties(sheetId))")
        present = {s["properties"]["sheetId"] for s in meta.get("sheets", [])}
        doomed = [sid for sid in staging_ids if sid in present]
        if doomed:
            requests = [{"deleteSheet": {"sheetId": sid}} for sid in doomed]
            api.batch_update(spreadsheet_id, compact_json({"requests": requests}))
    except SheetcrmError:
        pass  # the next sync deletes what is left (it finds them by their mark)
