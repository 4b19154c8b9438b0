"""Split Japanese street addresses into parts that compare equal however they were typed.

| cell                                          | town         | block   | room  |
|-----------------------------------------------|--------------|---------|-------|
| ``東京都渋谷区神宮前1丁目2番3号 ハイツ青山101`` | ``渋谷区神宮前`` | ``1-2-3`` | ``101`` |
| ``〒150-0001 渋谷区神宮前１－２－３``           | ``渋谷区神宮前`` | ``1-2-3`` | —     |
| ``渋谷区神宮前一丁目2-3-101``                   | ``渋谷区神宮前`` | ``1-2-3`` | ``101`` |
| ``北海道札幌市中央区北1条西2丁目3``             | ``札幌市中央区北1条西`` | ``2-3`` | — |

The prefecture and a leading postal code are split off (``prefecture``, ``postal_code``),
so an address typed with or without them has the same town.  ``block`` is the 丁目-番地-号
chain with the notations unified (``1丁目2番3号`` = ``1-2-3`` = ``一丁目2番地3``): at
most three numbers, a fourth (``1-2-3-101``) is the room.  Everything after the block
is the building, which is not compared: sellers type it, shorten it, or leave it out;
only its last number is kept as ``room``, so two flats of one building can be told apart.

An address without a block number (``渋谷区神宮前``) has no ``block``: a town alone
says little about who lives there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from operator import attrgetter

import pandas as pd

from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

# Dash-like characters people type between block numbers.  The long-vowel mark ー is a
# dash only between digits (コーポ is a building name).
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣", "-"))
_DIGIT_DASH = re.compile(r"(?<=[\d-])[ーの之](?=\d)")
_DIGIT_SPACE = re.compile(r"(?<=\d)\s+(?=\d)")
_SPACES = re.compile(r"\s+")
_LEADING_POSTAL = re.compile(r"^〒?-?(\d{3})-?(\d{4})(?!\d)")
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百千]+(?=丁目|番地|番(?![町丁])|号)")
# 丁目, 番地, 番 and 号 end a block number; 一番町 (a town) and 3号室 (a room) do not.
_BLOCK_WORD = re.compile(r"(?<=\d)(?:丁目|番地|番(?![町丁])|号(?![室棟館線]))")
_ROOM_WORD = re.compile(r"(?<=\d)号室")
# A number followed by one of these is part of a place name (北1条西, 第2地割, 3線).
_BLOCK = re.compile(r"\d+(?:-\d+)*(?![\d]|-\d|条|線|地割|区|町|丁(?!目))")
_DASH_RUN = re.compile(r"-{2,}")
_LAST_NUMBER = re.compile(r"(\d+)\D*$")
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# 霞ヶ関 = 霞ケ関 = 霞ヵ関.
_FOLD = str.maketrans({"ヶ": "ケ", "ヵ": "ケ"})


@dataclass(frozen=True)
class AddressParts:
    """One address, split for comparison (see the module docstring)."""

    postal_code: str | None
    prefecture: str | None
    town: str | None
    block: str | None
    room: str | None


_FIELDS = [f.name for f in fields(AddressParts)]


def kanji_number(text: str) -> int:
    """``二十三`` → 23, ``百五`` → 105, ``一〇三`` → 103 (digit-by-digit form)."""
    if not any(c in _UNITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total = current = 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _UNITS[char]
            current = 0
    return total + current


@cache
def _prefectures() -> re.Pattern[str]:
    names = load_table("vocabulary")["prefectures"]["names"]
    return re.compile("|".join(re.escape(n) for n in names))


def split_address(text: str) -> AddressParts:
    """Split one address cell (see the module docstring)."""
    text = _DIGIT_SPACE.sub("-", nfkc(text).strip())  # 1-2-3 101: the room
    text = _DIGIT_DASH.sub("-", _SPACES.sub("", text).translate(_DASHES).translate(_FOLD))
    postal = None
    if match := _LEADING_POSTAL.match(text):
        postal = f"{match.group(1)}-{match.group(2)}"
        text = text[match.end() :]
    text = text.removeprefix("〒")
    prefecture = None
    if match := _prefectures().match(text):
        prefecture = match.group()
        text = text[match.end() :]
    text = _KANJI_NUMBER.sub(lambda m: str(kanji_number(m.group())), text)
    text = _ROOM_WORD.sub("", text)
    text = _DIGIT_DASH.sub("-", _BLOCK_WORD.sub("-", text))  # 2番地の3
    text = _DASH_RUN.sub("-", text)
    block = _BLOCK.search(text)
    if block is None:
        return AddressParts(postal, prefecture, text.strip("-") or None, None, None)
    numbers = block.group().split("-")
    town = text[: block.start()].rstrip("-") or None
    building = text[block.end() :]
    room = numbers[3] if len(numbers) > 3 else None
    if room is None and (last := _LAST_NUMBER.search(building)):
        room = last.group(1)
    return AddressParts(postal, prefecture, town, "-".join(numbers[:3]), room)


def split_addresses(addresses: pd.Series) -> pd.DataFrame:
    """:func:`split_address` over a column; blank cells give all-``None`` rows.

    Columns: ``postal_code``, ``prefecture``, ``town``, ``block``, ``room`` (object dtype),
    aligned with ``addresses``' index.  Each distinct address is split once.
    """
    text = addresses.astype("string").str.strip()
    positions, uniques = pd.factorize(text.mask(text == ""), use_na_sentinel=True)
    as_row = attrgetter(*_FIELDS)  # not dataclasses.astuple: it deep-copies, 10× slower
    rows = [as_row(split_address(str(u))) for u in uniques] + [(None,) * len(_FIELDS)]
    table = pd.DataFrame(rows, columns=_FIELDS, dtype=object)
    frame = table.iloc[positions].reset_index(drop=True)
    frame.index = addresses.index
    return frame
