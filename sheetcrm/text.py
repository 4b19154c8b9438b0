"""Text normalisation shared by every stage: NFKC, width folding, header folding."""

from __future__ import annotations

import re
import unicodedata

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|<[^>]*>|〈[^〉]*〉|《[^》]*》")
_HEADER_NOISE = re.compile(r"[\s_\-‐‑–—―ー・:：.。、,/※*＊#＃№]+")


def nfkc(value: str) -> str:
    """NFKC-normalise: full-width ASCII to half-width, half-width kana to full-width."""
    return unicodedata.normalize("NFKC", value)


def clean_cell(value: object) -> str | None:
    """Strip a raw cell value to text; ``None`` for blank cells (spaces count as blank)."""
    if value is None:
        return None
    text = str(value).replace("\u3000", " ").strip()
    return text or None


def fold_header(value: str) -> str:
    """Fold a column header for synonym lookup.

    Case, width, spaces, punctuation and bracketed units are ignored, so
    ``金額(税込)``, ``金額（円）`` and ``金 額`` all fold to ``金額``; ``E-mail`` and
    ``e mail`` fold to ``email``.  A header that is *only* a bracketed word keeps it.
    """
    text = nfkc(value).casefold()
    stripped = _BRACKETED.sub("", text)
    if _HEADER_NOISE.sub("", stripped):
        text = stripped
    return _HEADER_NOISE.sub("", text)


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
