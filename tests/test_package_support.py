"""Builders and package checks shared by the write-back engine's tests (no tests here).

Workbooks are made by xlsxwriter the way ``sheetcrm/render_xlsx.py`` makes them;
:func:`integrity` checks what Excel needs from a package: a valid zip, relationship
targets that exist, and a content type for every part.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import xlsxwriter
from defusedxml import ElementTree as SafeET

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "calamine"
WRITER_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
CUSTOMERS = [("青木 花子", 12000, 5), ("Bob", 3400, 40), ("Chloé", 880, 200), ("大和", 56000, 12)]


def make_rendered(
    path: Path,
    titles: tuple[str, ...] = ("Customers", "Summary"),
    *,
    rows: list[tuple[str, int, int]] | None = None,
    chart: bool = True,
) -> Path:
    """A rendered workbook: a formatted table with autofilter, frozen pane, conditional
    formats (3-colour scale and a dxf rule), tab colour and a chart on the first sheet;
    a summary with a formula referring to the first sheet on the second."""
    rows = CUSTOMERS if rows is None else rows
    wb = xlsxwriter.Workbook(str(path), WRITER_OPTIONS)
    head = wb.add_format({"bold": True, "bg_color": "#DDEEFF", "border": 1})
    yen = wb.add_format({"num_format": "¥#,##0"})
    alert = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    first = wb.add_worksheet(titles[0])
    first.set_tab_color("#FF9900")
    first.set_column(0, 0, 18)
    first.freeze_panes(1, 0)
    first.write_row(0, 0, ["顧客", "Amount", "Days"], head)
    for r, (name, amount, days) in enumerate(rows, start=1):
        first.write_string(r, 0, name)
        first.write_number(r, 1, amount, yen)
        first.write_number(r, 2, days)
    last = len(rows)
    first.autofilter(0, 0, last, 2)
    first.conditional_format(1, 2, last, 2, {"type": "3_color_scale"})
    first.conditional_format(
        1, 1, last, 1, {"type": "cell", "criteria": ">", "value": 10000, "format": alert}
    )
    if chart:
        ch = wb.add_chart({"type": "column"})
        ref = f"'{titles[0]}'"
        ch.add_series(
            {"categories": f"={ref}!$A$2:$A${last + 1}", "values": f"={ref}!$B$2:$B${last + 1}"}
        )
        first.insert_chart("E2", ch)
    for title in titles[1:]:
        ws = wb.add_worksheet(title)
        ws.write_string(0, 0, "Total")
        ws.write_formula(0, 1, f"=SUM('{titles[0]}'!B2:B{last + 1})", yen)
    wb.close()
    return path


def make_seller(path: Path, titles: tuple[str, ...] = ("Orders", "Notes")) -> Path:
    """A small seller workbook made by xlsxwriter (shared strings, like Excel's)."""
    wb = xlsxwriter.Workbook(str(path))
    for i, title in enumerate(titles):
        ws = wb.add_worksheet(title)
        ws.write_row(0, 0, ["order", "customer", "amount"])
        ws.write_row(1, 0, [i + 1, "Alice", 1200])
    wb.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}


def raw_entry(path: Path, name: str) -> bytes:
    """An entry's compressed bytes as stored."""
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        info = z.getinfo(name)
        f.seek(info.header_offset)
        header = f.read(30)
        n, m = struct.unpack("<HH", header[26:30])
        f.seek(info.header_offset + 30 + n + m)
        return f.read(info.compress_size)


def _key(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def integrity(path: Path) -> tuple[set[tuple[str, str]], set[str]]:
    """(dangling relationships as (rels part, target), parts without a content type)."""
    from urllib.parse import unquote

    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = {_key(unquote(i.filename)): i.filename for i in z.infolist() if not i.is_dir()}
        dangling = set()
        for key, name in names.items():
            if not key.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(key))
            root = SafeET.fromstring(z.read(name))
            for rel in root.iter(f"{RELS_NS}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = unquote(rel.get("Target", "").split("#")[0].replace("\\", "/"))
                full = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                if _key(posixpath.normpath(full)) not in names:
                    dangling.add((key, target))
        ct_name = names.get("[content_types].xml")
        ct = SafeET.fromstring(z.read(ct_name))
        defaults = {d.get("Extension", "").lower() for d in ct.iter(f"{CT_NS}Default")}
        overrides = {_key(unquote(o.get("PartName", ""))) for o in ct.iter(f"{CT_NS}Override")}
        untyped = {
            key
            for key in names
            if key != "[content_types].xml"
            and key not in overrides
            and key.rpartition("/")[2].rpartition(".")[2] not in defaults
        }
        stale = overrides - set(names)
    return dangling | {("[Content_Types].xml", s) for s in stale}, untyped


def edit_package(
    source: Path,
    dest: Path,
    edits: dict[str, Callable[[bytes], bytes]] | None = None,
    *,
    renames: dict[str, str] | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Copy a package, changing some parts — to simulate what Excel does on save."""
    edits, renames, extra = edits or {}, renames or {}, extra or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename in edits:
                data = edits[info.filename](data)
            out.writestr(renames.get(info.filename, info.filename), data)
        for name, data in extra.items():
            out.writestr(name, data)
    dest.write_bytes(buffer.getvalue())
    return dest


def tiny_png() -> bytes:
    """A 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
