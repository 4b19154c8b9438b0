"""The parts one generated sheet brings into the workbook, renamed to fit in.

A rendered sheet comes with its ``.rels`` and whatever they reach (drawing, chart, chart
style, image).  Each part gets a free name in the seller's package, relationship targets
are recomputed for the new names (ids stay, so ``r:id`` references inside the XML hold),
chart formulas follow a retitled tab, and Strict workbooks get Strict namespaces.
Parts are produced lazily: the sheet XML itself is streamed (see :mod:`.sheetstream`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .formula import retitle
from .marker import code_name_for
from .namespaces import CT_RELATIONSHIPS, rel_type, to_strict
from .opc import Package, Relationship, extension, part_key, relative, rels_part
from .parts import PartNames, closure
from .relationships import NewRelationship, build_relationships
from .sheetstream import BodyWriter, SheetRewrite, rewrite_sheet
from .workbook import Workbook
from .xmlspan import escape_text, unescape

_CHART_FORMULA = re.compile(rb"(<(?:[\w.-]+:)?f>)([^<]*)(</(?:[\w.-]+:)?f>)")


@dataclass(frozen=True)
class NewPart:
    """A part to add: its name, content type, and a producer of its bytes."""

    name: str
    content_type: str
    data: Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class SheetContext:
    """What every generated sheet of one write shares."""

    rendered: Package
    rendered_wb: Workbook
    wb: Workbook
    names: PartNames
    targets: dict[str, str]  # rendered part key → its name in the written package
    xf: tuple[int, ...]
    dxf: tuple[int, ...]
    titles: dict[str, str]  # rendered title → final title, where they differ
    bodies: Mapping[str, Sequence[BodyWriter]] = field(default_factory=dict)  # by sheet key


def sheet_parts(ctx: SheetContext, sheet_part: str, key: str) -> list[NewPart]:
    """The parts of the rendered sheet ``sheet_part`` (identity ``key``), in writing order.

    ``ctx.targets`` must already name the sheet part itself; the rest are named here.  A
    part two sheets share (xlsxwriter stores an image used twice once) comes with the first.
    """
    rendered, folder = ctx.rendered, ctx.rendered_wb.folder
    content_types = rendered.content_types
    extras = [p for p in closure(rendered, sheet_part) if part_key(p) not in ctx.targets]
    for extra in extras:
        inside = extra[len(folder) :] if extra.startswith(folder) else extra
        ctx.targets[part_key(extra)] = ctx.names.allocate(ctx.wb.folder + inside)
    rewrite = SheetRewrite(
        xf=ctx.xf,
        dxf=ctx.dxf,
        code_name=code_name_for(key),
        titles=ctx.titles,
        strict=ctx.wb.strict,
        bodies=ctx.bodies.get(key, ()),
    )
    parts = [
        NewPart(
            ctx.targets[part_key(sheet_part)],
            content_types.of(sheet_part) or "",
            lambda: rewrite_sheet(rendered.chunks(sheet_part), rewrite),
        )
    ]
    for part in [sheet_part, *extras]:
        name = ctx.targets[part_key(part)]
        if part != sheet_part:
            data = _adapt(rendered.read(part), part, ctx.titles, strict=ctx.wb.strict)
            parts.append(NewPart(name, content_types.of(part) or "", lambda data=data: [data]))
        rels = rendered.relationships(part)
        if rels:
            rebuilt = build_relationships([_moved(r, name, ctx) for r in rels])
            parts.append(NewPart(rels_part(name), CT_RELATIONSHIPS, lambda data=rebuilt: [data]))
    return parts


def _moved(rel: Relationship, source_name: str, ctx: SheetContext) -> NewRelationship:
    strict = ctx.wb.strict and rel.name is not None
    return NewRelationship(
        rel.id,
        rel_type(rel.name, strict=True) if strict else rel.type,
        rel.target if rel.part is None else relative(source_name, ctx.targets[part_key(rel.part)]),
        rel.external,
    )


def _adapt(data: bytes, part: str, titles: dict[str, str], *, strict: bool) -> bytes:
    """A drawing or chart of a generated sheet, with chart formulas retitled."""
    if extension(part) != "xml":
        return data  # an image
    if titles:

        def one(m: re.Match[bytes]) -> bytes:
            formula = retitle(unescape(m.group(2).decode("utf-8")), titles)
            return m.group(1) + escape_text(formula).encode("utf-8") + m.group(3)

        data = _CHART_FORMULA.sub(one, data)
    return to_strict(data) if strict else data
