"""Read choice columns (order status, activity type and status, gender, opt-in) through word lists.

Every word list is in ``templates/vocabulary.toml``.  Cells and words are folded alike
(NFKC, casefold, spaces and ``-``, ``_``, ``・`` removed), so ``Opt-In``, ``opt in`` and
``ＯＰＴＩＮ`` are one word.  A cell that matches nothing is tried once more without its
bracketed note (``キャンセル（返金なし）`` → ``キャンセル``).

| parser                   | values                                  | unknown word        |
|--------------------------|-----------------------------------------|---------------------|
| ``parse_order_status``   | completed, cancelled, refunded, pending | completed + code    |
| ``parse_activity_types`` | the keys of ``[activity_types]``        | ``other``, no code  |
| ``parse_genders``        | female, male, other                     | NA + code           |
| ``parse_opt_in``         | True, False                             | NA + code           |
| ``parse_activity_status``| open, closed                            | NA + code           |

The codes are ``status_unrecognised`` (a warning: the order still counts as a sale) and
``value_unrecognised``.

Words listed under a table's ``blank`` (``不明``, ``unknown``) read as a blank cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from sheetcrm.parse.base import ParseResult, parse_unique
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

_FOLD_NOISE = re.compile(r"[\s\-_・]+")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|<[^>]*>|〈[^〉]*〉|《[^》]*》")

ORDER_STATUSES: frozenset[str] = frozenset({"completed", "cancelled", "refunded", "pending"})
GENDERS: frozenset[str] = frozenset({"female", "male", "other"})
ACTIVITY_STATUSES: frozenset[str] = frozenset({"open", "closed"})


def fold_choice(text: str) -> str:
    """The form cells and vocabulary words are compared in (``Opt-In`` → ``optin``)."""
    return _FOLD_NOISE.sub("", nfkc(text).casefold())


@dataclass(frozen=True)
class _Vocabulary:
    """Folded word → canonical value, plus the folded words that mean "blank"."""

    words: dict[str, str]
    blank: frozenset[str]

    def lookup(self, text: str) -> tuple[str | None, bool]:
        """Known word → ``(value, True)``; blank word → ``(None, True)``; else ``(None, False)``."""
        folded = fold_choice(text)
        for key in (folded, fold_choice(_BRACKETED.sub("", nfkc(text)))):
            if key in self.words:
                return self.words[key], True
            if key in self.blank:
                return None, True
        return None, False


def _index(synonyms: dict[str, list[str]], table: str) -> dict[str, str]:
    """Fold every synonym (and each value's own name); a word under two values is a bug."""
    words: dict[str, str] = {}
    for value, spellings in synonyms.items():
        for spelling in [value, *spellings]:
            folded = fold_choice(spelling)
            if words.setdefault(folded, value) != value:
                raise ValueError(f"vocabulary.toml [{table}]: {spelling!r} is under two values")
    return words


@cache
def _vocabulary(table: str) -> _Vocabulary:
    entry: dict[str, Any] = load_table("vocabulary")[table]
    if table == "activity_types":
        synonyms = {key: [e["ja"], e["en"], *e["synonyms"]] for key, e in entry.items()}
        return _Vocabulary(_index(synonyms, table), frozenset())
    blank = frozenset(fold_choice(w) for w in entry.get("blank", []))
    return _Vocabulary(_index(entry["values"], table), blank)


def _activity_table() -> dict[str, Any]:
    return load_table("vocabulary")["activity_types"]


ACTIVITY_TYPES: frozenset[str] = frozenset(_activity_table())
#: Activity types where the customer acted (an inquiry, a visit…), not the seller.
RESPONSE_TYPES: frozenset[str] = frozenset(k for k, e in _activity_table().items() if e["response"])


def _order_status(text: str) -> tuple[str | None, str | None]:
    value, known = _vocabulary("order_status").lookup(text)
    if not known:
        return "completed", "status_unrecognised"
    return value, None


def _activity_type(text: str) -> tuple[str | None, None]:
    value, known = _vocabulary("activity_types").lookup(text)
    return (value if known else "other"), None


def _gender(text: str) -> tuple[str | None, str | None]:
    value, known = _vocabulary("gender").lookup(text)
    return value, (None if known else "value_unrecognised")


def _opt_in(text: str) -> tuple[bool | None, str | None]:
    value, known = _vocabulary("opt_in").lookup(text)
    if not known:
        return None, "value_unrecognised"
    return (None if value is None else value == "true"), None


def parse_order_status(raw: pd.Series) -> ParseResult:
    """Order status: completed/cancelled/refunded/pending; blank stays NA (caller's default)."""
    return parse_unique(raw, _order_status, dtype="string")


def parse_activity_types(raw: pd.Series) -> ParseResult:
    """Activity type keys from ``[activity_types]``; words not listed read as ``other``."""
    return parse_unique(raw, _activity_type, dtype="string")


def parse_genders(raw: pd.Series) -> ParseResult:
    """Gender as female/male/other; anything else NA with ``value_unrecognised``."""
    return parse_unique(raw, _gender, dtype="string")


def _activity_status(text: str) -> tuple[str | None, str | None]:
    value, known = _vocabulary("activity_status").lookup(text)
    return value, (None if known else "value_unrecognised")


def parse_activity_status(raw: pd.Series) -> ParseResult:
    """Activity status as open/closed (完了, 対応中, resolved…), else NA + ``value_unrecognised``.

    Used to tell an open complaint from a resolved one; callers treat NA as open.
    """
    return parse_unique(raw, _activity_status, dtype="string")


def parse_opt_in(raw: pd.Series) -> ParseResult:
    """Marketing consent as ``boolean`` (はい, ○, 配信停止, opt-out…).

    Words under neither ``true`` nor ``false`` in ``[opt_in]`` get ``value_unrecognised``.
    """
    return parse_unique(raw, _opt_in, dtype="boolean")


def activity_type_label(type_key: str, lang: str) -> str:
    """Display name of an activity type: Japanese for ``lang == "ja"``, English otherwise."""
    entry = _activity_table()[type_key]
    return entry["ja" if lang == "ja" else "en"]
