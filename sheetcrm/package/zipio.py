"""A ZIP writer that copies entries from another archive without recompressing them.

The seller's parts must come out byte-identical, and a 1,000,000-row sheet should not be
inflated and deflated again just to be carried over.  :mod:`zipfile` cannot write
pre-compressed data, so this module writes the (small, well-documented) ZIP structures
itself: local headers, central directory, and ZIP64 records when sizes or offsets need
them (APPNOTE.TXT 4.3 and 4.5).  Reading stays with :mod:`zipfile`; :func:`raw_chunks`
only fetches an entry's compressed bytes using the offsets zipfile already parsed.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .deflate import Checked, deflate

CHUNK = 1 << 20
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sBBHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_END64_LOCATOR = struct.Struct("<4sIQI")
_MAX32 = 0xFFFFFFFF
_FLAG_DATA_DESCRIPTOR = 0x08
_FLAG_UTF8 = 0x800
DEFAULT_DATE_TIME = (1980, 1, 1, 0, 0, 0)


class CorruptEntry(ValueError):
    """An entry's local header does not match the central directory."""


def raw_chunks(fp: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield an entry's compressed bytes exactly as stored (re-seeking before every read)."""
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise CorruptEntry(f"bad local header for {info.filename!r}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    pos = info.header_offset + _LOCAL.size + name_len + extra_len
    remaining = info.compress_size
    while remaining:
        fp.seek(pos)
        data = fp.read(min(CHUNK, remaining))
        if not data:
            raise CorruptEntry(f"{info.filename!r} is truncated")
        pos += len(data)
        remaining -= len(data)
        yield data


def encoded_name(info: zipfile.ZipInfo) -> bytes:
    """The entry name as it was stored (zipfile decodes it as UTF-8 or CP437)."""
    if info.flag_bits & _FLAG_UTF8:
        return info.orig_filename.encode("utf-8")
    return info.orig_filename.encode("cp437")


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compress_size: int
    file_size: int
    offset: int
    version_needed: int
    create_version: int
    create_system: int
    internal_attr: int
    external_attr: int
    extra: bytes
    comment: bytes


class ZipWriter:
    """Writes a ZIP archive to a seekable binary file, entry by entry, in call order."""

    def __init__(self, fp: BinaryIO) -> None:
        self._fp = fp
        self._entries: list[_Entry] = []
        self._names: set[bytes] = set()

    def copy_raw(self, info: zipfile.ZipInfo, chunks: Iterable[bytes]) -> None:
        """Copy an entry of another archive: same name, metadata and compressed bytes."""
        entry = self._new_entry(
            encoded_name(info),
            flags=info.flag_bits & ~_FLAG_DATA_DESCRIPTOR,
            method=info.compress_type,
            date_time=info.date_time,
            create_version=info.create_version,
            create_system=info.create_system,
            version_needed=info.extract_version,
            internal_attr=info.internal_attr,
            external_attr=info.external_attr,
            extra=_strip_zip64(info.extra),
            comment=info.comment,
        )
        entry.crc, entry.compress_size, entry.file_size = (
            info.CRC,
            info.compress_size,
            info.file_size,
        )
        self._write_local_header(entry)
        for chunk in chunks:
            self._fp.write(chunk)
        self._entries.append(entry)

    def write_stream(
        self,
        name: str,
        chunks: Iterable[bytes],
        *,
        date_time: tuple[int, int, int, int, int, int] = DEFAULT_DATE_TIME,
        like: zipfile.ZipInfo | None = None,
    ) -> None:
        """Deflate ``chunks`` into a new entry; ``like``: the entry it replaces, for metadata."""
        encoded, flags = _encode_new_name(name)
        entry = self._new_entry(
            encoded_name(like) if like is not None else encoded,
            flags=(like.flag_bits & _FLAG_UTF8) if like is not None else flags,
            method=zipfile.ZIP_DEFLATED,
            date_time=like.date_time if like is not None else date_time,
            create_version=like.create_version if like is not None else 20,
            create_system=like.create_system if like is not None else 0,
            version_needed=20,
            internal_attr=like.internal_attr if like is not None else 0,
            external_attr=like.external_attr if like is not None else 0,
            extra=b"",
            comment=like.comment if like is not None else b"",
        )
        header_at = self._fp.tell()
        self._write_local_header(entry)
        checked = Checked()
        written = 0
        for out in deflate(chunks, 6, checked):
            written += len(out)
            self._fp.write(out)
        crc, size = checked.crc, checked.size
        if size >= _MAX32 or written >= _MAX32:
            raise ValueError(f"generated part {name!r} is larger than 4 GiB")
        entry.crc, entry.compress_size, entry.file_size = crc, written, size
        end = self._fp.tell()
        self._fp.seek(header_at)
        self._write_local_header(entry)
        self._fp.seek(end)
        self._entries.append(entry)

    def write_bytes(self, name: str, data: bytes, *, like: zipfile.ZipInfo | None = None) -> None:
        """Write a small new (or replacement) entry."""
        self.write_stream(name, (data,), like=like)

    def close(self, comment: bytes = b"") -> None:
        """Write the central directory and end records."""
        cd_start = self._fp.tell()
        for entry in self._entries:
            extra = entry.extra
            fields = []
            file_size, compress_size, offset = entry.file_size, entry.compress_size, entry.offset
            if file_size >= _MAX32 or compress_size >= _MAX32:
                fields += [file_size, compress_size]
                file_size = compress_size = _MAX32
            if offset >= _MAX32:
                fields.append(offset)
                offset = _MAX32
            if fields:
                extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) + extra
            self._fp.write(
                _CENTRAL.pack(
                    b"PK\x01\x02",
                    entry.create_version,
                    entry.create_system,
                    max(entry.version_needed, 45 if fields else 0),
                    entry.flags,
                    entry.method,
                    entry.dos_time,
                    entry.dos_date,
                    entry.crc,
                    compress_size,
                    file_size,
                    len(entry.name),
                    len(extra),
                    len(entry.comment),
                    0,
                    entry.internal_attr,
                    entry.external_attr,
                    offset,
                )
            )
            self._fp.write(entry.name + extra + entry.comment)
        cd_end = self._fp.tell()
        count, cd_size = len(self._entries), cd_end - cd_start
        if count >= 0xFFFF or cd_size >= _MAX32 or cd_start >= _MAX32:
            self._fp.write(
                _END64.pack(
                    b"PK\x06\x06", _END64.size - 12, 45, 45, 0, 0, count, count, cd_size, cd_start
                )
            )
            self._fp.write(_END64_LOCATOR.pack(b"PK\x06\x07", 0, cd_end, 1))
            count16, size32, start32 = (
                min(count, 0xFFFF),
                min(cd_size, _MAX32),
                min(cd_start, _MAX32),
            )
        else:
            count16, size32, start32 = count, cd_size, cd_start
        self._fp.write(
            _END.pack(b"PK\x05\x06", 0, 0, count16, count16, size32, start32, len(comment))
        )
        self._fp.write(comment)

    def _new_entry(self, name: bytes, *, date_time, **fields) -> _Entry:
        if name in self._names:
            raise ValueError(f"duplicate entry {name!r}")
        self._names.add(name)
        year, month, day, hour, minute, second = date_time
        return _Entry(
            name=name,
            dos_time=(hour << 11) | (minute << 5) | (second // 2),
            dos_date=(max(year, 1980) - 1980) << 9 | (month << 5) | day,
            crc=0,
            compress_size=0,
            file_size=0,
            offset=self._fp.tell(),
            **fields,
        )

    def _write_local_header(self, entry: _Entry) -> None:
        extra = b""
        compress_size, file_size = entry.compress_size, entry.file_size
        version = entry.version_needed
        if compress_size >= _MAX32 or file_size >= _MAX32:
            extra = struct.pack("<HHQQ", 1, 16, file_size, compress_size)
            compress_size = file_size = _MAX32
            version = max(version, 45)
        self._fp.write(
            _LOCAL.pack(
                b"PK\x03\x04",
                version,
                entry.flags,
                entry.method,
                entry.dos_time,
                entry.dos_date,
                entry.crc,
                compress_size,
                file_size,
                len(entry.name),
                len(extra),
            )
        )
        self._fp.write(entry.name + extra)


def _encode_new_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _FLAG_UTF8


def _strip_zip64(extra: bytes) -> bytes:
    """Drop the ZIP64 extra field (the writer adds its own where needed)."""
    out = bytearray()
    pos = 0
    while pos + 4 <= len(extra):
        header_id, size = struct.unpack("<HH", extra[pos : pos + 4])
        if header_id != 1:
            out += extra[pos : pos + 4 + size]
        pos += 4 + size
    return bytes(out)
