"""Refuse hostile workbook packages before any real parse, in bounded time and memory.

Every .xlsx, .xlsm, .xlsb and .ods is a zip.  Before fastexcel (calamine) or sheetcrm's
own package code opens one, :func:`inspect_workbook` walks it once, streaming, and
raises a precise :class:`~sheetcrm.errors.NotAWorkbook` subclass; the message names
what is wrong and says the file was not opened further.  Usage::

    inspect_workbook(Path("shop.xlsx"))            # raises, or returns an Inspection
    inspect_bytes(decrypted, "shop.xlsx")          # a workbook decrypted in memory

What is checked, in this order (each step bounds the cost of the next):

1. the zip's end record: at most :attr:`Limits.max_entries` entries (else ZipBomb);
2. every central-directory entry, from headers only: no ``..``, absolute, drive-letter
   or control-character names and no two entries for one part (UnsafeEntryName);
   stored or deflated, not zip-encrypted (WrongPackageType); inside the file
   (DamagedWorkbook); declared sizes and ratio within the limits (ZipBomb);
3. the package type: ``[Content_Types].xml`` and the main part's content type must be
   a spreadsheet's, and agree with the file name (.xlsb is binary); an .ods needs its
   ``mimetype`` (WrongPackageType — a renamed .docx says so);
4. every entry is inflated in 1 MiB steps — headers are not trusted: output beyond the
   declared size stops at once (ZipBomb), a short or CRC-failing entry is damaged.
   While it streams, the XML prologue of each part is read: any ``<!DOCTYPE``/``<!ENTITY``
   is refused (UnsafeXML; OPC forbids DTDs in package XML, so no real file has one),
   and worksheets and the shared-string table are measured (AbsurdDimensions, see
   :mod:`sheetcrm.guard_cells` for why calamine needs this).

The limits (:data:`LIMITS`) and why a real 1,048,576-row workbook passes: its order
sheet is 312 MB of XML deflated at 9.7:1 and its customer sheet 34 MB at 11:1
(``benchmarks/bench_refresh.py``'s ``generate()``).  A part may hold 2 GiB and the
package 4 GiB uncompressed (6× and 12× that workbook).  Deflate tops out near 1032:1,
while spreadsheet XML stays under 20:1 — 19.4 at most in the calamine corpus, 18.8 for
a million empty formatted rows (the row numbers keep changing) — so parts above 16 MiB
may not exceed 100:1.  The used range of a sheet may hold 100,000,000 cells —
calamine's own cap for .ods, 1,048,576 rows × 95 columns, ~3 GB in its grid.  Trees we
parse whole (content types, relationships, workbook, styles) may be 64 MiB.

Cost: inflating every part once (~0.4 s per 300 MB of XML) plus the fast worksheet
scan — 1.3 s and 6 MB for the 1,048,576-row workbook above (345 MB of XML), against
~3 s to read it and 40 s or more to refresh it.  A clean result is remembered per file
identity (device, inode, size, mtime), so the several checks of one refresh pay once.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import posixpath
import re
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from sheetcrm.errors import (
    AbsurdDimensions,
    DamagedWorkbook,
    UnsafeEntryName,
    UnsafeXML,
    WrongPackageType,
    ZipBomb,
)
from sheetcrm.guard_cells import (
    CellOutOfRange,
    TagTooLong,
    XlsbScan,
    XmlSheetScan,
)

CHUNK = 1 << 20
#: An OLE compound file: an encrypted .xlsx (see :mod:`sheetcrm.crypto`) or an .xls.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MiB = 1 << 20
OOXML_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb"})
ODF_SUFFIXES = frozenset({".ods"})
ZIP_SUFFIXES = OOXML_SUFFIXES | ODF_SUFFIXES
ODS_MIMETYPES = frozenset(
    {
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.spreadsheet-template",
    }
)
_BINARY_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
_OTHER_OFFICE = (  # content-type fragment → what the file really is
    ("wordprocessingml", "a Word document", "Word 文書"),
    ("ms-word", "a Word document", "Word 文書"),
    ("presentationml", "a PowerPoint presentation", "PowerPoint プレゼンテーション"),
    ("ms-powerpoint", "a PowerPoint presentation", "PowerPoint プレゼンテーション"),
)
_TREE_PARTS = re.compile(
    r"(^\[content_types\]\.xml$|\.rels$|(^|/)(workbook|styles)\.(xml|bin)$|^docprops/app\.xml$)"
)
_UNIQUE_COUNT = re.compile(r"\suniqueCount\s*=\s*[\"']\s*(\d+)\s*[\"']")
_DRIVE = re.compile(r"^[A-Za-z]:")
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"


@dataclass(frozen=True)
class Limits:
    """How big a package may be; the defaults pass any workbook Excel can save."""

    max_entries: int = 10_000
    max_part_bytes: int = 2 << 30
    max_total_bytes: int = 4 << 30
    max_ratio: int = 100
    ratio_floor: int = 16 * MiB  # smaller parts may compress better (styles, empty rows)
    max_tree_part_bytes: int = 64 * MiB
    max_prologue_bytes: int = 64 << 10
    max_sheet_cells: int = 100_000_000


LIMITS = Limits()


@dataclass
class Inspection:
    """What an inspection did: parts streamed, bytes inflated, sheets needing the exact scan."""

    parts: int = 0
    inflated: int = 0
    exact_scans: int = 0
    sheets: list[str] = field(default_factory=list)


def inspect_workbook(
    path: Path, *, limits: Limits = LIMITS, stats: Inspection | None = None
) -> Inspection | None:
    """Refuse ``path`` if it is a hostile or broken zip package; ``None`` for non-zip files.

    Non-zip files (.xls, an encrypted .xlsx, which is a CFB container) are left to
    their readers.  ``stats`` (optional) is filled in as the inspection goes, so a test
    can see how far a refused file got.
    """
    path = Path(path)
    with open(path, "rb") as fp:
        head = fp.read(8)
        if head == CFB_MAGIC or (head[:2] != b"PK" and path.suffix.lower() not in ZIP_SUFFIXES):
            return None
        st = os.fstat(fp.fileno())
        key = (str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, limits)
        if key in _CLEAN:
            _CLEAN.move_to_end(key)
            return _CLEAN[key]
        fp.seek(0)
        result = inspect_package(fp, path.name, path.suffix.lower(), limits=limits, stats=stats)
    _remember(key, result)
    return result


def inspect_bytes(
    data: bytes,
    name: str,
    *,
    limits: Limits = LIMITS,
    stats: Inspection | None = None,
) -> Inspection:
    """Refuse a workbook held in memory (a decrypted one) that is hostile or broken."""
    suffix = Path(name).suffix.lower()
    key = (hashlib.sha256(data).hexdigest(), suffix, limits)
    if key in _CLEAN:
        _CLEAN.move_to_end(key)
        return _CLEAN[key]
    result = inspect_package(BytesIO(data), name, suffix, limits=limits, stats=stats)
    _remember(key, result)
    return result


#: Clean verdicts by file identity or content digest (a refused file is never cached).
_CLEAN: OrderedDict[tuple, Inspection] = OrderedDict()


def _remember(key: tuple, result: Inspection) -> None:
    _CLEAN[key] = result
    while len(_CLEAN) > 32:
        _CLEAN.popitem(last=False)


def inspect_package(
    fp: BinaryIO,
    name: str,
    suffix: str,
    *,
    limits: Limits = LIMITS,
    stats: Inspection | None = None,
) -> Inspection:
    """Inspect the zip package in the seekable file ``fp``; ``name`` is used in messages."""
    stats = stats if stats is not None else Inspection()
    size = fp.seek(0, os.SEEK_END)
    _check_end_record(fp, size, name, limits)
    try:
        archive = zipfile.ZipFile(fp)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _damaged(name) from error
    files = _check_entries(infos, size, name, limits)
    kind = _package_type(archive, files, name, suffix, limits, stats, fp)
    for info in files:
        if info.filename.replace("\\", "/").lower() not in kind.inspected:
            _inspect_entry(fp, info, name, kind, limits, stats)
    return stats


# --- 1 and 2: the zip's directory -------------------------------------------------------


def _check_end_record(fp: BinaryIO, size: int, name: str, limits: Limits) -> None:
    """Read the entry count from the end record before zipfile builds one object per entry."""
    tail_size = min(size, 65_557)  # end record (22) + the longest comment (65,535)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        raise _damaged(name)
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    locator = at - 20  # APPNOTE 4.3.15: the ZIP64 locator sits right before the end record
    if entries == 0xFFFF or (locator >= 0 and tail[locator : locator + 4] == _END64_LOCATOR):
        if locator < 0 or tail[locator : locator + 4] != _END64_LOCATOR:
            raise _damaged(name)
        offset = int.from_bytes(tail[locator + 8 : locator + 16], "little")
        if offset + 56 > size:
            raise _damaged(name)
        fp.seek(offset)
        record = fp.read(56)
        if record[:4] != b"PK\x06\x06":
            raise _damaged(name)
        entries = int.from_bytes(record[32:40], "little")
    if entries > limits.max_entries:
        raise _too_many(name, entries, limits)


def _check_entries(
    infos: list[zipfile.ZipInfo], size: int, name: str, limits: Limits
) -> list[zipfile.ZipInfo]:
    if len(infos) > limits.max_entries:
        raise _too_many(name, len(infos), limits)
    seen: set[str] = set()
    total = 0
    files = []
    for info in infos:
        part = _check_name(info.filename, name)
        if info.is_dir():
            continue
        if part.lower() in seen:
            raise UnsafeEntryName(
                f"{name} holds two entries for the part '{part[:80]}', so different programs "
                "would read different data. The file was not opened further.",
                message_ja=f"{name} には同じ部品「{part[:80]}」が 2 つ入っており、"
                "読むソフトによって中身が変わります。これ以上は開きませんでした。",
            )
        seen.add(part.lower())
        if info.flag_bits & 0x1:
            raise _wrong_type(
                name,
                "it is a zip locked with a zip password (Excel's passwords work differently)",
                "zip のパスワードがかかった圧縮ファイルです（Excel のパスワードとは別物です）",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _wrong_type(
                name,
                "it uses a zip compression method Excel never writes",
                "Excel が使わない zip の圧縮方式が使われています",
            )
        stored = info.compress_type == zipfile.ZIP_STORED
        if not 0 <= info.header_offset <= size - 30 - info.compress_size or (
            stored and info.compress_size != info.file_size
        ):
            raise _damaged(name)
        if info.file_size > limits.max_part_bytes:
            raise _bomb(name, f"one part would unpack to {_gb(info.file_size)}", limits)
        if _TREE_PARTS.search(part.lower()) and info.file_size > limits.max_tree_part_bytes:
            raise _bomb(name, f"'{part[:80]}' would unpack to {_gb(info.file_size)}", limits)
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _bomb(name, f"one part is compressed {ratio:,}:1", limits)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _bomb(name, f"its parts would unpack to more than {_gb(total)}", limits)
        files.append(info)
    return files


def _check_name(raw: str, name: str) -> str:
    """The entry's part name (slashes), or UnsafeEntryName if it could leave the package."""
    part = raw.replace("\\", "/")
    segments = part.rstrip("/").split("/")
    if (
        not part
        or part.startswith("/")
        or _DRIVE.match(part)
        or any(ord(ch) < 0x20 or ch == "\x7f" for ch in part)
        or ".." in segments
        or posixpath.normpath(part).startswith("..")
    ):
        shown = part.encode("unicode_escape").decode("ascii")[:80]
        raise UnsafeEntryName(
            f"{name} contains an entry named '{shown}', which points outside the workbook "
            "(a path-traversal trick). Excel never writes such names; the file was not "
            "opened further. If you did not make this file yourself, delete it.",
            message_ja=f"{name} には「{shown}」という、ブックの外を指す名前の部品があります"
            "（パス・トラバーサル）。Excel はこのような名前を書きません。これ以上は"
            "開きませんでした。ご自身で作ったファイルでなければ削除してください。",
        )
    return part


