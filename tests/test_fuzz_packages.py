"""Damaged and tampered packages, fuzzed: the guard and the reader only ever raise SheetcrmError.

Two kinds of mutation of a real workbook: bytes of the zip itself (flips, cuts,
insertions — what a broken download or a crafted file looks like), and the XML of
its sheet re-zipped with valid checksums (odd references, rows, dimensions, tags,
declarations), which reaches calamine when the guard lets it through.  A refusal
must come quickly; anything else that escapes, or a crash in calamine, is a bug.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pytest
from conftest import write_workbook
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sheetcrm import pipeline
from sheetcrm.errors import SheetcrmError
from sheetcrm.guard import inspect_bytes

SHEET = "xl/worksheets/sheet1.xml"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> bytes:
    rows = [["顧客ID", "氏名", "メールアドレス", "購入日", "金額"]]
    rows += [
        [f"C{i}", f"山田{i}", f"u{i}@example.jp", dt.date(2024, 1, 1 + i), 1980] for i in range(20)
    ]
    path = write_workbook(tmp_path_factory.mktemp("fuzz") / "shop.xlsx", {"注文": rows})
    return path.read_bytes()


def outcome(data: bytes, folder: Path) -> str:
    """Guard, then read: the name of the SheetcrmError raised, or "read"."""
    started = time.perf_counter()
    try:
        inspect_bytes(data, "shop.xlsx")
        path = folder / "shop.xlsx"
        path.write_bytes(data)
        pipeline.analyse(path, as_of=dt.date(2024, 12, 31))
        result = "read"
    except SheetcrmError as error:
        assert "shop.xlsx" in str(error) or "Sheet" in str(error) or "注文" in str(error)
        result = type(error).__name__
    assert time.perf_counter() - started < 60  # a hang detector, not a benchmark
    event(result)
    return result


byte_mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(min_value=0), st.just(0)),
    st.tuples(st.just("insert"), st.integers(min_value=0), st.integers(0, 255)),
)


@FUZZ
@given(st.lists(byte_mutation, min_size=1, max_size=4))
def test_mutated_zip_bytes_are_refused_or_read(workbook: bytes, tmp_path: Path, mutations) -> None:
    data = bytearray(workbook)
    for kind, position, byte in mutations:
        at = position % (len(data) + 1)
        if kind == "flip" and at < len(data):
            data[at] ^= byte
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = bytes([byte]) * 16
    outcome(bytes(data), tmp_path)


# Two-letter columns at most, plus named far ones: a real value at, say, TAA1 is read
# fine but costs the pandas reader ~7 s (13,547 columns), too slow for the suite.
reference = st.one_of(
    st.from_regex(r"[A-Z]{1,2}[0-9]{1,7}", fullmatch=True),
    st.from_regex(r"[A-Za-z$]{0,2}[0-9]{0,11}", fullmatch=True),
    st.sampled_from(["XFD1048576", "XFE1", "A0", "A1048577", "", "A-1", "ZZZZ1", "xfd1048576"]),
)
xml_edit = st.one_of(
    st.tuples(st.just("cell"), reference, st.text(max_size=8)),
    st.tuples(st.just("two refs"), reference, reference),
    st.tuples(st.just("row"), st.integers(-5, 5_000_000_000).map(str), st.just("")),
    st.tuples(st.just("dimension"), reference, reference),
    st.tuples(
        st.just("raw"),
        st.sampled_from(
            [
                "<c>",
                "<row>",
                "</c>",
                "<v>",
                "<!--",
                "<![CDATA[",
                "&amp;",
                "<c r='A1'>",
                '<x:c r="B2">',
            ]
        ),
        st.just(""),
    ),
    st.tuples(
        st.just("doctype"), st.sampled_from(["<!DOCTYPE x>", '<!ENTITY a "b">']), st.just("")
    ),
)


def edited_sheet(xml: str, edits) -> str:
    for kind, a, b in edits:
        if kind == "cell":
            text = b.replace("<", "").replace("&", "")
            cell = f'<c r="{a}" t="inlineStr"><is><t>{text}</t></is></c>'
            xml = xml.replace("</row>", cell + "</row>", 1)
        elif kind == "two refs":
            cell = f'<c r="{a}" r="{b}"><v>1</v></c>'
            xml = xml.replace("</row>", cell + "</row>", 1)
        elif kind == "row":
            xml = xml.replace(
                "</sheetData>", f'<row r="{a}"><c r="A{a}"><v>1</v></c></row></sheetData>'
            )
        elif kind == "dimension":
            xml = xml.replace('<dimension ref="', f'<dimension ref="{a}:{b}" old="', 1)
        elif kind == "raw":
            middle = len(xml) // 2
            xml = xml[:middle] + a + xml[middle:]
        elif kind == "doctype":
            xml = xml.replace("?>", "?>" + a, 1)
    return xml


@FUZZ
@given(st.lists(xml_edit, min_size=1, max_size=4))
def test_odd_sheet_xml_is_refused_or_read(workbook: bytes, tmp_path: Path, edits) -> None:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == SHEET:
                data = edited_sheet(data.decode(), edits).encode()
            copy.writestr(info.filename, data)
    outcome(out.getvalue(), tmp_path)
