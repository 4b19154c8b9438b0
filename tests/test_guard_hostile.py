"""Hostile and broken packages are refused before any parse: precisely, quickly, in little memory.

Each case is built in code (:mod:`hostile_packages`).  A refusal must name the file in
English and Japanese, say it was not opened further, inflate (almost) nothing, and
happen before fastexcel or the package writer touch the file.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_packages import (
    CT_DOCX,
    MAIN_NS,
    billion_laughs,
    cell,
    content_types,
    deflated_entry_bytes,
    external_entity,
    many_entries,
    package,
    set_declared_size,
    set_flag,
    set_method,
    sheet,
)

from sheetcrm import pipeline
from sheetcrm.errors import (
    AbsurdDimensions,
    DamagedWorkbook,
    NotAWorkbook,
    UnsafeEntryName,
    UnsafeXML,
    WrongPackageType,
    ZipBomb,
)
from sheetcrm.guard import Inspection, Limits, inspect_workbook
from sheetcrm.package import check_writable

MiB = 1 << 20
SHEET = "xl/worksheets/sheet1.xml"


def _spaces(total: int):
    head = f'<?xml version="1.0"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    yield head
    for _ in range(total // MiB):
        yield b" " * MiB
    yield b"</sheetData></worksheet>"


def _truncated() -> bytes:
    data = package()
    return data[: len(data) // 2]


def _corrupt_entry() -> bytes:
    data = bytearray(
        package(
            {SHEET: sheet("".join(f'<row r="{r}">{cell(f"A{r}")}</row>' for r in range(1, 200)))}
        )
    )
    at = data.find(SHEET.encode()) + len(SHEET) + 40  # inside its deflate stream
    data[at : at + 8] = b"\xff" * 8
    return bytes(data)


def _rless_box() -> str:
    wide = "<row>" + "<c><v>1</v></c>" * 16_384 + "</row>"
    return sheet(wide + '<row r="1048576"><c r="A1048576"><v>2</v></c></row>')


@dataclass(frozen=True)
class Case:
    build: Callable[[], bytes]
    error: type[NotAWorkbook]
    says: str  # a fragment of the English message
    inflated: int = 2 * MiB  # at most this many bytes inflated before the refusal
    suffix: str = ".xlsx"


CASES = {
    # zip bombs: refused from the headers, or as soon as a part outgrows its header
    "bomb_ratio_1000_to_1": Case(
        lambda: deflated_entry_bytes(_spaces(64 * MiB), name=SHEET), ZipBomb, ":1", 0
    ),
    "bomb_declares_3_gb": Case(
        lambda: set_declared_size(package(), SHEET, 3 << 30), ZipBomb, "3.0 GB", 0
    ),
    "bomb_lies_in_its_header": Case(
        lambda: deflated_entry_bytes(_spaces(64 * MiB), name=SHEET, declared=1_000),
        ZipBomb,
        "header records",
        20 * MiB,
    ),
    "bomb_of_10001_entries": Case(lambda: many_entries(10_001), ZipBomb, "10,0", 0),
    # XML: DTDs, entities, endless prologues
    "billion_laughs_in_a_sheet": Case(lambda: package({SHEET: billion_laughs()}), UnsafeXML, "DTD"),
    "external_entity_in_workbook": Case(
        lambda: package({"xl/workbook.xml": external_entity("workbook")}), UnsafeXML, "DTD"
    ),
    "external_entity_in_content_types": Case(
        lambda: package({"[Content_Types].xml": external_entity("Types")}), UnsafeXML, "DTD"
    ),
    "external_entity_in_relationships": Case(
        lambda: package({"_rels/.rels": external_entity("Relationships")}), UnsafeXML, "DTD"
    ),
    "external_entity_in_shared_strings": Case(
        lambda: package({"xl/sharedStrings.xml": external_entity("sst")}), UnsafeXML, "DTD"
    ),
    "doctype_in_utf16": Case(
        lambda: package(
            {SHEET: billion_laughs().replace('"1.0"?', '"1.0" encoding="UTF-16"?').encode("utf-16")}
        ),
        UnsafeXML,
        "DTD",
    ),
    "doctype_behind_a_100_kb_comment": Case(
        lambda: package({SHEET: "<!--" + "x" * 100_000 + "-->" + billion_laughs()}),
        UnsafeXML,
        "DTD",
    ),
    "prologue_of_2_mb": Case(
        lambda: package({SHEET: "<!--" + "x" * (2 * MiB) + "-->" + sheet("")}),
        UnsafeXML,
        "KB before its first element",
        3 * MiB,
    ),
    # absurd dimensions
    "dimension_beyond_excel": Case(
        lambda: package({SHEET: sheet("", dimension="A1:ZZZZ99999999")}),
        AbsurdDimensions,
        "<dimension>",
    ),
    "values_at_a1_and_xfd1048576": Case(
        lambda: package(
            {
                SHEET: sheet(
                    f'<row r="1">{cell("A1")}</row><row r="1048576">{cell("XFD1048576")}</row>'
                )
            }
        ),
        AbsurdDimensions,
        "A1:XFD1048576",
    ),
    "values_far_apart_with_a_prefix": Case(
        lambda: package(
            {
                SHEET: sheet(
                    '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
                    '<x:row r="900000"><x:c r="ZZ900000"><x:v>1</x:v></x:c></x:row>',
                    prefix="x",
                )
            }
        ),
        AbsurdDimensions,
        "A1:ZZ900000",
    ),
    "cells_unprefixed_under_a_prefixed_root": Case(
        lambda: package(
            {
                SHEET: '<?xml version="1.0"?>\n'
                f'<x:worksheet xmlns:x="{MAIN_NS}" xmlns="{MAIN_NS}"><sheetData>'
                f'<row r="1">{cell("A1")}</row><row r="1048576">{cell("XFD1048576")}</row>'
                "</sheetData></x:worksheet>"
            }
        ),
        AbsurdDimensions,
        "A1:XFD1048576",
    ),
    "cells_in_a_foreign_prefix": Case(
        lambda: package(
            {
                SHEET: sheet(
                    '<row r="1"><y:c xmlns:y="urn:y" r="A1"><y:v>1</y:v></y:c></row>'
                    '<row r="1048576"><y:c xmlns:y="urn:y" r="XFD1048576"><y:v>1</y:v></y:c>'
                    "</row>"
                )
            }
        ),
        AbsurdDimensions,
        "A1:XFD1048576",
    ),
    "a_second_r_attribute": Case(  # calamine reads the last one
        lambda: package(
            {
                SHEET: sheet(
                    f'<row r="1">{cell("A1")}</row>'
                    '<row r="2"><c r="B2" r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
                )
            }
        ),
        AbsurdDimensions,
        "A1:XFD1048576",
    ),
    "values_far_apart_without_references": Case(
        lambda: package({SHEET: _rless_box()}), AbsurdDimensions, "A1:XFD1048576"
    ),
    "row_beyond_excel": Case(
        lambda: package({SHEET: sheet(f'<row r="4000000000">{cell("A4000000000")}</row>')}),
        AbsurdDimensions,
        "4000000000",
    ),
    "shared_strings_claim_4_billion": Case(
        lambda: package(
            {
                "xl/sharedStrings.xml": f'<?xml version="1.0"?>\n<sst xmlns="{MAIN_NS}" '
                'count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>'
            }
        ),
        AbsurdDimensions,
        "4,000,000,000",
    ),
    # damaged
    "truncated_in_the_middle": Case(_truncated, DamagedWorkbook, "truncated"),
    "end_record_cut_off": Case(lambda: package()[:-5], DamagedWorkbook, "truncated"),
    "corrupt_deflate_stream": Case(_corrupt_entry, DamagedWorkbook, "corrupt"),
    # not a spreadsheet package
    "no_content_types": Case(
        lambda: package({"[Content_Types].xml": None}), WrongPackageType, "[Content_Types].xml"
    ),
    "word_document_renamed": Case(
        lambda: package({"[Content_Types].xml": content_types(CT_DOCX)}), WrongPackageType, "Word"
    ),
    "workbook_typed_text_plain": Case(
        lambda: package({"[Content_Types].xml": content_types("text/plain")}),
        WrongPackageType,
        "text/plain",
    ),
    "plain_zip": Case(
        lambda: package({n: None for n in package_parts()} | {"readme.txt": "hello"}),
        WrongPackageType,
        "plain zip",
    ),
    "ods_named_xlsx": Case(
        lambda: package(
            {n: None for n in package_parts()}
            | {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
        ),
        WrongPackageType,
        ".ods",
    ),
    "zip_password_flag": Case(
        lambda: set_flag(package(), SHEET, 0x1), WrongPackageType, "zip password"
    ),
    "bzip2_compression": Case(
        lambda: set_method(package(), SHEET, 12), WrongPackageType, "compression"
    ),
    # entry names that leave the package
    "dot_dot_slash": Case(lambda: package({"../../evil.xml": "<x/>"}), UnsafeEntryName, "evil"),
    "backslash_dot_dot": Case(
        lambda: package({"xl\\..\\..\\evil.xml": "<x/>"}), UnsafeEntryName, "evil"
    ),
    "absolute_name": Case(lambda: package({"/etc/evil.xml": "<x/>"}), UnsafeEntryName, "evil"),
    "drive_letter": Case(lambda: package({"C:/evil.xml": "<x/>"}), UnsafeEntryName, "evil"),
    "control_character": Case(
        lambda: package({"xl/\x01evil.xml": "<x/>"}), UnsafeEntryName, "evil"
    ),
    "same_part_twice": Case(
        lambda: package({"XL/WORKBOOK.XML": "<x/>"}), UnsafeEntryName, "two entries"
    ),
}


def package_parts() -> list[str]:
    from hostile_packages import default_parts

    return list(default_parts())


@pytest.fixture(params=sorted(CASES), ids=sorted(CASES))
def hostile(request, tmp_path: Path) -> tuple[Case, Path]:
    case = CASES[request.param]
    path = tmp_path / f"shop{case.suffix}"
    path.write_bytes(case.build())
    return case, path


def test_hostile_package_is_refused_precisely_in_bounded_time_and_memory(
    hostile: tuple[Case, Path],
) -> None:
    case, path = hostile
    stats = Inspection()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(case.error) as caught:
            inspect_workbook(path, stats=stats)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = caught.value
    assert case.says in str(error)
    assert path.name in str(error) and path.name in error.message_for("ja")
    assert str(error) != error.message_for("ja")
    assert "not opened further" in str(error)
    assert "これ以上は開きませんでした" in error.message_for("ja")
    assert stats.inflated <= case.inflated
    assert peak < 48 * MiB
    assert elapsed < 5


def test_hostile_package_never_reaches_fastexcel(
    hostile: tuple[Case, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    case, path = hostile

    def no_parse(*args, **kwargs):
        raise AssertionError("fastexcel was asked to open a hostile file")

    monkeypatch.setattr("sheetcrm.reader._open", no_parse)
    with pytest.raises(case.error):
        pipeline.analyse(path)
    assert error_exit_code(case.error) == 3


def test_the_writer_refuses_hostile_packages_too(hostile: tuple[Case, Path]) -> None:
    case, path = hostile
    before = path.read_bytes()
    with pytest.raises(case.error):
        check_writable(path)
    assert path.read_bytes() == before


def error_exit_code(error: type[NotAWorkbook]) -> int:
    return error("x").exit_code


def test_declared_total_over_the_limit_is_refused_from_headers(tmp_path: Path) -> None:
    parts = {f"xl/media/image{i}.png": b"\x89PNG" + bytes(MiB) for i in range(5)}
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package(parts))
    stats = Inspection()
    with pytest.raises(ZipBomb, match="more than"):
        inspect_workbook(path, limits=Limits(max_total_bytes=4 * MiB), stats=stats)
    assert stats.inflated == 0


def test_a_huge_used_range_within_excel_is_refused_exactly(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}">{cell(f"A{r}")}{cell(f"J{r}")}</row>' for r in (1, 200))
    path = tmp_path / "shop.xlsx"
    path.write_bytes(package({SHEET: sheet(rows)}))
    with pytest.raises(AbsurdDimensions, match="A1:J200 — 2,000 cells"):
        inspect_workbook(path, limits=Limits(max_sheet_cells=1_999))
    assert inspect_workbook(path, limits=Limits(max_sheet_cells=2_000)) is not None
