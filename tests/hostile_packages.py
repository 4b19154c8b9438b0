"""Build hostile and broken workbook packages in code, for the guard's tests.

Every builder returns the bytes of a zip; :func:`package` starts from a minimal valid
.xlsx (one sheet, ``A1 = x``) and lets a test replace or add parts, and the helpers
below edit what zipfile will not write (sizes in headers, entry names, flags).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def content_types(main: str = CT_MAIN) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT_SHEET}"/>'
        "</Types>"
    )


ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships"><sheets><sheet name="注文" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def cell(ref: str, text: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows: str, *, dimension: str = "A1", prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}worksheet {ns}="{MAIN_NS}"><{p}dimension ref="{dimension}"/>'
        f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    )


def default_parts() -> dict[str, str | bytes]:
    return {
        "[Content_Types].xml": content_types(),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet('<row r="1">' + cell("A1") + "</row>"),
    }


def package(changes: dict[str, str | bytes | None] | None = None) -> bytes:
    """A minimal .xlsx with ``changes`` applied (a ``None`` value removes the part)."""
    parts = default_parts()
    for name, data in (changes or {}).items():
        if data is None:
            parts.pop(name, None)
        else:
            parts[name] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def deflated_entry_bytes(chunks, *, name: str, declared: int | None = None) -> bytes:
    """A one-part-plus-defaults package whose ``name`` part streams ``chunks``.

    The part is compressed chunk by chunk (a 64 MiB bomb never sits in memory);
    ``declared`` overrides the uncompressed size written in its headers.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = size = 0
    body = bytearray()
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        body += compressor.compress(chunk)
    body += compressor.flush()
    out = io.BytesIO()
    parts = {k: v for k, v in default_parts().items() if k != name}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    # Append the prepared entry by hand: zipfile cannot take pre-compressed data.
    data = bytearray(out.getvalue())
    end = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, end + 12)
    central = bytes(data[cd_offset : cd_offset + cd_size])
    head = bytes(data[:cd_offset])
    encoded = name.encode()
    declared_size = size if declared is None else declared
    local = struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04",
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(body),
        declared_size,
        len(encoded),
        0,
    )
    offset = len(head)
    central_entry = (
        struct.pack(
            "<4sBBHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            0,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(body),
            declared_size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + encoded
    )
    new_head = head + local + encoded + bytes(body)
    new_central = central + central_entry
    count = central.count(b"PK\x01\x02") + 1
    end_record = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(new_central), len(new_head), 0
    )
    return new_head + new_central + end_record


def rename_entry(data: bytes, old: str, new: str) -> bytes:
    """Rename an entry in place (both headers); ``new`` must be as long as ``old``."""
    assert len(new.encode()) == len(old.encode())
    return data.replace(old.encode(), new.encode())


def set_flag(data: bytes, name: str, flag: int) -> bytes:
    """OR ``flag`` into the general-purpose flags of entry ``name`` (both headers)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = out.find(signature)
        while pos >= 0:
            if out[pos + name_at : pos + name_at + len(encoded)] == encoded:
                (flags,) = struct.unpack_from("<H", out, pos + flag_at)
                struct.pack_into("<H", out, pos + flag_at, flags | flag)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def set_method(data: bytes, name: str, method: int) -> bytes:
    """Claim compression ``method`` for entry ``name`` (both headers)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, method_at, name_at in ((b"PK\x03\x04", 8, 30), (b"PK\x01\x02", 10, 46)):
        pos = out.find(signature)
        while pos >= 0:
            if out[pos + name_at : pos + name_at + len(encoded)] == encoded:
                struct.pack_into("<H", out, pos + method_at, method)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def set_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Write ``size`` as the uncompressed size of ``name`` in both headers."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = out.find(signature)
        while pos >= 0:
            if out[pos + name_at : pos + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", out, pos + size_at, size)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def many_entries(count: int) -> bytes:
    """A valid package plus ``count`` tiny extra parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in default_parts().items():
            archive.writestr(name, data)
        for i in range(count):
            archive.writestr(f"xl/media/x{i}.bin", b"")
    return out.getvalue()


def billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE worksheet [{entities}]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{cell("A1", "&lol9;")}</row>'
        "</sheetData></worksheet>"
    )


def external_entity(root: str = "workbook") -> str:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<{root} xmlns="{MAIN_NS}"><x>&xxe;</x></{root}>'
    )
