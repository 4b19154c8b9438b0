"""Name each customer's segment from R and F scores (``templates/segments.toml``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from sheetcrm.resources import load_table

PROSPECTS = "prospects"


@dataclass(frozen=True)
class Segment:
    """One named segment with its display names and the action it suggests."""

    key: str
    en: str
    ja: str
    en_hint: str
    ja_hint: str
    r: tuple[int, int] = (0, 0)
    f: tuple[int, int] = (0, 0)

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def hint(self, lang: str) -> str:
        return self.ja_hint if lang == "ja" else self.en_hint


@cache
def segments() -> tuple[Segment, ...]:
    """All segments in display order, prospects last."""
    table = load_table("segments")
    rules = tuple(
        Segment(
            s["key"], s["en"], s["ja"], s["en_hint"], s["ja_hint"], tuple(s["r"]), tuple(s["f"])
        )
        for s in table["segment"]
    )
    p = table["prospects"]
    return (*rules, Segment(p["key"], p["en"], p["ja"], p["en_hint"], p["ja_hint"]))


def segment_by_key(key: str) -> Segment:
    return next(s for s in segments() if s.key == key)


def segment_table_covers(rules: Sequence[Segment]) -> bool:
    """True when every (R, F) pair from 1 to 5 falls in at least one rule."""
    return all(
        any(s.r[0] <= r <= s.r[1] and s.f[0] <= f <= s.f[1] for s in rules)
        for r in range(1, 6)
        for f in range(1, 6)
    )


def assign_segments(
    r_score: pd.Series, f_score: pd.Series, rules: Sequence[Segment] | None = None
) -> pd.Series:
    """The segment key for each customer; customers without scores are prospects.

    ``rules`` (tried in order, first match wins) replace the default table, e.g. the
    seller's own table from the Settings tab.
    """
    result = np.full(len(r_score), PROSPECTS, dtype=object)
    r = r_score.astype("Float64").fillna(0).to_numpy()
    f = f_score.astype("Float64").fillna(0).to_numpy()
    unassigned = (r > 0) & (f > 0)
    for segment in rules if rules is not None else segments()[:-1]:
        hit = (
            unassigned
            & (r >= segment.r[0])
            & (r <= segment.r[1])
            & (f >= segment.f[0])
            & (f <= segment.f[1])
        )
        result[hit] = segment.key
        unassigned &= ~hit
    return pd.Series(result, index=r_score.index, dtype=object)
