import pandas as pd
import pytest

from sheetcrm.segments import PROSPECTS, assign_segments, segments


def test_every_r_f_combination_has_exactly_one_segment() -> None:
    rules = [s for s in segments() if s.key != PROSPECTS]
    for r in range(1, 6):
        for f in range(1, 6):
            hits = [s.key for s in rules if s.r[0] <= r <= s.r[1] and s.f[0] <= f <= s.f[1]]
            assert len(hits) == 1, (r, f, hits)


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [
        (5, 5, "champions"),
        (5, 1, "new"),
        (4, 1, "promising"),
        (1, 5, "cant_lose"),
        (2, 3, "at_risk"),
        (2, 1, "hibernating"),
        (1, 1, "lost"),
        (3, 4, "loyal"),
        (4, 2, "potential_loyalists"),
        (3, 3, "need_attention"),
        (3, 1, "about_to_sleep"),
    ],
)
def test_segment_grid(r: int, f: int, segment: str) -> None:
    assert assign_segments(pd.Series([r]), pd.Series([f])).tolist() == [segment]


def test_customers_without_scores_are_prospects() -> None:
    r = pd.Series([pd.NA, 5], dtype="Int64")
    f = pd.Series([pd.NA, 5], dtype="Int64")
    assert assign_segments(r, f).tolist() == [PROSPECTS, "champions"]


def test_segments_have_japanese_and_english_names() -> None:
    for segment in segments():
        assert segment.label("ja") and segment.label("en") and segment.hint("ja")
    assert {s.label("ja") for s in segments()} >= {"優良顧客", "離反予備軍", "休眠顧客", "見込み客"}
