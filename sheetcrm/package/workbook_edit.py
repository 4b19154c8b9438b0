"""Apply a sheet plan and a names plan to ``workbook.xml`` by splicing its text.

Only ``<sheet>`` and ``<definedName>`` elements of the plan, ``localSheetId`` values and
the ``activeTab``/``firstSheet`` of the book views are touched; new elements use the
prefixes the part already binds, so odd but valid workbooks (a prefixed main namespace,
a relationships namespace declared on each ``<sheet>``) stay valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .names import NameSpec, NamesPlan
from .opc import PackageError
from .plan import SheetPlan
from .workbook import Workbook
from .xmlspan import Element, Splicer, escape_attr, escape_text

#: Children of <workbook> that come after <definedNames> in the schema's sequence.
_AFTER_NAMES = (
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


@dataclass(frozen=True)
class NewSheet:
    """A ``<sheet>`` element to append."""

    title: str
    sheet_id: int
    rid: str
    state: str | None


def edit_workbook(
    wb: Workbook, plan: SheetPlan, names: NamesPlan, new_sheets: Sequence[NewSheet]
) -> bytes | None:
    """The edited workbook part, or None when nothing had to change."""
    text = wb.doc.text
    edits = Splicer()
    sheets_el = wb.child("sheets")
    if sheets_el is None:
        raise PackageError("workbook.xml has no <sheets>")
    for _, old in plan.removed:
        edits.delete(wb.sheets[old].element)
    if new_sheets:
        edits.append_child(
            sheets_el, "".join(_sheet_markup(sheets_el, wb.rel_ns, s) for s in new_sheets)
        )
    for position in names.drop:
        edits.delete(wb.names[position].element)
    for position, local in names.reindex.items():
        edits.set_attr(wb.names[position].element, "localSheetId", str(local))
    if names.append:
        _append_names(wb, edits, names.append)
    _remap_views(wb, plan, edits)
    if not edits:
        return None
    return wb.encoding.encode(edits.apply(text))


def _tag(parent: Element, local: str) -> str:
    return f"{parent.prefix}:{local}" if parent.prefix else local


def _sheet_markup(sheets_el: Element, rel_ns: str, sheet: NewSheet) -> str:
    prefix = sheets_el.prefix_for(rel_ns)
    declare = ""
    if not prefix:
        prefix = "r"
        declare = f' xmlns:r="{rel_ns}"'
    state = (
        f' state="{escape_attr(sheet.state)}"' if sheet.state and sheet.state != "visible" else ""
    )
    return (
        f'<{_tag(sheets_el, "sheet")}{declare} name="{escape_attr(sheet.title)}" '
        f'sheetId="{sheet.sheet_id}"{state} {prefix}:id="{escape_attr(sheet.rid)}"/>'
    )


def _name_markup(parent: Element, spec: NameSpec) -> str:
    tag = _tag(parent, "definedName")
    attrs = f' name="{escape_attr(spec.name)}"'
    if spec.local_sheet_id is not None:
        attrs += f' localSheetId="{spec.local_sheet_id}"'
    attrs += "".join(f' {k}="{escape_attr(v)}"' for k, v in spec.attrs)
    return f"<{tag}{attrs}>{escape_text(spec.formula)}</{tag}>"


def _append_names(wb: Workbook, edits: Splicer, specs: Sequence[NameSpec]) -> None:
    names_el = wb.child("definedNames")
    if names_el is not None:
        edits.append_child(names_el, "".join(_name_markup(names_el, s) for s in specs))
        return
    root = wb.doc.root
    inner = "".join(_name_markup(root, s) for s in specs)
    tag = _tag(root, "definedNames")
    after = next((c for c in root.children if c.local in _AFTER_NAMES), None)
    markup = f"<{tag}>{inner}</{tag}>"
    if after is not None:
        edits.insert(after.start, markup)
    else:
        edits.append_child(root, markup)


def _remap_views(wb: Workbook, plan: SheetPlan, edits: Splicer) -> None:
    """Keep ``activeTab``/``firstSheet`` on their tab; a removed one falls back to a neighbour."""
    count = len(wb.sheets)
    kept = sorted(plan.new_index)
    for view in wb.views:
        for attr in ("activeTab", "firstSheet"):
            raw = view.get(attr)
            old = int(raw) if raw is not None and raw.strip().isdigit() else 0
            if old >= count or not kept:
                continue  # out of range already (seen in the corpus): leave as found
            if old in plan.new_index:
                new = plan.new_index[old]
            else:
                before = [i for i in kept if i < old]
                new = plan.new_index[before[-1] if before else kept[0]]
            if new != old:
                edits.set_attr(view, attr, str(new))
