"""The Action list's rule table (``templates/actions.toml``) as typed, checked records.

The table holds everything a seller might want to tune — scores, windows, channel
preferences, wording — so that :mod:`sheetcrm.insights.actions` holds only the logic of
*who* each rule applies to.  A rule parameter may name a Settings option
(``after_days = "follow_up_days"``); :meth:`ActionRule.number` resolves it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from sheetcrm.resources import load_table
from sheetcrm.settings import Settings

#: What {note} in a rule's texts holds (see ``sheetcrm.insights.action_text``).
NoteKind = Literal["status", "activity_type", "segment", "years", ""]
Needs = Literal["email", "phone", "address", "activity"]

_NOTE_KINDS = frozenset({"status", "activity_type", "segment", "years", ""})
_NEEDS = frozenset({"email", "phone", "address", "activity"})
_TEXT_KEYS = ("ja", "en", "ja_action", "en_action", "ja_detail", "en_detail")
_OPTIONAL_TEXT_KEYS = ("ja_detail_today", "en_detail_today")
_RULE_KEYS = frozenset({"key", "score", "marketing", "channels", "note", *_TEXT_KEYS})


@dataclass(frozen=True)
class ActionRule:
    """One reason to contact a customer, with its score, channels and wording."""

    key: str
    score: float
    marketing: bool
    channels: tuple[str, ...]
    note: NoteKind
    texts: dict[str, str] = field(hash=False, compare=False)
    params: dict[str, Any] = field(hash=False, compare=False)

    def label(self, lang: str) -> str:
        return self.texts["ja" if lang == "ja" else "en"]

    def text(self, kind: Literal["action", "detail", "detail_today"], lang: str) -> str:
        """A text template in ``lang``; ``detail_today`` falls back to ``detail``."""
        prefix = "ja" if lang == "ja" else "en"
        return self.texts.get(f"{prefix}_{kind}") or self.texts[f"{prefix}_detail"]

    def param(self, name: str) -> Any:
        return self.params[name]

    def number(self, name: str, settings: Settings) -> float:
        """A numeric parameter, read from ``settings`` when the table names an option."""
        value = self.params[name]
        return float(getattr(settings, value) if isinstance(value, str) else value)


@dataclass(frozen=True)
class Channel:
    """A way to reach a customer; ``personal`` ones are offered by value only.

    ``consent``: closed to customers who opted out (e-mail, DM).
    """

    key: str
    personal: bool
    consent: bool
    needs: Needs
    activity_types: tuple[str, ...]
    ja: str
    en: str

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class PriorityLevel:
    """A band of scores shown as 高/中/低."""

    key: str
    min_score: float
    ja: str
    en: str

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@cache
def channels() -> dict[str, Channel]:
    """Every channel by key, in the table's order (treat as read-only)."""
    table = load_table("actions")["channels"]
    result = {}
    for key, entry in table.items():
        if entry["needs"] not in _NEEDS:
            raise ValueError(f"actions.toml [channels.{key}]: unknown needs {entry['needs']!r}")
        result[key] = Channel(
            key,
            bool(entry["personal"]),
            bool(entry["consent"]),
            entry["needs"],
            tuple(entry.get("activity_types", ())),
            entry["ja"],
            entry["en"],
        )
    return result


@cache
def action_rules() -> tuple[ActionRule, ...]:
    """All rules in the table's order; a broken table fails loudly (it ships with us)."""
    known = channels()
    rules = []
    for entry in load_table("actions")["rule"]:
        key = entry["key"]
        unknown = [c for c in entry["channels"] if c not in known]
        if unknown:
            raise ValueError(f"actions.toml rule {key!r}: unknown channels {unknown}")
        note = entry.get("note", "")
        if note not in _NOTE_KINDS:
            raise ValueError(f"actions.toml rule {key!r}: unknown note {note!r}")
        texts = {k: entry[k] for k in (*_TEXT_KEYS, *_OPTIONAL_TEXT_KEYS) if k in entry}
        params = {
            k: v for k, v in entry.items() if k not in _RULE_KEYS and k not in _OPTIONAL_TEXT_KEYS
        }
        options = {f.name for f in dataclasses.fields(Settings)}
        named = [v for v in params.values() if isinstance(v, str) and v not in options]
        if named:
            raise ValueError(f"actions.toml rule {key!r}: no Settings option {named}")
        rules.append(
            ActionRule(
                key=key,
                score=float(entry["score"]),
                marketing=bool(entry.get("marketing", True)),
                channels=tuple(entry["channels"]),
                note=note,
                texts=texts,
                params=params,
            )
        )
    keys = [r.key for r in rules]
    if len(set(keys)) != len(keys):
        raise ValueError("actions.toml: a rule key is used twice")
    return tuple(rules)


def rule_by_key(key: str) -> ActionRule:
    return next(r for r in action_rules() if r.key == key)


@cache
def priority_levels() -> tuple[PriorityLevel, ...]:
    """Levels from the highest ``min_score`` down."""
    levels = [
        PriorityLevel(p["key"], float(p["min_score"]), p["ja"], p["en"])
        for p in load_table("actions")["priority"]
    ]
    return tuple(sorted(levels, key=lambda p: -p.min_score))


def priority_for(score: float) -> PriorityLevel:
    """The level a score falls in (the lowest level catches everything below)."""
    return next((p for p in priority_levels() if score >= p.min_score), priority_levels()[-1])


@cache
def contact_types() -> frozenset[str]:
    """Activity types that mean the seller contacted the customer (see actions.toml)."""
    return frozenset(load_table("actions")["contact_types"])