# --- 3: what kind of package ------------------------------------------------------------


def _package_type(
    archive: zipfile.ZipFile,
    files: list[zipfile.ZipInfo],
    name: str,
    suffix: str,
    limits: Limits,
    stats: Inspection,
    fp: BinaryIO,
) -> _Kind:
    by_part = {info.filename.replace("\\", "/").lower(): info for info in files}
    if "[content_types].xml" in by_part:
        if suffix in ODF_SUFFIXES:
            raise _wrong_type(
                name,
                "it is an Excel workbook saved under an .ods name; rename it to .xlsx",
                "中身は Excel ブックなのに拡張子が .ods です。.xlsx に名前を変えてください",
            )
        return _ooxml_type(archive, by_part, name, suffix, limits, stats, fp)
    if "mimetype" in by_part:
        info = by_part["mimetype"]
        mimetype = b"".join(_inflate(fp, info, name, limits, Inspection()))
        mimetype = mimetype.decode("ascii", "replace")
        if mimetype.strip() not in ODS_MIMETYPES:
            raise _wrong_type(
                name,
                f"it is an OpenDocument file of type '{mimetype.strip()[:60]}', not a spreadsheet",
                f"OpenDocument の「{mimetype.strip()[:60]}」ファイルで、"
                "表計算のファイルではありません",
            )
        if suffix in OOXML_SUFFIXES:
            raise _wrong_type(
                name,
                "it is a LibreOffice (.ods) spreadsheet saved under an Excel name; "
                "rename it to .ods",
                "中身は LibreOffice（.ods）の表なのに拡張子が Excel のものです。"
                ".ods に名前を変えてください",
            )
        return _Kind(ooxml=False)
    raise _wrong_type(
        name,
        "it is a plain zip archive, not an Excel workbook (no [Content_Types].xml)",
        "ただの zip 圧縮ファイルで、Excel ブックではありません（[Content_Types].xml がありません）",
    )


