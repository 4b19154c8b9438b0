"""Recognise column headers: which header text means which field (``templates/headers.toml``)."""

from __future__ import annotations

import re
from functools import cache

from sheetcrm.resources import load_table
from sheetcrm.text import fold_header, nfkc

_BRACKET_CHARS = re.compile(r"[()\[\]【】〔〕<>〈〉《》]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@cache
def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for field, synonyms in load_table("headers")["fields"].items():
        for synonym in synonyms:
            index.setdefault(_fold_keeping_brackets(synonym), field)
    return index


def _fold_keeping_brackets(text: str) -> str:
    return fold_header(_BRACKET_CHARS.sub("", nfkc(text)))


def match_field(header: str) -> str | None:
    """The field a header names (``"金額(税込)"`` → ``"amount"``), or ``None``.

    Generic fields (``id``, ``date``) are returned as such; :func:`field_for_role`
    says what they mean in a given table.
    """
    if not header or not header.strip():
        return None
    index = _synonym_index()
    kept = _fold_keeping_brackets(header)
    if kept in index:
        return index[kept]
    return index.get(fold_header(header))


def field_for_role(field: str, role: str) -> str:
    """Resolve a generic field for a table role (``id`` on a sales log → ``order_id``)."""
    return load_table("headers")["generic"].get(role, {}).get(field, field)


def is_japanese(text: str) -> bool:
    """True when the text contains kana or kanji (used to detect the workbook's language)."""
    return bool(_JAPANESE.search(text))
