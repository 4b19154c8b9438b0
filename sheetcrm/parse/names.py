"""Keys that let the same person's name match however it was typed, and a tidy display form.

| cell                 | ``name_key``     | ``kana_key``     | ``clean_names``      |
|----------------------|------------------|------------------|----------------------|
| ``山田　太郎 様``    | ``山田太郎``     | ``山田太郎様``   | ``山田　太郎 様``    |
| ``ﾔﾏﾀﾞ ﾀﾛｳ``         | ``ヤマダタロウ`` | ``ヤマダタロウ`` | ``ヤマダ タロウ``    |
| ``やまだ　たろう``   | ``ヤマダタロウ`` | ``ヤマダタロウ`` | ``やまだ　たろう``   |
| ``Mr. John  SMITH``  | ``johnsmith``    | ``mr.johnsmith`` | ``Mr. John SMITH``   |

Keys also drop the middle dot of foreign names (``ジョン・スミス`` = ``ジョンスミス``).
Honorifics and titles come from ``templates/vocabulary.toml``; katakana ``サン``/``サマ``
are deliberately not honorifics there (ジョナサン is a name).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from sheetcrm.parse.base import parse_unique
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

# ぁ..ゖ → ァ..ヶ are a fixed offset apart; ゝゞ are the kana iteration marks.
_HIRAGANA_TO_KATAKANA = str.maketrans(
    {chr(c): chr(c + 0x60) for c in range(0x3041, 0x3097)} | {"ゝ": "ヽ", "ゞ": "ヾ"}
)
_KEY_NOISE = re.compile(r"[\s・]+")
_HALF_WIDTH_KATAKANA = re.compile(r"[\uff61-\uff9f]+")
_SPACE_RUN = re.compile(r"\s+")


def to_katakana(text: str) -> str:
    """Hiragana → katakana (``やまだ`` → ``ヤマダ``); everything else unchanged."""
    return text.translate(_HIRAGANA_TO_KATAKANA)


@cache
def _affixes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for a leading English title and trailing Japanese honorifics."""
    table = load_table("vocabulary")["names"]
    titles = "|".join(sorted(table["titles"], key=len, reverse=True))
    honorifics = "|".join(sorted(table["honorifics"], key=len, reverse=True))
    title = re.compile(rf"^(?:{titles})(?:\.\s*|\s+)(?=\S)", re.IGNORECASE)
    honorific = re.compile(rf"(?<=.)(?:{honorifics})+$")
    return title, honorific


def _name_key(text: str) -> tuple[str | None, None]:
    title, honorific = _affixes()
    text = title.sub("", nfkc(text).strip())
    text = honorific.sub("", _KEY_NOISE.sub("", text))
    return (to_katakana(text.casefold()) or None), None


def _kana_key(text: str) -> tuple[str | None, None]:
    return (to_katakana(_KEY_NOISE.sub("", nfkc(text)).casefold()) or None), None


def _clean_name(text: str) -> str | None:
    text = _HALF_WIDTH_KATAKANA.sub(lambda m: nfkc(m.group()), text)
    # A run of spaces becomes one; a lone full-width space (山田　太郎) is the seller's choice.
    text = _SPACE_RUN.sub(lambda m: "\u3000" if set(m.group()) == {"\u3000"} else " ", text.strip())
    return text or None


def name_key(raw: pd.Series) -> pd.Series:
    """Matching key for names: width, case, spaces, kana script and honorifics ignored."""
    return parse_unique(raw, _name_key).values


def kana_key(raw: pd.Series) -> pd.Series:
    """Matching key for furigana: ``ﾔﾏﾀﾞ ﾀﾛｳ``, ``やまだ　たろう`` and ``ヤマダタロウ`` agree."""
    return parse_unique(raw, _kana_key).values


def clean_names(raw: pd.Series) -> pd.Series:
    """Display form: half-width katakana widened, space runs collapsed, the rest as typed."""
    # Not parse_unique: it turns U+3000 into a plain space, and 山田　太郎 should stay as typed.
    positions, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
    lookup = np.array([_clean_name(str(u)) for u in uniques] + [None], dtype=object)
    return pd.Series(lookup[positions], index=raw.index, dtype=object)