@dataclass
class _Kind:
    """What the package is, and which parts are worksheets / the shared-string table."""

    ooxml: bool
    binary: bool = False
    sheets: dict[str, str] = field(default_factory=dict)  # part (lower) → tab title
    shared_strings: set[str] = field(default_factory=set)
    inspected: set[str] = field(default_factory=set)  # parts already streamed


def _ooxml_type(
    archive: zipfile.ZipFile,
    by_part: dict[str, zipfile.ZipInfo],
    name: str,
    suffix: str,
    limits: Limits,
    stats: Inspection,
    fp: BinaryIO,
) -> _Kind:
    from sheetcrm.package.opc import Package, PackageError, rels_part

    # The parts parsed here are streamed first, so their DTDs are refused before parsing.
    early = _Kind(ooxml=True)

    def inspect_first(part: str) -> None:
        if part in by_part and part not in early.inspected:
            _inspect_entry(fp, by_part[part], name, early, limits, stats)
            early.inspected.add(part)

    inspect_first("[content_types].xml")
    inspect_first("_rels/.rels")
    try:
        package = Package(fp)
        main = package.workbook_part
        inspect_first(main.lower())
        inspect_first(rels_part(main).lower())
        content_type = package.content_types.of(main) or ""
        relationships = package.relationships(main)
    except PackageError as error:
        raise _wrong_type(
            name,
            "it has no readable workbook part or content types",
            "ブック本体または内容の種類（[Content_Types].xml）を読み取れません",
        ) from error
    for fragment, what, what_ja in _OTHER_OFFICE:
        if fragment in content_type:
            raise _wrong_type(
                name,
                f"it is {what} renamed to {suffix or 'a workbook name'}",
                f"中身は {what_ja} で、名前だけが {suffix or 'ブック'} になっています",
            )
    binary = content_type == _BINARY_MAIN
    if "spreadsheetml" not in content_type and "ms-excel" not in content_type:
        raise _wrong_type(
            name,
            f"its main part has the content type '{content_type[:80] or '(none)'}', "
            "not an Excel workbook's",
            f"本体の内容の種類が「{content_type[:80] or '（なし）'}」で、"
            "Excel ブックのものではありません",
        )
    if binary != (suffix == ".xlsb") and suffix in OOXML_SUFFIXES:
        right = ".xlsb" if binary else ".xlsx"
        raise _wrong_type(
            name,
            f"it is an {right} workbook saved under a {suffix} name; rename it to {right}",
            f"中身は {right} のブックなのに拡張子が {suffix} です。{right} に名前を変えてください",
        )
    kind = _Kind(ooxml=True, binary=binary, inspected=early.inspected)
    titles = _sheet_titles(package, main)
    for rel in relationships:
        if rel.part is None:
            continue
        if rel.name == "worksheet":
            kind.sheets[rel.part.lower()] = titles.get(rel.id, rel.part)
        elif rel.name == "sharedStrings":
            kind.shared_strings.add(rel.part.lower())
    # Content types too: a reader may find parts by type or by the usual name.
    for part, ctype in package.content_types.overrides.items():
        if "worksheet" in ctype:
            kind.sheets.setdefault(part.lower(), part)
        elif "sharedStrings" in ctype:
            kind.shared_strings.add(part.lower())
    return kind


