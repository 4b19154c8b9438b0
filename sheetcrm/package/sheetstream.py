"""Stream a generated worksheet's XML into the workbook, rewriting what must change.

A generated sheet may hold 100,000 rows × 30 columns (~30 MB of XML), so it is never
parsed into a tree.  The XML is cut into three pieces — the head (up to ``<sheetData``),
the rows, and the tail (after ``</sheetData>``) — and the rows are processed in chunks
that end at a ``</row>``, so every tag and every ``<f>`` is whole when a regular
expression sees it (``<`` never occurs unescaped inside text or attribute values).

What changes:

* rows: ``s="…"`` of ``<c>``/``<row>`` → the workbook's cell style indices; a cell that
  points into the shared-string table (``t="s"``) is refused, as the table is the
  seller's; formulas naming a retitled generated tab are rewritten;
* head: ``<col style>`` indices, our ``codeName`` (see :mod:`.marker`), and
  ``tabSelected`` is dropped so the workbook never opens with tabs grouped;
* tail: ``dxfId`` of conditional formats, formulas and hyperlink locations;
* Strict workbooks get Strict namespace URIs on the root element.

A renderer may also leave a table body out and put a ``<?sheetcrm-body N?>`` processing
instruction where its rows belong; ``SheetRewrite.bodies[N]`` then writes those rows,
already in the workbook's style numbering, so the largest part of a generated sheet is
neither parsed nor rewritten here (see :func:`sheetcrm.render_xlsx.render_xlsx`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .formula import retitle
from .namespaces import to_strict
from .xmlspan import escape_attr, escape_text, unescape

_P = rb"(?:[\w.-]+:)?"
_SHEET_DATA = re.compile(rb"<" + _P + rb"sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END = re.compile(rb"</" + _P + rb"sheetData>")
_ROW_END = b"</row>"
_BODY_MARK = re.compile(rb"<\?sheetcrm-body (\d+)\?>")
_CELL_STYLE = re.compile(rb"(<" + _P + rb"(?:c|row)\s[^>]*?\ss=\")(\d+)\"")
_SHARED_STRING = re.compile(rb"<" + _P + rb"c\s[^>]*?\st=\"s\"")
_FORMULA = re.compile(
    rb"(<(" + _P + rb"(?:f|formula|formula1|formula2))(?:\s[^>]*)?>)([^<]*)(</\2>)"
)
_ROOT = re.compile(rb"<(" + _P + rb")worksheet\b[^>]*>")
_SHEET_PR = re.compile(rb"<" + _P + rb"sheetPr\b([^>]*?)(/?)>")
_CODE_NAME = re.compile(rb"\scodeName=\"[^\"]*\"")
_SHEET_VIEW = re.compile(rb"<" + _P + rb"sheetView\b[^>]*>")
_TAB_SELECTED = re.compile(rb"\stabSelected=\"(?:1|true)\"")
_COL = re.compile(rb"<" + _P + rb"col\b[^>]*>")
_COL_STYLE = re.compile(rb"(\sstyle=\")(\d+)\"")
_CF_RULE = re.compile(rb"<" + _P + rb"cfRule\b[^>]*>")
_DXF_ID = re.compile(rb"(\sdxfId=\")(\d+)\"")
_HYPERLINK = re.compile(rb"<" + _P + rb"hyperlink\b[^>]*>")
_LOCATION = re.compile(rb"(\slocation=\")([^\"]*)\"")
MAX_HEAD = 64 << 20


#: Writes a deferred table body: given the rendered → workbook cell-style map, its rows.
BodyWriter = Callable[[Callable[[int], int]], Iterable[bytes]]


class SharedStringsInGeneratedSheet(ValueError):
    """The renderer wrote a shared-string cell; generated sheets must use inline strings."""


@dataclass(frozen=True)
class SheetRewrite:
    """What to change in one generated sheet."""

    xf: tuple[int, ...]
    dxf: tuple[int, ...]
    code_name: str
    titles: dict[str, str] = field(default_factory=dict)  # rendered → final, changed only
    strict: bool = False
    bodies: Sequence[BodyWriter] = ()  # the rows of each <?sheetcrm-body N?>


def rewrite_sheet(chunks: Iterable[bytes], rw: SheetRewrite) -> Iterator[bytes]:
    """Yield the rewritten sheet XML, holding at most about two chunks in memory."""
    body = _body_rewriter(rw)
    buf = b""
    state = "head"
    for chunk in chunks:
        buf += chunk
        if state == "head":
            m = _SHEET_DATA.search(buf)
            if m is None:
                if len(buf) > MAX_HEAD:
                    raise ValueError("generated sheet has no <sheetData> near its start")
                continue
            yield _rewrite_head(buf[: m.start()], rw)
            yield m.group(0)
            buf = buf[m.end() :]
            state = "tail" if m.group(1) else "rows"
        if state == "rows":
            end = _SHEET_DATA_END.search(buf)
            if end is not None:
                yield from body(buf[: end.start()])
                buf = buf[end.start() :]
                state = "tail"
            else:
                cut = buf.rfind(_ROW_END)
                if cut >= 0:
                    yield from body(buf[: cut + len(_ROW_END)])
                    buf = buf[cut + len(_ROW_END) :]
    if state != "tail":
        raise ValueError("generated sheet XML is truncated")
    yield _rewrite_tail(buf, rw)


def _mapper(table: tuple[int, ...], what: str) -> Callable[[re.Match[bytes]], bytes]:
    encoded = {str(i).encode(): str(v).encode() for i, v in enumerate(table)}

    def one(m: re.Match[bytes]) -> bytes:
        try:
            return m.group(1) + encoded[m.group(2)] + b'"'
        except KeyError:
            raise ValueError(
                f"generated sheet uses undefined {what} {m.group(2).decode()}"
            ) from None

    return one


def _body_rewriter(rw: SheetRewrite) -> Callable[[bytes], Iterator[bytes]]:
    identity = all(i == v for i, v in enumerate(rw.xf))
    style = _mapper(rw.xf, "cell style")

    def rewrite(rows: bytes) -> bytes:
        if b't="s"' in rows and _SHARED_STRING.search(rows):
            raise SharedStringsInGeneratedSheet(
                "a generated sheet uses the shared-string table; write text as inline strings"
            )
        if not identity:
            rows = _CELL_STYLE.sub(style, rows)
        if rw.titles:
            rows = _retitle_formulas(rows, rw.titles)
        return rows

    def body(rows: bytes) -> Iterator[bytes]:
        start = 0
        if b"<?sheetcrm-body" in rows:
            for mark in _BODY_MARK.finditer(rows):
                yield rewrite(rows[start : mark.start()])
                yield from _deferred_body(rw, int(mark.group(1)))
                start = mark.end()
        yield rewrite(rows[start:])

    return body


def _deferred_body(rw: SheetRewrite, number: int) -> Iterable[bytes]:
    if number >= len(rw.bodies):
        raise ValueError(f"generated sheet refers to a table body {number} it was not given")

    def workbook_style(rendered: int) -> int:
        if not 0 <= rendered < len(rw.xf):
            raise ValueError(f"generated sheet uses undefined cell style {rendered}")
        return rw.xf[rendered]

    return rw.bodies[number](workbook_style)


def _rewrite_head(head: bytes, rw: SheetRewrite) -> bytes:
    root = _ROOT.search(head)
    if root is None:
        raise ValueError("generated sheet XML has no <worksheet> root")
    prefix = root.group(1)
    start_tag = to_strict(root.group(0)) if rw.strict else root.group(0)
    code = f' codeName="{escape_attr(rw.code_name)}"'.encode()
    rest = head[root.end() :]
    sheet_pr = _SHEET_PR.search(rest)
    if sheet_pr is None:
        rest = b"<" + prefix + b"sheetPr" + code + b"/>" + rest
    else:
        attrs = _CODE_NAME.sub(b"", sheet_pr.group(1)) + code
        tag = sheet_pr.group(0)
        name_end = tag.index(b"sheetPr") + len(b"sheetPr")
        new_tag = tag[:name_end] + attrs + (b"/>" if sheet_pr.group(2) else b">")
        rest = rest[: sheet_pr.start()] + new_tag + rest[sheet_pr.end() :]
    rest = _SHEET_VIEW.sub(lambda m: _TAB_SELECTED.sub(b"", m.group(0)), rest)
    col_style = _mapper(rw.xf, "cell style")
    rest = _COL.sub(lambda m: _COL_STYLE.sub(col_style, m.group(0)), rest)
    return head[: root.start()] + start_tag + rest


def _rewrite_tail(tail: bytes, rw: SheetRewrite) -> bytes:
    dxf = _mapper(rw.dxf, "differential style")
    tail = _CF_RULE.sub(lambda m: _DXF_ID.sub(dxf, m.group(0)), tail)
    if rw.titles:
        tail = _retitle_formulas(tail, rw.titles)
        tail = _HYPERLINK.sub(lambda m: _LOCATION.sub(_retitle_attr(rw.titles), m.group(0)), tail)
    return tail


def _retitle_formulas(xml: bytes, titles: dict[str, str]) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        formula = unescape(m.group(3).decode("utf-8"))
        return m.group(1) + escape_text(retitle(formula, titles)).encode("utf-8") + m.group(4)

    return _FORMULA.sub(one, xml)


def _retitle_attr(titles: dict[str, str]) -> Callable[[re.Match[bytes]], bytes]:
    def one(m: re.Match[bytes]) -> bytes:
        value = retitle(unescape(m.group(2).decode("utf-8")), titles)
        return m.group(1) + escape_attr(value).encode("utf-8") + b'"'

    return one
