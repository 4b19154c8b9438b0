"""Display names for generated tabs, columns and figures, in the workbook's language."""

from __future__ import annotations

from sheetcrm.resources import load_table


def label(section: str, key: str, lang: str) -> str:
    """``label("columns", "total_spent", "ja")`` → ``"累計購入額"``."""
    entry = load_table("labels")[section][key]
    return entry["ja" if lang == "ja" else "en"]