def _sheet_titles(package, main: str) -> dict[str, str]:
    """``{relationship id: tab title}``, for messages; empty when the workbook is binary."""
    if not main.lower().endswith(".xml"):
        return {}
    from sheetcrm.package.opc import PackageError
    from sheetcrm.package.workbook import read_workbook
    from sheetcrm.package.xmlspan import XMLError

    try:
        return {sheet.rid: sheet.title for sheet in read_workbook(package).sheets}
    except (PackageError, XMLError, ValueError):
        return {}


# --- 4: every entry, streamed ----------------------------------------------------------


def _inspect_entry(
    fp: BinaryIO,
    info: zipfile.ZipInfo,
    name: str,
    kind: _Kind,
    limits: Limits,
    stats: Inspection,
) -> None:
    part = info.filename.replace("\\", "/")
    key = part.lower()
    where = kind.sheets.get(key, part)
    head = _Prologue(limits.max_prologue_bytes)
    scan: XmlSheetScan | XlsbScan | None = None
    binary_sheet = kind.binary and (key in kind.sheets or key in kind.shared_strings)
    if binary_sheet:
        scan = XlsbScan(max_cells=limits.max_sheet_cells)
    stats.parts += 1
    try:
        for chunk in _inflate(fp, info, name, limits, stats):
            if not head.done:
                head.feed(chunk)
                if head.done and kind.ooxml and not binary_sheet:
                    scan = _scanner_for(head, key, kind, info, limits, name, where)
                if not head.done:
                    continue
                chunk = head.take_buffered()
            if scan is not None:
                scan.feed(head.transcode(chunk))
        head.finish()
        if scan is not None and not scan.close():
            if isinstance(scan, XmlSheetScan) and not scan.exact:
                stats.exact_scans += 1
                _exact_scan(fp, info, name, head, limits, stats, where)
            else:
                raise _too_wide(name, where, scan.used, limits)
        if isinstance(scan, XlsbScan) and scan.unique_strings is not None:
            _check_unique_strings(scan.unique_strings, info, name, limits)
    except _HeadRefused as refused:
        raise _unsafe_xml(name, part, refused) from None
    except CellOutOfRange as error:
        raise _out_of_range(name, where, str(error)) from None
    except TagTooLong:
        raise UnsafeXML(
            f"{name}: the part '{part[:80]}' contains a single XML tag longer than 16 MB, "
            "which no spreadsheet program writes. The file was not opened further.",
            message_ja=f"{name}: 部品「{part[:80]}」に 16 MB を超える XML タグがあり、"
            "表計算ソフトが書くものではありません。これ以上は開きませんでした。",
        ) from None
    if head.root == "worksheet":
        stats.sheets.append(where)


