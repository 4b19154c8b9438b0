"""Locate elements and attributes of a small XML part by character offset, to edit it in place.

The seller parts we must change (workbook.xml, styles.xml, [Content_Types].xml, …) are
edited by splicing text at exact offsets, so everything we do not touch — namespace
prefixes, ``mc:Ignorable``, ``extLst``, whitespace, attribute order — stays byte-for-byte.
ElementTree cannot do that (it renames prefixes and drops the declaration), so each part
is first parsed with defusedxml (well-formed, no DTD or entity expansion) and only then
tokenised here; the tokeniser can therefore assume well-formed input.

Usage::

    doc = parse(text)
    sheets = doc.root.child("sheets")
    edits = Splicer()
    edits.append_child(sheets, '<sheet name="x" .../>')
    text = edits.apply(text)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!(?P<decl>[^>]*)>"
    r"|<(?P<close>/?)(?P<name>[^\s/>]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
    r"\s*(?P<empty>/?)>",
    re.S,
)
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
XML_NS = "http://www.w3.org/XML/1998/namespace"


class XMLError(ValueError):
    """The part is not well-formed XML, or uses DTDs/entities we refuse to expand."""


@dataclass(eq=False)
class Attr:
    """One attribute: ``value`` is unescaped; ``value_start``/``value_end`` bound the raw text."""

    qname: str
    value: str
    value_start: int
    value_end: int


@dataclass(eq=False)
class Element:
    """An element with the offsets needed to splice around, inside or instead of it."""

    qname: str
    ns: str
    start: int  # offset of "<"
    tag_end: int  # offset just after the start tag's ">"
    attrs_end: int  # where a new attribute can be inserted in the start tag
    empty: bool
    nsmap: dict[str, str]
    attrs: list[Attr] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    close_start: int = -1  # offset of "</" (== end for an empty element)
    end: int = -1  # offset just after the element

    @property
    def local(self) -> str:
        return self.qname.rpartition(":")[2]

    @property
    def prefix(self) -> str:
        return self.qname.rpartition(":")[0]

    def get(self, local: str, ns: str = "") -> str | None:
        """The unescaped value of the attribute ``{ns}local`` (no namespace by default)."""
        found = self.attr(local, ns)
        return None if found is None else found.value

    def attr(self, local: str, ns: str = "") -> Attr | None:
        for a in self.attrs:
            prefix, _, name = a.qname.rpartition(":")
            if name != local or prefix == "xmlns" or a.qname == "xmlns":
                continue
            if (self.nsmap.get(prefix, "") if prefix else "") == ns:
                return a
        return None

    def child(self, local: str) -> Element | None:
        return next(self.iter(local), None)

    def iter(self, local: str) -> Iterator[Element]:
        """Children (not deeper descendants) with this local name, in any namespace."""
        return (c for c in self.children if c.local == local)

    def prefix_for(self, ns: str) -> str | None:
        """A prefix bound to ``ns`` here ('' for the default namespace), or None."""
        if self.nsmap.get("") == ns:
            return ""
        return next((p for p, u in self.nsmap.items() if u == ns and p), None)


@dataclass(eq=False)
class Document:
    text: str
    root: Element


@dataclass(frozen=True)
class Encoding:
    """How a part's bytes were encoded, so an edited part is written back the same way."""

    bom: bytes = b""
    codec: str = "utf-8"

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> tuple[str, Encoding]:
    """Decode a part (UTF-8, or UTF-8/UTF-16 with a byte-order mark)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), Encoding(bom, codec)
            except UnicodeDecodeError as error:
                raise XMLError(str(error)) from error
    try:
        return data.decode("utf-8"), Encoding()
    except UnicodeDecodeError as error:
        raise XMLError(str(error)) from error


def check_well_formed(text: str) -> None:
    """Raise :class:`XMLError` unless ``text`` is well-formed XML without DTD or entities."""
    try:
        SafeET.fromstring(text)
    except Exception as error:  # ParseError, DTDForbidden, EntitiesForbidden…
        raise XMLError(str(error)) from error


def parse(text: str) -> Document:
    """Tokenise a document (checked with defusedxml first) into elements with offsets."""
    check_well_formed(text)
    stack: list[Element] = []
    root: Element | None = None
    for m in _TOKEN.finditer(text):
        if m.group("decl") is not None:
            raise XMLError("DOCTYPE declarations are not allowed")
        name = m.group("name")
        if name is None:
            continue  # comment, CDATA, processing instruction
        if m.group("close"):
            element = stack.pop()
            element.close_start, element.end = m.start(), m.end()
            continue
        element = _start_tag(m, stack[-1].nsmap if stack else {"xml": XML_NS})
        if stack:
            stack[-1].children.append(element)
        elif root is None:
            root = element
        if element.empty:
            element.close_start = element.end = m.end()
        else:
            stack.append(element)
    if root is None or stack:
        raise XMLError("no root element")
    return Document(text, root)


def _start_tag(m: re.Match[str], inherited: dict[str, str]) -> Element:
    attrs_text = m.group("attrs")
    base = m.start("attrs")
    attrs = []
    nsmap = inherited
    for a in _ATTR.finditer(attrs_text):
        group = 2 if a.group(2) is not None else 3
        attr = Attr(
            a.group(1), unescape(a.group(group)), base + a.start(group), base + a.end(group)
        )
        attrs.append(attr)
        if attr.qname == "xmlns" or attr.qname.startswith("xmlns:"):
            nsmap = dict(nsmap) if nsmap is inherited else nsmap
            nsmap[attr.qname[6:]] = attr.value
    qname = m.group("name")
    prefix = qname.rpartition(":")[0]
    return Element(
        qname=qname,
        ns=nsmap.get(prefix, ""),
        start=m.start(),
        tag_end=m.end(),
        attrs_end=m.end("attrs"),
        empty=bool(m.group("empty")),
        nsmap=nsmap,
        attrs=attrs,
    )


def unescape(raw: str) -> str:
    """Expand the five predefined entities and character references."""
    if "&" not in raw:
        return raw

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _NAMED[ref]

    return _ENTITY.sub(one, raw)


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(value: str) -> str:
    return escape_text(value).replace('"', "&quot;")


def text_of(doc: Document, element: Element) -> str:
    """The unescaped character data directly inside a leaf element."""
    if element.empty:
        return ""
    return unescape(doc.text[element.tag_end : element.close_start])


class Splicer:
    """Collects non-overlapping (start, end, replacement) edits and applies them at once."""

    def __init__(self) -> None:
        self._edits: list[tuple[int, int, str]] = []

    def __bool__(self) -> bool:
        return bool(self._edits)

    def replace(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, end, text))

    def insert(self, at: int, text: str) -> None:
        self._edits.append((at, at, text))

    def delete(self, element: Element) -> None:
        self._edits.append((element.start, element.end, ""))

    def set_attr(self, element: Element, qname: str, value: str) -> None:
        """Change an attribute's value in place, or add it at the end of the start tag."""
        existing = next((a for a in element.attrs if a.qname == qname), None)
        if existing is not None:
            self.replace(existing.value_start, existing.value_end, escape_attr(value))
        else:
            self.insert(element.attrs_end, f' {qname}="{escape_attr(value)}"')

    def append_child(self, element: Element, markup: str) -> None:
        """Add ``markup`` as the last content of ``element`` (expanding ``<x/>`` if needed)."""
        if not element.empty:
            self.insert(element.close_start, markup)
            return
        # "<x a='1'/>" -> "<x a='1'>markup</x>": replace from the end of the attributes.
        self.replace(element.attrs_end, element.end, f">{markup}</{element.qname}>")

    def apply(self, text: str) -> str:
        edits = sorted(self._edits, key=lambda e: (e[0], e[1]))
        out: list[str] = []
        pos = 0
        for start, end, replacement in edits:
            if start < pos:
                raise ValueError("overlapping edits")
            out.append(text[pos:start])
            out.append(replacement)
            pos = end
        out.append(text[pos:])
        return "".join(out)
