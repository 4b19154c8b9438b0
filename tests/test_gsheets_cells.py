"""Cell JSON and fingerprints, property-tested: whatever the text or number, what sync sends
is valid JSON holding exactly that value as its type, and reads back to the same
canonical form (so an untouched tab can never look edited)."""

from __future__ import annotations

import json
import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.gsheets.cells import MAX_CELL_CHARS, canonical_value, column_cells, truncate
from sheetcrm.gsheets.fingerprint import fingerprint, fingerprint_values


def _sent(cell_json: str):
    cell = json.loads(cell_json)
    value = cell.get("userEnteredValue", {})
    assert len(value) <= 1
    return next(iter(value.items())) if value else (None, None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_any_text_is_sent_as_that_string_and_reads_back_the_same(texts) -> None:
    cells = column_cells(pd.Series(texts, dtype=object))
    for text, cell_json, key in zip(texts, cells.json, cells.canonical, strict=True):
        cell_json.encode("utf-8")  # always encodable: lone surrogates are replaced
        kind, value = _sent(cell_json)
        if text == "":
            assert kind is None and key == ""
            continue
        assert kind == "stringValue"  # never formulaValue, whatever it starts with
        if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            assert value == text
        assert canonical_value(value) == key


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=8))
def test_any_number_is_sent_as_a_number_and_reads_back_the_same(numbers) -> None:
    cells = column_cells(pd.Series(numbers, dtype="float64"))
    for number, cell_json, key in zip(numbers, cells.json, cells.canonical, strict=True):
        kind, value = _sent(cell_json)
        if not math.isfinite(number):
            assert kind is None and key == ""
            continue
        assert kind == "numberValue" and value == number
        assert canonical_value(value) == key
        assert canonical_value(float(value)) == key  # Google may send 1200 or 1200.0


PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    '=IMPORTXML(A1,"//a")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1",
    "-1+2",
    "\t=1",
    "\r=1",
]


def test_classic_injection_payloads_are_sent_as_strings() -> None:
    cells = column_cells(pd.Series(PAYLOADS))
    for payload, cell_json in zip(PAYLOADS, cells.json, strict=True):
        assert _sent(cell_json) == ("stringValue", payload)


def test_truncation_counts_utf16_units_like_google() -> None:
    emoji = "😀" * 30_000  # 60,000 UTF-16 units in 30,000 characters
    cut = truncate(emoji)
    assert len(cut.encode("utf-16-le")) // 2 <= MAX_CELL_CHARS
    assert cut.endswith("…") and cut[:-1] == "😀" * (len(cut) - 1)
    assert truncate("短い") == "短い"


def test_fingerprint_ignores_row_order_and_free_columns_but_not_edits() -> None:
    rows = [["s判断", "sa", "n1"], ["", "sb", "n2"], ["s統合する", "sc", "n3"]]
    base = fingerprint(rows, free=[0])
    assert fingerprint(rows[::-1], free=[0]) == base  # sorted by the seller
    assert fingerprint([["", *r[1:]] for r in rows], free=[0]) == base  # decisions typed
    assert fingerprint([rows[0], rows[1], ["", "sc", "n4"]], free=[0]) != base
    assert fingerprint(rows[:2], free=[0]) != base
    assert fingerprint([*rows, ["", "", "", "smemo"]], free=[0]) != base


def test_read_back_values_fingerprint_like_written_ones() -> None:
    written = column_cells(pd.Series(["山田 太郎", "=1+1", None]))
    numbers = column_cells(pd.Series([1200.0, 0.25, None]))
    rows = list(zip(written.canonical, numbers.canonical, strict=True))
    read = [["山田 太郎", 1200], ["=1+1", 0.25], []]  # what values.batchGet returns
    assert fingerprint_values(read) == fingerprint(rows)