def _scanner_for(
    head: _Prologue,
    key: str,
    kind: _Kind,
    info: zipfile.ZipInfo,
    limits: Limits,
    name: str,
    where: str,
) -> XmlSheetScan | None:
    """Worksheets are recognised by their root tag too: a reader may not care about types."""
    if head.root == "worksheet" or key in kind.sheets:
        if head.root != "worksheet":
            return None  # listed as a worksheet but is something else: readers will fail
        return XmlSheetScan(max_cells=limits.max_sheet_cells)
    if head.root == "sst":
        found = _UNIQUE_COUNT.search(head.root_tag)
        if found is not None:
            _check_unique_strings(int(found.group(1)), info, name, limits)
    return None


def _exact_scan(
    fp: BinaryIO,
    info: zipfile.ZipInfo,
    name: str,
    head: _Prologue,
    limits: Limits,
    stats: Inspection,
    where: str,
) -> None:
    scan = XmlSheetScan(max_cells=limits.max_sheet_cells, exact=True)
    again = _Prologue(limits.max_prologue_bytes)
    for chunk in _inflate(fp, info, name, limits, stats):
        if not again.done:
            again.feed(chunk)
            if not again.done:
                continue
            chunk = again.take_buffered()
        scan.feed(again.transcode(chunk))
    if not scan.close():
        raise _too_wide(name, where, scan.used, limits)


