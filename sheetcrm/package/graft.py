"""Graft the sheets of a rendered workbook into the seller's package, writing a new archive.

Every seller part is copied as stored (same compressed bytes) except the five we must
edit — ``[Content_Types].xml``, ``workbook.xml`` and its ``.rels``, ``styles.xml`` and
``docProps/app.xml`` — and, in one case, ``calcChain.xml`` (see :func:`_stale_calc_chain`).
Seller entries keep their order; our parts follow them, numbered from the lowest free
names, so a second run with the same input produces the same parts under the same names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from .appprops import update_titles
from .content_types import edit_content_types
from .names import NameSpec, plan_names
from .namespaces import CT_STYLES, rel_type, to_strict
from .opc import ROOT, Package, PackageError, Relationship, extension, part_key, relative, rels_part
from .parts import PartNames, owned_parts
from .plan import SheetPlan, plan_sheets
from .readahead import read_ahead
from .recognise import read_markers
from .relationships import NewRelationship, edit_relationships, free_id
from .sheetparts import NewPart, SheetContext, sheet_parts
from .sheetstream import BodyWriter
from .styles import merge_styles
from .workbook import SheetEntry, Workbook, read_workbook
from .workbook_edit import NewSheet, edit_workbook
from .zipio import ZipWriter

_CALC_SHEET = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\bi=\"(\d+)\"")


@dataclass(frozen=True)
class SheetRef:
    """A generated tab: its stable key and its title in the written workbook."""

    key: str
    title: str


@dataclass(frozen=True)
class GraftSummary:
    added: tuple[SheetRef, ...]
    replaced: tuple[SheetRef, ...]
    removed: tuple[SheetRef, ...]


def graft(
    seller: Package,
    rendered: Package,
    keys: Sequence[str],
    out: BinaryIO,
    keep: Collection[str] = (),
    bodies: Mapping[str, Sequence[BodyWriter]] | None = None,
) -> GraftSummary:
    """Write ``seller`` plus the sheets of ``rendered`` (``keys[i]`` = sheet i) to ``out``.

    Our earlier tabs whose key is in ``keep`` are left untouched.  ``bodies`` writes the
    table bodies the renderer deferred, by sheet key (see :mod:`.sheetstream`).
    """
    wb, rwb = read_workbook(seller), read_workbook(rendered)
    if not all(s.is_worksheet and s.part and rendered.has(s.part) for s in rwb.sheets):
        raise ValueError("the rendered workbook may only contain worksheets")
    plan = plan_sheets(
        [s.title for s in wb.sheets],
        read_markers(seller, wb),
        [s.title for s in rwb.sheets],
        keys,
        keep,
    )
    titles = {
        rwb.sheets[p.rendered_index].title: p.title
        for p in plan.placements
        if p.title != rwb.sheets[p.rendered_index].title
    }
    old = [wb.sheets[i] for _, i in plan.removed] + [wb.sheets[p.existing] for p in plan.replaced]
    doomed = owned_parts(seller, wb.part, [(s.rid, s.part) for s in old])
    doomed |= {part_key(s.part) for s in old if s.part is not None}
    dropped_rids = {wb.sheets[i].rid for _, i in plan.removed}
    calc_chain = _stale_calc_chain(seller, wb, {s.sheet_id for s in old})
    if calc_chain is not None:
        doomed.add(part_key(calc_chain.part))
        dropped_rids.add(calc_chain.id)

    names = PartNames(k for k in map(part_key, seller.part_names) if k not in doomed)
    rel_ids = {r.id for r in wb.relationships}
    modified: dict[str, bytes] = {}
    new_parts: list[NewPart] = []
    new_rels: list[NewRelationship] = []

    xf, dxf, created_styles = _merge_styles(seller, rendered, wb, rwb, modified)
    if created_styles is not None:
        name = names.allocate(wb.folder + "styles.xml")
        new_parts.append(NewPart(name, CT_STYLES, lambda: [created_styles]))
        new_rels.append(_workbook_rel(wb, free_id(rel_ids), "styles", name))

    targets: dict[str, str] = {}
    for p in plan.replaced:  # first, so that no new part takes a replaced tab's name
        targets[part_key(rwb.sheets[p.rendered_index].part)] = names.take(
            wb.sheets[p.existing].part
        )
    new_sheets = []
    next_id = max((s.sheet_id for s in wb.sheets), default=0) + 1
    for n, p in enumerate(plan.added):
        source = rwb.sheets[p.rendered_index]
        name = targets[part_key(source.part)] = names.allocate(wb.folder + "worksheets/sheet1.xml")
        rid = free_id(rel_ids)
        new_rels.append(_workbook_rel(wb, rid, "worksheet", name))
        new_sheets.append(NewSheet(p.title, next_id + n, rid, source.state))
    ctx = SheetContext(rendered, rwb, wb, names, targets, xf, dxf, titles, bodies or {})
    for p in plan.placements:
        new_parts += sheet_parts(ctx, rwb.sheets[p.rendered_index].part, p.key)

    names_plan = plan_names(
        [(n.name, n.local_sheet_id) for n in wb.names], plan, _rendered_names(rwb), titles, keep
    )
    _put(modified, wb.part, edit_workbook(wb, plan, names_plan, new_sheets))
    wb_rels = rels_part(wb.part)
    _put(modified, wb_rels, edit_relationships(seller.read(wb_rels), dropped_rids, new_rels))
    _put(modified, "[Content_Types].xml", _content_types(seller, doomed, new_parts))
    _app_properties(seller, wb, rwb, plan, modified)

    _write(seller, wb, doomed, modified, new_parts, out)
    return GraftSummary(
        added=tuple(SheetRef(p.key, p.title) for p in plan.added),
        replaced=tuple(SheetRef(p.key, p.title) for p in plan.replaced),
        removed=tuple(SheetRef(k, wb.sheets[i].title) for k, i in plan.removed),
    )


def _put(modified: dict[str, bytes], part: str, data: bytes | None) -> None:
    if data is not None:
        modified[part_key(part)] = data


def _workbook_rel(wb: Workbook, rid: str, kind: str, part: str) -> NewRelationship:
    return NewRelationship(rid, rel_type(kind, strict=wb.strict), relative(wb.part, part))


def _rendered_names(rwb: Workbook) -> list[NameSpec]:
    return [
        NameSpec(
            n.name,
            n.local_sheet_id,
            n.formula,
            tuple(
                (a.qname, a.value)
                for a in n.element.attrs
                if a.qname not in ("name", "localSheetId") and not a.qname.startswith("xmlns")
            ),
        )
        for n in rwb.names
    ]


def _merge_styles(
    seller: Package, rendered: Package, wb: Workbook, rwb: Workbook, modified: dict[str, bytes]
) -> tuple[tuple[int, ...], tuple[int, ...], bytes | None]:
    """Cell and differential style maps, and a new styles part if the workbook had none."""
    rel = rendered.related(rwb.part, "styles")
    if rel is None or rel.part is None:
        raise ValueError("the rendered workbook has no styles part")
    rendered_styles = rendered.read(rel.part)
    own = seller.related(wb.part, "styles")
    if own is not None and own.part is not None and seller.has(own.part):
        merged = merge_styles(seller.read(own.part), rendered_styles)
        _put(modified, own.part, merged.data)
        return merged.xf, merged.dxf, None
    merged = merge_styles(None, rendered_styles)
    return merged.xf, merged.dxf, to_strict(merged.data) if wb.strict else merged.data


def _stale_calc_chain(seller: Package, wb: Workbook, sheet_ids: set[int]) -> Relationship | None:
    """The calcChain relationship, when the chain lists cells of a tab we replace or remove.

    Excel re-saving our tab records its formula cells in ``calcChain.xml`` by sheetId; a
    chain naming cells that no longer hold formulas makes Excel "repair" the file.  The
    chain is only a cache, rebuilt by Excel when missing, so it is dropped — the one
    seller part we remove, and only in this case.
    """
    rel = seller.related(wb.part, "calcChain")
    if rel is None or rel.part is None or not seller.has(rel.part) or not sheet_ids:
        return None
    for chunk in seller.chunks(rel.part):
        if any(int(i) in sheet_ids for i in _CALC_SHEET.findall(chunk)):
            return rel
    return None


def _content_types(seller: Package, doomed: set[str], new_parts: list[NewPart]) -> bytes | None:
    defaults = seller.content_types.defaults
    add = [
        (p.name, p.content_type)
        for p in new_parts
        if p.content_type and defaults.get(extension(p.name)) != p.content_type
    ]
    return edit_content_types(seller.read("[Content_Types].xml"), doomed, add)


def _app_properties(
    seller: Package, wb: Workbook, rwb: Workbook, plan: SheetPlan, modified: dict[str, bytes]
) -> None:
    rel = seller.related(ROOT, "extended-properties")
    if rel is None or rel.part is None or not seller.has(rel.part):
        return

    def listed(sheet: SheetEntry) -> bool:  # Excel leaves very hidden tabs out of the list
        return sheet.is_worksheet and sheet.state != "veryHidden"

    old = [s.title for s in wb.sheets if listed(s)]
    new = [wb.sheets[i].title for i in sorted(plan.new_index) if listed(wb.sheets[i])]
    new += [p.title for p in plan.added if listed(rwb.sheets[p.rendered_index])]
    try:
        _put(modified, rel.part, update_titles(seller.read(rel.part), old, new))
    except (PackageError, ValueError):
        return  # an unreadable app.xml is advisory only: leave it exactly as it is


def _write(
    seller: Package,
    wb: Workbook,
    doomed: set[str],
    modified: dict[str, bytes],
    new_parts: list[NewPart],
    out: BinaryIO,
) -> None:
    writer = ZipWriter(out)
    # A package that names its entries with backslashes (seen in the corpus) gets ours so too.
    backslashes = "\\" in seller.info(wb.part).filename
    for info in seller.infos:
        key = part_key(info.filename)
        if key in doomed and not info.is_dir():
            continue
        if key in modified and not info.is_dir():
            writer.write_bytes(info.filename, modified[key], like=info)
        else:
            writer.copy_raw(info, seller.raw(info))
    for part in new_parts:
        name = part.name.replace("/", "\\") if backslashes else part.name
        writer.write_stream(name, read_ahead(part.data()))
    writer.close(seller.zip.comment)
