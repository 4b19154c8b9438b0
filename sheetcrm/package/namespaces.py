"""The OOXML names the write-back engine needs: namespaces, relationship and content types.

Workbooks come in two dialects.  Almost all are *transitional* (schemas.openxmlformats.org
URIs); Excel can also save *Strict Open XML* (purl.oclc.org URIs, e.g.
``strict_iso_paths.xlsx`` in the corpus).  Our generated parts are always transitional
(xlsxwriter writes nothing else), so :func:`to_strict` rewrites their URIs when they are
grafted into a strict workbook; content types are the same in both dialects.
"""

from __future__ import annotations

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"

#: Transitional → Strict namespace URIs for the parts xlsxwriter writes.
_STRICT_URIS = {
    MAIN: MAIN_STRICT,
    REL: REL_STRICT,
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "http://purl.oclc.org/ooxml/drawingml/chart",
    "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing": (
        "http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing"
    ),
    "http://schemas.openxmlformats.org/drawingml/2006/picture": (
        "http://purl.oclc.org/ooxml/drawingml/picture"
    ),
}
#: The few relationship types whose Strict name is not just the Transitional one re-rooted.
_STRICT_REL_NAMES = {"extended-properties": "extendedProperties"}

CT_RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

#: Relationship types a generated sheet may bring along (anything else is refused).
GRAFTABLE_REL_NAMES = frozenset({"drawing", "chart", "image", "chartUserShapes", "hyperlink"})
GRAFTABLE_MS_REL_TYPES = frozenset(
    {
        "http://schemas.microsoft.com/office/2011/relationships/chartStyle",
        "http://schemas.microsoft.com/office/2011/relationships/chartColorStyle",
    }
)


def rel_name(rel_type: str) -> str | None:
    """``'worksheet'`` for either dialect's worksheet relationship type; None for foreign types."""
    for root in (REL, REL_STRICT, "http://schemas.openxmlformats.org/package/2006/relationships"):
        if rel_type.startswith(root + "/"):
            name = rel_type[len(root) + 1 :]
            for transitional, strict in _STRICT_REL_NAMES.items():
                if name == strict:
                    return transitional
            return name
    return None


def rel_type(name: str, *, strict: bool) -> str:
    """The relationship type URI for ``name`` (e.g. ``'worksheet'``) in the given dialect."""
    if strict:
        return f"{REL_STRICT}/{_STRICT_REL_NAMES.get(name, name)}"
    return f"{REL}/{name}"


def is_main(uri: str) -> bool:
    """True for the SpreadsheetML main namespace of either dialect."""
    return uri in (MAIN, MAIN_STRICT)


def to_strict(data: bytes) -> bytes:
    """Rewrite the Transitional namespace and relationship-type URIs in a generated part."""
    for transitional, strict in _STRICT_URIS.items():
        data = data.replace(transitional.encode(), strict.encode())
    for transitional, strict in _STRICT_REL_NAMES.items():
        data = data.replace(
            f"{REL_STRICT}/{transitional}".encode(), f"{REL_STRICT}/{strict}".encode()
        )
    return data