def _check_unique_strings(claimed: int, info: zipfile.ZipInfo, name: str, limits: Limits) -> None:
    """calamine reserves room for every string the table claims; each takes >= 5 bytes."""
    if claimed > min(info.file_size // 5 + 1, limits.max_sheet_cells):
        raise AbsurdDimensions(
            f"{name}: its shared-text table claims {claimed:,} entries but has room for at "
            f"most {info.file_size // 5 + 1:,}; reading it would reserve gigabytes of memory. "
            "The file was not opened further. Open it in Excel and save it again.",
            message_ja=f"{name}: 共有文字列の表が {claimed:,} 件あると宣言していますが、"
            f"実際には最大 {info.file_size // 5 + 1:,} 件しか入りません。読み込むと何 GB もの"
            "メモリを確保してしまうため、これ以上は開きませんでした。"
            "Excel で開いて保存し直してください。",
        )


def _inflate(
    fp: BinaryIO, info: zipfile.ZipInfo, name: str, limits: Limits, stats: Inspection
) -> Iterator[bytes]:
    """An entry's bytes, inflated 1 MiB at a time; never more than its declared size."""
    from sheetcrm.package.zipio import CorruptEntry, raw_chunks

    declared = info.file_size
    produced = crc = 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        for raw in raw_chunks(fp, info):
            while raw:
                if inflater is None:
                    out, raw = raw, b""
                else:
                    out = inflater.decompress(raw, CHUNK)
                    raw = inflater.unconsumed_tail
                if not out:
                    break
                produced += len(out)
                stats.inflated += len(out)
                if produced > declared:
                    _overrun(inflater, raw, info, name, produced, limits, stats)
                crc = zlib.crc32(out, crc)
                yield out
            if inflater is not None and inflater.eof:
                break
        if inflater is not None and not inflater.eof:
            raise _damaged(name)  # the deflate stream stops short: truncated
    except (CorruptEntry, zlib.error, OSError, ValueError) as error:
        raise _damaged(name) from error
    if produced != declared or crc != info.CRC:
        raise _damaged(name)


def _overrun(
    inflater,
    raw: bytes,
    info: zipfile.ZipInfo,
    name: str,
    produced: int,
    limits: Limits,
    stats: Inspection,
) -> None:
    """An entry inflates past its declared size: a lying header (a bomb) or plain damage.

    Up to :attr:`Limits.ratio_floor` more bytes are inflated (and dropped) to tell
    them apart: a stream that ends soon after is a damaged entry (the corpus has one,
    ``issue252.xlsx``); one that keeps going is a bomb hiding behind its header.
    """
    budget = info.file_size + limits.ratio_floor
    while inflater is not None and raw and produced <= budget and not inflater.eof:
        extra = len(inflater.decompress(raw, CHUNK))
        produced += extra
        stats.inflated += extra
        raw = inflater.unconsumed_tail
    if produced > budget:
        raise _bomb(
            name,
            f"the part '{info.filename[:80]}' unpacks to more than the "
            f"{info.file_size:,} bytes its header records",
            limits,
        )
    raise _damaged(name)


# --- the XML prologue -------------------------------------------------------------------


def check_xml_prologue(data: bytes, name: str, part: str, *, limits: Limits = LIMITS) -> None:
    """Refuse (UnsafeXML) an XML document outside a zip that declares a DTD or entities.

    Used for the ``EncryptionInfo`` stream of an encrypted workbook, which msoffcrypto
    parses with minidom before any password is checked.
    """
    head = _Prologue(limits.max_prologue_bytes)
    try:
        head.feed(data[: limits.max_prologue_bytes + 1])
        head.finish()
    except _HeadRefused as refused:
        raise _unsafe_xml(name, part, refused) from None


class _HeadRefused(Exception):
    def __init__(self, reason: str, reason_ja: str) -> None:
        super().__init__(reason)
        self.reason, self.reason_ja = reason, reason_ja


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_ROOT_TAG = re.compile(r"<([^\s/>!?]+)[^>]*>", re.S)


class _Prologue:
    """Read a part's start until its root tag, refusing DTDs, entities and endless prologues.

    In XML a DTD (and so any entity declaration) can only come before the root element,
    so this is where billion laughs and external entities live.  Binary parts stop at
    once: anything not starting like XML has no prologue.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.done = False
        self.root = ""  # local name of the root element, when the part is XML
        self.root_tag = ""
        self._buffer = b""
        self._codec: str | None = None
        self._decoder: codecs.IncrementalDecoder | None = None

    def feed(self, chunk: bytes) -> None:
        self._buffer += chunk
        data = self._buffer
        if self._codec is None:
            if len(data) < 4:
                return
            self._codec = next((c for bom, c in _BOMS if data.startswith(bom)), "utf-8")
            if self._codec.startswith("utf-16"):
                self._decoder = codecs.getincrementaldecoder(self._codec)("replace")
        text = (
            data.decode(self._codec, "replace")
            if self._codec.startswith("utf-16")
            else data.decode("latin-1")  # markup is ASCII in every ASCII-compatible encoding
        )
        self._read(text, final=False)
        if not self.done and len(data) > self.limit:
            raise _HeadRefused(
                f"starts with more than {self.limit // 1024} KB before its first element",
                f"最初の要素の前に {self.limit // 1024} KB を超える前置きがあります",
            )

    def finish(self) -> None:
        if not self.done and self._buffer:
            text = self._buffer.decode(self._codec or "latin-1", "replace")
            self._read(text, final=True)
        self.done = True

    def take_buffered(self) -> bytes:
        data, self._buffer = self._buffer, b""
        return data

    def transcode(self, chunk: bytes) -> bytes:
        """Worksheet bytes as UTF-8-compatible bytes for the byte-level scanners."""
        if self._decoder is None:
            return chunk
        return self._decoder.decode(chunk).encode("utf-8")

    def _read(self, text: str, *, final: bool) -> None:
        pos = 1 if text.startswith("\ufeff") else 3 if text.startswith("\u00ef\u00bb\u00bf") else 0
        n = len(text)
        while True:
            while pos < n and text[pos] in " \t\r\n":
                pos += 1
            if n - pos < 4 and not final:
                return  # too little to tell "<?", "<!--", "<!DOCTYPE" and "<root" apart
            if pos >= n or text[pos] != "<":
                self.done = True  # empty, or not XML (binary, or text before the root)
                return
            if text.startswith("<?", pos) or text.startswith("<!--", pos):
                closer = "?>" if text[pos + 1] == "?" else "-->"
                end = text.find(closer, pos + 2)
                if end < 0:
                    self.done = final
                    return
                pos = end + len(closer)
                continue
            if text.startswith("<!", pos):
                declared = text[pos : pos + 9]
                raise _HeadRefused(
                    f"declares a DTD or entities ('{declared}…')",
                    f"DTD またはエンティティの宣言（「{declared}…」）があります",
                )
            match = _ROOT_TAG.match(text, pos)
            if match is None:
                self.done = final or n - pos > self.limit
                return
            qname = match.group(1)
            self.root = qname.rpartition(":")[2]
            self.root_tag = match.group(0)
            self.done = True
            return


# --- messages ---------------------------------------------------------------------------


def _gb(size: int) -> str:
    return f"{size / (1 << 30):,.1f} GB" if size >= 1 << 30 else f"{size / MiB:,.0f} MB"


def _damaged(name: str) -> DamagedWorkbook:
    return DamagedWorkbook(
        f"{name} is damaged: the zip inside it is truncated or corrupt (an incomplete "
        "download or copy?). It was not opened further. Open it in Excel, which may "
        "repair it, and save it again — or use a backup.",
        message_ja=f"{name} は壊れています（中の zip が途中で切れているか破損しています。"
        "ダウンロードやコピーが途中で止まった可能性があります）。これ以上は開きませんでした。"
        "Excel で開くと修復できる場合があります。保存し直すか、バックアップをお使いください。",
    )


def _wrong_type(name: str, why: str, why_ja: str) -> WrongPackageType:
    return WrongPackageType(
        f"{name} is not an Excel workbook: {why}. It was not opened further.",
        message_ja=f"{name} は Excel ブックではありません: {why_ja}。これ以上は開きませんでした。",
    )


def _bomb(name: str, why: str, limits: Limits) -> ZipBomb:
    return ZipBomb(
        f"{name} looks like a zip bomb: {why}, far beyond any real workbook "
        f"(limits: {_gb(limits.max_part_bytes)} per part, {_gb(limits.max_total_bytes)} in all, "
        f"{limits.max_ratio}:1 compression). It was not opened further. If you did not make "
        "this file yourself, delete it.",
        message_ja=f"{name} は zip 爆弾のようです（{why}）。実際のブックではありえない大きさ"
        f"です（上限: 部品ごとに {_gb(limits.max_part_bytes)}、合計 {_gb(limits.max_total_bytes)}、"
        f"圧縮率 {limits.max_ratio}:1）。これ以上は開きませんでした。"
        "ご自身で作ったファイルでなければ削除してください。",
    )


def _unsafe_xml(name: str, part: str, refused: _HeadRefused) -> UnsafeXML:
    return UnsafeXML(
        f"{name}: the part '{part[:80]}' {refused.reason}. Such declarations can make a "
        "reader expand text without end (billion laughs) or read other files on this "
        "computer (external entities); Excel never writes them. The file was not opened "
        "further. If you did not make this file yourself, delete it.",
        message_ja=f"{name}: 部品「{part[:80]}」に {refused.reason_ja}。これは文字列を"
        "際限なく展開させたり（billion laughs）、このパソコンの別のファイルを読ませたり"
        "（外部エンティティ）する仕掛けで、Excel は書きません。これ以上は開きませんでした。"
        "ご自身で作ったファイルでなければ削除してください。",
    )


def _too_many(name: str, entries: int, limits: Limits) -> ZipBomb:
    return ZipBomb(
        f"{name} holds {entries:,} files inside; a workbook has a few hundred at most "
        f"(limit {limits.max_entries:,}). It was not opened further.",
        message_ja=f"{name} の中には {entries:,} 個のファイルがあります。ブックなら多くても"
        f"数百個です（上限 {limits.max_entries:,}）。これ以上は開きませんでした。",
    )


def _out_of_range(name: str, where: str, what: str) -> AbsurdDimensions:
    return AbsurdDimensions(
        f"{name}: sheet '{where}' refers to {what}, outside Excel's grid "
        "(A1:XFD1048576). Excel never writes that; the file was not opened further. "
        "Open it in Excel and save it again.",
        message_ja=f"{name}: シート「{where}」が Excel の範囲（A1:XFD1048576）の外"
        f"（{what}）を指しています。Excel はこのように書きません。これ以上は開きません"
        "でした。Excel で開いて保存し直してください。",
    )


def _too_wide(name: str, where: str, used, limits: Limits) -> AbsurdDimensions:
    return AbsurdDimensions(
        f"{name}: sheet '{where}' has values spread over {used} — {used.cells:,} cells, "
        f"more than the {limits.max_sheet_cells:,} sheetcrm can hold in memory, so it was "
        "not opened further. Usually a stray value far to the right or far down: press "
        "Ctrl+End in Excel to find the last cell, delete the rows or columns beyond your "
        "table, and save.",
        message_ja=f"{name}: シート「{where}」の値が {used}（{used.cells:,} セル）に"
        f"散らばっていて、sheetcrm がメモリに載せられる {limits.max_sheet_cells:,} セルを"
        "超えているため、これ以上は開きませんでした。多くは、はるか右や下に紛れ込んだ値が"
        "原因です。Excel で Ctrl+End を押して最後のセルを探し、表より外の行・列を削除して"
        "保存してください。",
    )
