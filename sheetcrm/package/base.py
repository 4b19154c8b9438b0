"""An empty workbook to graft into, for sources we cannot write into (.xls, .xlsb, .ods).

With ``out=``, such a source yields just the generated tabs.  Building that file as
"graft into an empty workbook" keeps one code path: the tabs get the same markers,
code names and part layout as in a seller's workbook.  The empty workbook is the
rendered one with its sheets taken out (keeping its styles, theme and properties).
"""

from __future__ import annotations

import io

from .content_types import edit_content_types
from .opc import ROOT, Package, part_key, rels_part
from .relationships import edit_relationships
from .workbook import read_workbook
from .xmlspan import Splicer
from .zipio import ZipWriter


def empty_workbook(rendered: Package) -> bytes:
    """The rendered package without its sheets (and without names scoped to them)."""
    wb = read_workbook(rendered)
    edits = Splicer()
    for sheet in wb.sheets:
        edits.delete(sheet.element)
    names = wb.child("definedNames")
    if names is not None:
        edits.delete(names)
    keep = {
        part_key(p) for p in ("[Content_Types].xml", rels_part(ROOT), wb.part, rels_part(wb.part))
    }
    sheet_rids = {s.rid for s in wb.sheets}
    for rel in rendered.relationships(ROOT):
        if rel.part is not None:
            keep.add(part_key(rel.part))
    for rel in rendered.relationships(wb.part):
        if rel.part is not None and rel.id not in sheet_rids:
            keep.add(part_key(rel.part))
    dropped = {part_key(p) for p in rendered.part_names} - keep
    modified = {
        part_key(wb.part): wb.encoding.encode(edits.apply(wb.doc.text)),
        part_key(rels_part(wb.part)): edit_relationships(
            rendered.read(rels_part(wb.part)), sheet_rids, []
        ),
        part_key("[Content_Types].xml"): edit_content_types(
            rendered.read("[Content_Types].xml"), dropped, []
        ),
    }
    buffer = io.BytesIO()
    writer = ZipWriter(buffer)
    for info in rendered.infos:
        key = part_key(info.filename)
        if key in dropped:
            continue
        if modified.get(key) is not None:
            writer.write_bytes(info.filename, modified[key], like=info)
        else:
            writer.copy_raw(info, rendered.raw(info))
    writer.close()
    return buffer.getvalue()
