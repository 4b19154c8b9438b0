"""Read ``xl/workbook.xml`` into tabs, defined names and views, keeping element offsets.

The offsets let :mod:`sheetcrm.package.workbook_edit` change exactly the pieces it must
and leave the rest of the part (calcPr, extLst, mc:AlternateContent…) byte-for-byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from .namespaces import MAIN_STRICT, REL, REL_STRICT
from .opc import Package, Relationship
from .xmlspan import Document, Element, Encoding, decode, parse, text_of


@dataclass(eq=False)
class SheetEntry:
    """One ``<sheet>``: its tab title, ids, visibility and the part it points to."""

    title: str
    sheet_id: int
    rid: str
    state: str
    element: Element
    relationship: Relationship | None

    @property
    def part(self) -> str | None:
        return self.relationship.part if self.relationship is not None else None

    @property
    def is_worksheet(self) -> bool:
        return self.relationship is not None and self.relationship.name == "worksheet"


@dataclass(eq=False)
class NameEntry:
    """One ``<definedName>``; ``formula`` is its unescaped text."""

    name: str
    local_sheet_id: int | None
    formula: str
    element: Element


@dataclass(eq=False)
class Workbook:
    """The parsed workbook part of one package."""

    part: str
    doc: Document
    encoding: Encoding
    strict: bool
    sheets: list[SheetEntry]
    names: list[NameEntry]
    relationships: list[Relationship]

    @property
    def rel_ns(self) -> str:
        return REL_STRICT if self.strict else REL

    @property
    def folder(self) -> str:
        """The workbook's folder with a trailing slash (``'xl/'``; ``''`` at the root)."""
        folder = self.part.rpartition("/")[0]
        return folder + "/" if folder else ""

    def child(self, local: str) -> Element | None:
        return self.doc.root.child(local)

    @property
    def views(self) -> list[Element]:
        book_views = self.child("bookViews")
        return list(book_views.iter("workbookView")) if book_views is not None else []


def read_workbook(package: Package) -> Workbook:
    """Parse the workbook part of ``package`` (raises PackageError/XMLError if broken)."""
    part = package.workbook_part
    text, encoding = decode(package.read(part))
    doc = parse(text)
    strict = doc.root.ns == MAIN_STRICT
    rel_ns = REL_STRICT if strict else REL
    relationships = package.relationships(part)
    by_id = {r.id: r for r in relationships}
    sheets = []
    sheets_el = doc.root.child("sheets")
    for el in sheets_el.iter("sheet") if sheets_el is not None else ():
        rid = el.get("id", rel_ns) or el.get("id", REL) or ""
        sheets.append(
            SheetEntry(
                title=el.get("name") or "",
                sheet_id=int(el.get("sheetId") or 0),
                rid=rid,
                state=el.get("state") or "visible",
                element=el,
                relationship=by_id.get(rid),
            )
        )
    names = []
    names_el = doc.root.child("definedNames")
    for el in names_el.iter("definedName") if names_el is not None else ():
        local = el.get("localSheetId")
        names.append(
            NameEntry(
                name=el.get("name") or "",
                local_sheet_id=int(local)
                if local is not None and local.strip().isdigit()
                else None,
                formula=text_of(doc, el),
                element=el,
            )
        )
    return Workbook(part, doc, encoding, strict, sheets, names, relationships)
