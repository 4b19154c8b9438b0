"""map_distinct: the per-row answer, computed once per distinct value."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.columns import map_distinct


@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "ｃ", ""]))))
def test_same_answers_as_mapping_every_row(values):
    for series in (pd.Series(values, dtype=object), pd.Series(values, dtype="string")):
        expected = [None if pd.isna(v) else f"<{v}>" for v in series]
        assert map_distinct(series, lambda v: f"<{v}>").tolist() == expected


def test_each_distinct_value_is_labelled_once_and_the_index_is_kept():
    calls: list[str] = []
    series = pd.Series(["x", "y", "x", None, "x"], index=[10, 11, 12, 13, 14], name="seg")

    result = map_distinct(series, lambda v: calls.append(v) or v.upper())

    assert calls == ["x", "y"]
    assert result.to_dict() == {10: "X", 11: "Y", 12: "X", 13: None, 14: "X"}
    assert result.name == "seg" and result.dtype == object
