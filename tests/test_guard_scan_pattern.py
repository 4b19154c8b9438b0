"""The worksheet scan's fast gear flags exactly the cell tags it flagged before.

Its pattern became possessive (no backtracking into a cell's attributes, which can never
make a tag conforming); that is cheaper, and must change nothing it finds.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.guard_cells import _ROW, EXCEL_MAX_ROWS, XmlSheetScan, _columns_up_to

_NARROW = _columns_up_to(100_000_000 // EXCEL_MAX_ROWS)
_BACKTRACKING = re.compile(
    rb"<c(?! r=\"" + _NARROW + _ROW + rb"\"(?: (?:s|t|cm|vm|ph)=\"[^\"<>]*\")*/?>)"
)

_REF = st.one_of(
    st.from_regex(r"\A[A-Z]{1,3}[0-9]{1,8}\Z", fullmatch=True),
    st.sampled_from(["A1", "CQ1048576", "CR1", "A0", "A01", "XFD1048576", "B1048577", ""]),
)
_ATTRIBUTE = st.one_of(
    st.builds(
        lambda name, value, quote: f" {name}={quote}{value}{quote}",
        st.sampled_from(["s", "t", "cm", "vm", "ph", "r", "x", "S"]),
        st.sampled_from(["1", "s", "inlineStr", "", "a>b", 'a"b', "A2", "<"]),
        st.sampled_from(['"', "'"]),
    ),
    st.sampled_from(["  ", " /", "/", '"', ' s = "1"', "\t"]),
)
_TAG = st.builds(
    lambda ref, attributes, end, tail: f'<c r="{ref}"{"".join(attributes)}{end}{tail}',
    _REF,
    st.lists(_ATTRIBUTE, max_size=4),
    st.sampled_from([">", "/>", "", " >", "/ >"]),
    st.sampled_from(["", "<v>1</v></c>", "<c", '<c r="A1">']),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_TAG, st.sampled_from(["<row>", "</row>", "<cols>", "<c>", "x"]))))
def test_fast_gear_flags_the_same_tags_as_the_backtracking_pattern(pieces) -> None:
    region = "".join(pieces).encode()
    found = XmlSheetScan(max_cells=100_000_000)._odd.search(region)
    expected = _BACKTRACKING.search(region)
    assert (found and found.span()) == (expected and expected.span())
