"""The Action list in the seller's words: reason, facts, suggested action, channel, priority.

:func:`sheetcrm.insights.actions.find_actions` answers in keys; this module turns a row
into sentences from the templates in ``templates/actions.toml`` (``{date}``, ``{days}``,
``{note}``).  Dates inside sentences follow the tab's date style (2024/12/01 in
Japanese, 2024-12-01 in English).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sheetcrm.columns import map_distinct
from sheetcrm.insights.action_rules import (
    NoteKind,
    channels,
    priority_levels,
    rule_by_key,
)
from sheetcrm.labels import label
from sheetcrm.parse.choices import activity_type_label
from sheetcrm.segments import segment_by_key

#: Columns :func:`describe_actions` adds.
TEXT_COLUMNS = ["priority_label", "reason_label", "detail", "action", "channel_label", "others"]


def date_text(value: object, lang: str) -> str:
    """A date as the generated tabs show it (2024/12/01 in Japanese, ISO otherwise)."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y/%m/%d" if lang == "ja" else "%Y-%m-%d")


def _status(value: object, lang: str) -> str:
    text = "" if value is None or pd.isna(value) else str(value).strip()
    return text or label("action_notes", "status_blank", lang)


def _activity(value: object, lang: str) -> str:
    return activity_type_label(str(value), lang) if isinstance(value, str) else ""


def _segment(value: object, lang: str) -> str:
    return segment_by_key(value).label(lang) if isinstance(value, str) else ""


def _years(value: object, lang: str) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


NOTE_TEXT: dict[NoteKind, Callable[[object, str], str]] = {
    "status": _status,
    "activity_type": _activity,
    "segment": _segment,
    "years": _years,
    "": lambda value, lang: "",
}


def _sentences(
    reason: str, event_date: object, days: object, note: object, lang: str
) -> tuple[str, str]:
    rule = rule_by_key(reason)
    fields = {
        "date": date_text(event_date, lang),
        "days": "" if pd.isna(days) else int(days),
        "note": NOTE_TEXT[rule.note](note, lang),
    }
    detail = rule.text("detail_today" if fields["days"] == 0 else "detail", lang)
    return detail.format(**fields), rule.text("action", lang).format(**fields)


def _all_sentences(actions: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """The sentences of every row; rows with the same facts share one rendering."""
    columns = ("reason", "event_date", "days", "note")
    facts = zip(*(actions[c].tolist() for c in columns), strict=True)
    rendered: dict[tuple, tuple[str, str]] = {}
    texts = []
    for fact in facts:
        text = rendered.get(fact)
        if text is None:
            text = rendered[fact] = _sentences(*fact, lang)
        texts.append(text)
    return texts


def describe_actions(actions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``actions`` plus :data:`TEXT_COLUMNS` in ``lang`` (``others``: other reasons, joined)."""
    levels = {p.key: p.label(lang) for p in priority_levels()}
    named = {key: c.label(lang) for key, c in channels().items()}
    result = actions.copy()
    texts = _all_sentences(actions, lang)
    result["priority_label"] = actions["priority"].map(levels)
    result["reason_label"] = map_distinct(actions["reason"], lambda k: rule_by_key(k).label(lang))
    result["detail"] = [t[0] for t in texts]
    result["action"] = [t[1] for t in texts]
    result["channel_label"] = actions["channel"].map(
        lambda k: named.get(k) if isinstance(k, str) else None
    )
    separator = "、" if lang == "ja" else ", "
    result["others"] = actions["other_reasons"].map(
        lambda keys: (
            (separator.join(rule_by_key(k).label(lang) for k in keys) or None)
            if isinstance(keys, list)
            else None
        )
    )
    return result
