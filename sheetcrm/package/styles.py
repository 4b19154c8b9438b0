"""Merge the rendered workbook's cell styles into the seller's ``styles.xml``, append-only.

The seller's cells point at their styles by index, so every existing ``numFmt``, font,
fill, border, ``cellStyleXfs``/``cellXfs`` entry and ``dxf`` keeps its position.  Each
rendered entry is first looked up among the existing ones (compared after remapping the
indices it holds, ignoring prefixes and attribute order); only a missing entry is
appended.  A second refresh therefore finds everything the first one appended, and
``styles.xml`` does not grow.  Custom number formats get the seller's id for the same
format code, or the lowest id ≥ 164 not yet used.

The result maps rendered ``cellXfs``/``dxfs`` indices to the workbook's, for rewriting the
``s=``/``style=``/``dxfId=`` attributes of the generated sheets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .namespaces import MAIN, MAIN_STRICT, is_main
from .xmlspan import Document, Element, Splicer, decode, escape_attr, parse

#: Children of <styleSheet>, in schema order.
_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_ITEM = {
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellStyleXfs": "xf",
    "cellXfs": "xf",
    "cellStyles": "cellStyle",
    "dxfs": "dxf",
}
FIRST_CUSTOM_NUMFMT = 164

Hook = Callable[[Element, str, str], str]


def _same(_el: Element, _name: str, value: str) -> str:
    return value


def _setting(attr: str, new: str) -> Hook:
    def hook(_el: Element, name: str, value: str) -> str:
        return new if name == attr else value

    return hook


@dataclass(frozen=True)
class StyleMerge:
    """The merged part (None when nothing had to be added) and the index maps."""

    data: bytes | None
    xf: tuple[int, ...]
    dxf: tuple[int, ...]


def merge_styles(seller: bytes | None, rendered: bytes) -> StyleMerge:
    """Merge ``rendered`` (xlsxwriter's styles.xml) into ``seller`` (None: there is none)."""
    r_text, _ = decode(rendered)
    r_doc = parse(r_text)
    if seller is None:
        # The workbook has no styles part: the rendered one becomes it, indices unchanged.
        xfs = _items(r_doc.root, "cellXfs")
        dxfs = _items(r_doc.root, "dxfs")
        return StyleMerge(rendered, tuple(range(len(xfs))), tuple(range(len(dxfs))))
    s_text, encoding = decode(seller)
    merger = _Merger(parse(s_text), r_doc)
    xf, dxf = merger.run()
    data = merger.render()
    return StyleMerge(encoding.encode(data) if data is not None else None, xf, dxf)


def _items(root: Element, collection: str) -> list[Element]:
    el = root.child(collection)
    return list(el.iter(_ITEM[collection])) if el is not None else []


class _Collection:
    """One indexed list of the seller's styles, with what we append to it."""

    def __init__(self, doc: Document, collection: str) -> None:
        self.name = collection
        self.element = doc.root.child(collection)
        self.items = _items(doc.root, collection)
        self.added: list[str] = []
        self.index: dict[tuple, int] = {}
        for i, item in enumerate(self.items):
            self.index.setdefault(_canon(item, _same), i)

    def find_or_add(self, canon: tuple, markup: str) -> int:
        found = self.index.get(canon)
        if found is None:
            found = len(self.items) + len(self.added)
            self.added.append(markup)
            self.index[canon] = found
        return found


class _Merger:
    def __init__(self, seller: Document, rendered: Document) -> None:
        self.seller = seller
        self.rendered = rendered
        root = seller.root
        if not is_main(root.ns):
            raise ValueError("styles.xml is not SpreadsheetML")
        self.prefix = root.prefix
        self.collections = {name: _Collection(seller, name) for name in _ITEM}
        # Format code → id, for cell formats (declared in <numFmts>) and for the formats
        # differential styles carry inside themselves; ids of both kinds count as used.
        self.declared: dict[str, int] = {}
        self.in_dxfs: dict[str, int] = {}
        self.used_ids: set[int] = set()
        for fmt in _items(root, "numFmts"):
            self._remember(fmt, self.declared)
        for dxf in _items(root, "dxfs"):
            for fmt in dxf.iter("numFmt"):
                self._remember(fmt, self.in_dxfs)

    def _remember(self, fmt: Element, codes: dict[str, int]) -> None:
        fmt_id = int(fmt.get("numFmtId") or 0)
        self.used_ids.add(fmt_id)
        codes.setdefault(fmt.get("formatCode") or "", fmt_id)

    def _fresh_id(self) -> int:
        found = FIRST_CUSTOM_NUMFMT
        while found in self.used_ids:
            found += 1
        self.used_ids.add(found)
        return found

    def _cell_format_id(self, code: str) -> int:
        """The id of a declared format with this code, declaring one if there is none."""
        found = self.declared.get(code)
        if found is None:
            found = self.declared[code] = self._fresh_id()
            self.collections["numFmts"].added.append(
                f'<{self._tag("numFmt")} numFmtId="{found}" formatCode="{escape_attr(code)}"/>'
            )
        return found

    def _dxf_format_id(self, code: str) -> int:
        """An id for a format held inside a differential style (no declaration needed)."""
        found = self.declared.get(code, self.in_dxfs.get(code))
        if found is None:
            found = self.in_dxfs[code] = self._fresh_id()
        return found

    def _tag(self, local: str) -> str:
        return f"{self.prefix}:{local}" if self.prefix else local

    def _merge_plain(self, collection: str, hook: Hook = _same) -> list[int]:
        target = self.collections[collection]
        return [
            target.find_or_add(_canon(item, hook), self._markup(item, hook))
            for item in _items(self.rendered.root, collection)
        ]

    def run(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        root = self.rendered.root
        numfmt = {
            int(f.get("numFmtId") or 0): self._cell_format_id(f.get("formatCode") or "")
            for f in _items(root, "numFmts")
        }
        fonts = self._merge_plain("fonts")
        fills = self._merge_plain("fills")
        borders = self._merge_plain("borders")
        ids = {"fontId": fonts, "fillId": fills, "borderId": borders}

        def xf_hook(style_xfs: dict[int, int]) -> Hook:
            def hook(el: Element, name: str, value: str) -> str:
                if el.local != "xf":
                    return value
                if name == "numFmtId":
                    return str(numfmt.get(int(value), int(value)))
                if name in ids:
                    return str(ids[name][int(value)])
                if name == "xfId":
                    return str(style_xfs.get(int(value), 0))
                return value

            return hook

        style_xfs = self._merge_style_xfs(xf_hook({}))
        xf = self._merge_plain("cellXfs", xf_hook(style_xfs))

        def dxf_hook(el: Element, name: str, value: str) -> str:
            if el.local == "numFmt" and name == "numFmtId":
                return str(self._dxf_format_id(el.get("formatCode") or ""))
            return value

        dxf = self._merge_plain("dxfs", dxf_hook)
        return tuple(xf), tuple(dxf)

    def _merge_style_xfs(self, hook: Hook) -> dict[int, int]:
        """Map rendered cell-style xfs: 0 is "Normal"; others go by cell style name."""
        mapping = {0: 0}
        seller_styles = {
            cs.get("name"): int(cs.get("xfId") or 0) for cs in self.collections["cellStyles"].items
        }
        rendered_styles = {
            int(cs.get("xfId") or 0): cs for cs in _items(self.rendered.root, "cellStyles")
        }
        target = self.collections["cellStyleXfs"]
        for k, item in enumerate(_items(self.rendered.root, "cellStyleXfs")):
            if k == 0:
                continue
            style = rendered_styles.get(k)
            if style is not None and style.get("name") in seller_styles:
                mapping[k] = seller_styles[style.get("name")]
                continue
            mapping[k] = target.find_or_add(_canon(item, hook), self._markup(item, hook))
            if style is not None:
                self.collections["cellStyles"].added.append(
                    self._markup(style, _setting("xfId", str(mapping[k])))
                )
        return mapping

    def _markup(self, el: Element, hook: Hook) -> str:
        """Serialise a rendered entry with the seller's prefix and remapped indices."""
        if not is_main(el.ns):
            raise ValueError(f"unexpected element {el.qname} in rendered styles")
        attrs = ""
        for a in el.attrs:
            if a.qname == "xmlns" or a.qname.startswith("xmlns:"):
                continue
            if ":" in a.qname:
                raise ValueError(f"unexpected attribute {a.qname} in rendered styles")
            attrs += f' {a.qname}="{escape_attr(hook(el, a.qname, a.value))}"'
        tag = self._tag(el.local)
        if el.empty:
            return f"<{tag}{attrs}/>"
        if not el.children:
            return f"<{tag}{attrs}>{self.rendered.text[el.tag_end : el.close_start]}</{tag}>"
        inner = "".join(self._markup(c, hook) for c in el.children)
        return f"<{tag}{attrs}>{inner}</{tag}>"

    def render(self) -> str | None:
        edits = Splicer()
        root = self.seller.root
        for name in _ORDER:
            target = self.collections.get(name)
            if target is None or not target.added:
                continue
            count = str(len(target.items) + len(target.added))
            markup = "".join(target.added)
            if target.element is not None:
                edits.set_attr(target.element, "count", count)
                edits.append_child(target.element, markup)
                continue
            tag = self._tag(name)
            new = f'<{tag} count="{count}">{markup}</{tag}>'
            later = next(
                (c for c in root.children if c.local in _ORDER[_ORDER.index(name) + 1 :]), None
            )
            if later is not None:
                edits.insert(later.start, new)
            else:
                edits.append_child(root, new)
        return edits.apply(self.seller.text) if edits else None


def _canon(el: Element, hook: Hook) -> tuple:
    """A comparable form of an entry: namespaces resolved, attribute order ignored."""
    attrs = []
    for a in el.attrs:
        if a.qname == "xmlns" or a.qname.startswith("xmlns:"):
            continue
        prefix, _, local = a.qname.rpartition(":")
        ns = el.nsmap.get(prefix, "") if prefix else ""
        attrs.append((ns, local, hook(el, local, a.value)))
    ns = MAIN if el.ns == MAIN_STRICT else el.ns
    children = tuple(_canon(c, hook) for c in el.children)
    return (ns, el.local, tuple(sorted(attrs)), children)
