"""The shape every column parser returns, and the helper that makes parsers vectorised.

A parser turns one column of raw cell text into typed values plus a per-cell issue
code.  Sheets repeat the same values (dates, amounts, products) many times, so each
parser works on the *unique* values and maps the answers back: a 1,000,000-row column
with 3,000 distinct dates costs 3,000 scalar parses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ParseResult:
    """Typed values and issue codes, both aligned with the input Series' index.

    ``values``: the parsed value, ``NA`` where the cell was blank or unreadable.
    ``codes``: ``NA`` where the cell was blank or clean, else an issue code from
    ``templates/issue_codes.toml``.  A code with a value (e.g.
    ``phone_leading_zero_restored``) is a correction; a code without one is a failure.
    """

    values: pd.Series
    codes: pd.Series


ScalarParser = Callable[[str], tuple[Any, str | None]]
# Answers for a list of distinct texts: (values, codes), each aligned with the list.
BatchParser = Callable[[list[str]], tuple[Sequence[Any], Sequence[str | None]]]


def parse_unique(raw: pd.Series, parse_one: ScalarParser, dtype: str | None = None) -> ParseResult:
    """Apply ``parse_one(text) -> (value or None, code or None)`` once per distinct non-blank value.

    ``raw`` holds cell text (``str``) or missing values; surrounding spaces
    (including U+3000) are stripped and an empty string counts as blank.
    """

    def parse_each(texts: list[str]) -> tuple[list[Any], list[str | None]]:
        answers = [parse_one(text) for text in texts]
        return [a[0] for a in answers], [a[1] for a in answers]

    return parse_unique_batch(raw, parse_each, dtype=dtype)


def parse_unique_batch(
    raw: pd.Series, parse_many: BatchParser, dtype: str | None = None
) -> ParseResult:
    """Like ``parse_unique``, for parsers that answer a whole list of distinct texts at once.

    ``parse_many(texts) -> (values, codes)`` sees each distinct non-blank text once, so a
    parser that works on arrays (regexes over pyarrow, lookups in numpy) pays per column,
    not per cell.
    """
    text = raw.astype("string").str.replace("\u3000", " ", regex=False).str.strip()
    positions, uniques = pd.factorize(text.mask(text == ""), use_na_sentinel=True)
    values, codes = parse_many(uniques.tolist())
    # Position -1 (blank) picks the trailing None of each lookup array.
    value_lookup = np.array([*values, None], dtype=object)
    code_lookup = np.array([*codes, None], dtype=object)
    parsed = pd.Series(value_lookup[positions], index=raw.index, dtype=object)
    if dtype is not None:
        parsed = parsed.astype(dtype)
    issues = pd.Series(code_lookup[positions], index=raw.index, dtype=object)
    return ParseResult(values=parsed, codes=issues)
