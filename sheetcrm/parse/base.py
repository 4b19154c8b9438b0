"""The shape every column parser returns, and the helpers that make parsers vectorised.

A parser turns one column of raw cell text into typed values plus a per-cell issue
code.  Sheets repeat the same values (dates, amounts, products) many times, so each
parser works on the *distinct* values and maps the answers back: a 1,000,000-row column
with 3,000 distinct dates costs 3,000 scalar parses, and even the trimming is done on
the 3,000 texts rather than on every cell.  The same integer codes give rows exact keys
(:func:`row_ids`) without casting or hashing anything.
"""

from __future__ import annotations

from collections.abc import Callable
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
#: Reads many distinct texts (a Series) at once: a frame of ``value`` and ``code``
#: indexed by the positions of the texts it could read (a shape it knows).
ManyParser = Callable[[pd.Series], pd.DataFrame]

#: Row keys were once hashes of cell text with blanks filled by U+0000, so a text of
#: only U+0000 keyed like a blank cell; the exact keys keep that partition.
BLANK_FILLER = "\x00"


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct texts and, per row, which one it holds (-1: missing).

    ``positions`` index into ``texts``; every lookup built from ``texts`` gets one extra
    trailing entry for the missing rows, which position -1 picks.
    """

    positions: np.ndarray
    texts: pd.Series  # "string" dtype, no missing values, in order of first appearance

    def spread(self, lookup: pd.Series | np.ndarray, index: pd.Index) -> pd.Series:
        """Put one answer per distinct text (plus the trailing one for missing) on every row."""
        if isinstance(lookup, pd.Series):
            return pd.Series(lookup.array.take(self.positions), index=index)
        return pd.Series(lookup[self.positions], index=index, dtype=lookup.dtype)

    def objects(self, index: pd.Index) -> pd.Series:
        """The texts on every row, as an object column with None where missing."""
        return self.spread(np.append(self.texts.to_numpy(dtype=object), None), index)

    def relabel(self, texts: pd.Series) -> Distinct:
        """The column once each distinct text became ``texts`` (aligned; ``NA``: missing).

        Texts that became equal (``" A1"`` and ``"A1"`` stripped) are merged, still in
        order of first appearance.
        """
        if texts.notna().all() and (texts.array == self.texts.array).all():
            return self  # nothing changed: still distinct
        renumbered, uniques = pd.factorize(texts, use_na_sentinel=True)
        # Position -1 (missing) picks the trailing -1.
        positions = np.append(renumbered, -1)[self.positions]
        return Distinct(positions, pd.Series(uniques, dtype="string"))

    def rows(self, keep: np.ndarray) -> Distinct:
        """Only the rows where the boolean mask ``keep`` is set (the texts stay as they are)."""
        return Distinct(self.positions[keep], self.texts)

    def key_codes(self) -> np.ndarray:
        """Per row, a code for :func:`row_ids`: equal texts, equal codes; -1 for missing."""
        return filler_as_missing(self.positions, self.texts)


def filler_as_missing(codes: np.ndarray, texts: pd.Series) -> np.ndarray:
    """``codes`` (indexing ``texts``) with the code of :data:`BLANK_FILLER` made -1."""
    filler = np.flatnonzero((texts == BLANK_FILLER).to_numpy(dtype=bool, na_value=False))
    return np.where(codes == filler[0], -1, codes) if filler.size else codes


def row_ids(codes: list[np.ndarray], rows: int) -> np.ndarray:
    """One int64 per row, below 2**62, equal exactly where each of ``codes`` is equal.

    ``codes``: one integer array (values ≥ -1) per column, such as
    :meth:`Distinct.key_codes`.  They are combined positionally; before the combined
    range could overflow it is renumbered (as pandas does for group keys), so unlike a
    hash there are no collisions.
    """
    ids = np.zeros(rows, dtype=np.int64)
    size = 1
    for column in codes:
        width = int(column.max(initial=-1)) + 2  # -1..max → 0..max+1
        if width == 1:
            continue  # missing everywhere: tells no rows apart
        if size * width >= 2**62:
            ids, uniques = pd.factorize(ids)
            size = len(uniques)
        ids = ids * width + (column + 1)
        size *= width
    return ids


def distinct(raw: pd.Series) -> Distinct:
    """The distinct texts of ``raw`` (cell text or missing values)."""
    positions, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
    return Distinct(positions, pd.Series(uniques, dtype="string"))


def cleaned(texts: pd.Series) -> pd.Series:
    """Surrounding spaces (U+3000 too) stripped; an empty text becomes missing."""
    stripped = texts.str.replace("\u3000", " ", regex=False).str.strip()
    return stripped.mask(stripped == "")


def distinct_cleaned(raw: pd.Series) -> Distinct:
    """Like :func:`distinct`, with the texts :func:`cleaned` (on the distinct texts only)."""
    found = distinct(raw)
    return found.relabel(cleaned(found.texts))


def parse_unique(
    raw: pd.Series,
    parse_one: ScalarParser,
    dtype: str | None = None,
    read_many: ManyParser | None = None,
) -> ParseResult:
    """Apply ``parse_one(text) -> (value or None, code or None)`` once per distinct non-blank value.

    ``raw`` holds cell text (``str``) or missing values; surrounding spaces
    (including U+3000) are stripped and an empty string counts as blank.
    ``read_many`` (optional) reads the common shapes of many texts at once, giving the
    answers ``parse_one`` would; the texts it leaves out go to ``parse_one``.
    """
    found = distinct_cleaned(raw)
    # The trailing None of each lookup is the answer for blank cells (position -1).
    value_lookup = np.full(len(found.texts) + 1, None, dtype=object)
    code_lookup = np.full(len(found.texts) + 1, None, dtype=object)
    todo = np.arange(len(found.texts))
    if read_many is not None and len(found.texts):
        read = read_many(found.texts)
        value_lookup[read.index] = read["value"].to_numpy(dtype=object)
        code_lookup[read.index] = read["code"].to_numpy(dtype=object)
        todo = np.flatnonzero(~np.isin(todo, read.index))
    for i, text in zip(todo.tolist(), found.texts.iloc[todo].tolist(), strict=True):
        value_lookup[i], code_lookup[i] = parse_one(str(text))
    if dtype is None:
        values = found.spread(value_lookup, raw.index)
    else:
        # Converting the distinct values, not every row: same answers, far fewer objects.
        values = found.spread(pd.Series(value_lookup, dtype=object).astype(dtype), raw.index)
    return ParseResult(values=values, codes=found.spread(code_lookup, raw.index))
