"""The Settings tab: what a seller can adjust, kept in the workbook itself.

A seller who lives in Excel or Google Sheets has no config files, so language, as-of
date, currency, column overrides, sheet roles and the segment table live in a tab of
their own (``templates/settings.toml`` defines it).  sheetcrm creates the tab once and
never overwrites it; it is recognised by the text in A1 (``sheetcrm 設定`` /
``sheetcrm settings``), so renaming the tab is fine.  A value that cannot be used is
an Issue pointing at its cell, and the default applies; options given on the command
line win over the tab.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from sheetcrm.issues import Issue
from sheetcrm.output_model import Column, SheetModel, Table
from sheetcrm.parse.choices import parse_opt_in
from sheetcrm.parse.dates import parse_date
from sheetcrm.reader import SourceSheet
from sheetcrm.resources import load_table
from sheetcrm.segments import PROSPECTS, Segment, segment_table_covers, segments
from sheetcrm.text import column_letter, fold_header

#: How many empty rows the override sections offer in a new Settings tab.
BLANK_ROWS = 5
ROLES = ("customers", "orders", "activities", "ignore")


@dataclass(frozen=True)
class ColumnOverride:
    """``header`` (as folded) on ``sheet`` (``None``: any sheet) means ``field``."""

    sheet: str | None
    header: str
    field: str


@dataclass(frozen=True)
class Settings:
    """Everything adjustable; the defaults are what sheetcrm does with no Settings tab."""

    lang: str | None = None
    as_of: dt.date | None = None
    currency: str = "JPY"
    phone_region: str = "JP"
    keep_identical_rows: bool = False
    follow_up_days: int = 7
    responder_days: int = 30
    birthday_days: int = 14
    campaign_window_days: int = 30
    personal_channel_min_m_score: int = 4
    column_overrides: tuple[ColumnOverride, ...] = ()
    sheet_roles: dict[str, str] = field(default_factory=dict)
    segment_rules: tuple[Segment, ...] | None = None
    sheet: str | None = None  # the tab they were read from

    def with_overrides(self, **given: object) -> Settings:
        """These settings with the non-``None`` values of ``given`` (command-line options) on top.

        Used so that an option given on the command line wins over the Settings tab.
        """
        return dataclasses.replace(self, **{k: v for k, v in given.items() if v is not None})

    def override_for(self, sheet: str, header: str) -> str | None:
        folded = fold_header(header)
        for override in self.column_overrides:
            if override.header == folded and override.sheet in (None, sheet):
                return override.field
        return None


def _spec() -> dict:
    return load_table("settings")


def _label(entry: dict, lang: str) -> str:
    return entry["ja" if lang == "ja" else "en"]


def is_settings_sheet(sheet: SourceSheet) -> bool:
    """True for the Settings tab: its A1 starts with "sheetcrm" (either language)."""
    cells = sheet.cells
    if cells.empty or 1 not in cells.index or 0 not in cells.columns:
        return False
    first = cells.loc[1, 0]
    return isinstance(first, str) and fold_header(first).startswith("sheetcrm")


def settings_sheet(lang: str) -> SheetModel:
    """A new Settings tab with every option blank (= default) and the default segment table."""
    spec = _spec()
    headers = spec["headers"]["ja" if lang == "ja" else "en"]
    options = pd.DataFrame(
        [
            {
                "option": _label(o, lang),
                "value": _default_text(o, lang),
                "help": o["help_ja" if lang == "ja" else "help_en"],
            }
            for o in spec["option"]
        ]
    )
    tables = [
        Table(
            (
                Column("option", headers[0]),
                Column("value", headers[1], width=16),
                Column("help", headers[2], width=60),
            ),
            options,
            caption=f"{_label(spec['marker'], lang)} — {_label(spec['intro'], lang)}",
            autofilter=False,
        )
    ]
    for key, rows in (
        ("segments", _default_segment_rows(lang)),
        ("sheets", None),
        ("columns", None),
    ):
        section = spec["sections"][key]
        names = section["headers"]["ja" if lang == "ja" else "en"]
        columns = tuple(Column(f"c{i}", name) for i, name in enumerate(names))
        frame = pd.DataFrame(
            rows if rows is not None else [[None] * len(columns)] * BLANK_ROWS,
            columns=[c.key for c in columns],
        )
        caption = f"{_label(section, lang)} — {section['help_ja' if lang == 'ja' else 'help_en']}"
        tables.append(Table(columns, frame, caption=caption, autofilter=False))
    return SheetModel(
        key="settings",
        title=_label(spec["title"], lang),
        tables=tuple(tables),
        freeze_header=False,
        tab_color="#7F7F7F",
    )


def _default_text(option: dict, lang: str) -> str | int | None:
    default = option.get("default")
    if isinstance(default, bool):
        return (
            ("いいえ" if lang == "ja" else "no")
            if not default
            else ("はい" if lang == "ja" else "yes")
        )
    return default


def _default_segment_rows(lang: str) -> list[list[object]]:
    return [
        [s.label(lang), s.r[0], s.r[1], s.f[0], s.f[1]] for s in segments() if s.key != PROSPECTS
    ]


def read_settings(sheet: SourceSheet) -> tuple[Settings, list[Issue]]:
    """Read a Settings tab; every unusable value becomes an Issue and keeps its default."""
    reader = _SettingsReader(sheet)
    return reader.read(), reader.issues


class _SettingsReader:
    def __init__(self, sheet: SourceSheet) -> None:
        self.sheet = sheet
        self.issues: list[Issue] = []
        spec = _spec()
        self.options = {
            fold_header(_label(o, lang)): o for o in spec["option"] for lang in ("ja", "en")
        }
        self.sections = {
            fold_header(_label(s, lang)): key
            for key, s in spec["sections"].items()
            for lang in ("ja", "en")
        }
        self.header_rows = {
            tuple(fold_header(h) for h in hs)
            for entry in (spec["headers"], *(s["headers"] for s in spec["sections"].values()))
            for hs in entry.values()
        }
        roles = spec["sections"]["sheets"]["roles"]
        self.roles = {
            fold_header(names[lang]): role for role, names in roles.items() for lang in ("ja", "en")
        } | {role: role for role in roles}
        self.fields = set(load_table("headers")["fields"])

    def _issue(self, row: int, col: int, value: object, code: str, header: str | None) -> None:
        self.issues.append(
            Issue(
                self.sheet.name,
                row,
                column_letter(col),
                header,
                None if value is None else str(value),
                code,
            )
        )

    def read(self) -> Settings:
        values: dict[str, object] = {}
        overrides: list[ColumnOverride] = []
        roles: dict[str, str] = {}
        segment_rows: list[tuple[int, list[str | None]]] = []
        section = "options"
        for row_number, row in self.sheet.cells.iterrows():
            cells = [None if pd.isna(v) else str(v).strip() or None for v in row.tolist()]
            cells += [None] * (5 - len(cells))
            first = cells[0]
            if row_number == 1 or not any(cells):
                continue
            folded = fold_header(first) if first else ""
            started = next(
                (key for title, key in self.sections.items() if folded.startswith(title)), None
            )
            if started:
                section = started
                continue
            if tuple(fold_header(c) for c in cells if c) in self.header_rows:
                continue
            if section == "options":
                self._read_option(int(row_number), cells, values)
            elif section == "columns":
                self._read_override(int(row_number), cells, overrides)
            elif section == "sheets":
                self._read_role(int(row_number), cells, roles)
            else:
                segment_rows.append((int(row_number), cells))
        rules = self._read_segments(segment_rows) if segment_rows else None
        return Settings(
            **values,
            column_overrides=tuple(overrides),
            sheet_roles=roles,
            segment_rules=rules,
            sheet=self.sheet.name,
        )

    def _read_option(self, row: int, cells: list[str | None], values: dict[str, object]) -> None:
        label, raw = cells[0], cells[1]
        option = self.options.get(fold_header(label)) if label else None
        if option is None:
            self._issue(row, 0, label, "settings_unknown_option", None)
            return
        if raw is None:
            return
        value = _option_value(option, raw)
        if value is None:
            self._issue(row, 1, raw, "settings_invalid_value", label)
        else:
            values[option["key"]] = value

    def _read_override(self, row: int, cells: list[str | None], out: list[ColumnOverride]) -> None:
        sheet, header, target = cells[0], cells[1], cells[2]
        if not header and not target:
            return
        if not header or target not in self.fields:
            self._issue(
                row,
                2 if header else 1,
                target if header else header,
                "settings_invalid_value",
                None,
            )
            return
        out.append(ColumnOverride(sheet, fold_header(header), target))

    def _read_role(self, row: int, cells: list[str | None], out: dict[str, str]) -> None:
        sheet, role = cells[0], cells[1]
        if not sheet and not role:
            return
        resolved = self.roles.get(fold_header(role)) if role else None
        if not sheet or resolved is None:
            self._issue(
                row, 1 if sheet else 0, role if sheet else sheet, "settings_invalid_value", None
            )
            return
        out[sheet] = resolved

    def _read_segments(
        self, rows: list[tuple[int, list[str | None]]]
    ) -> tuple[Segment, ...] | None:
        known = {fold_header(s.label(lang)): s for s in segments() for lang in ("ja", "en")}
        known |= {s.key: s for s in segments()}
        rules = []
        for row, cells in rows:
            segment = known.get(fold_header(cells[0])) if cells[0] else None
            bounds = [_score(c) for c in cells[1:5]]
            if segment is None or segment.key == PROSPECTS:
                self._issue(row, 0, cells[0], "settings_invalid_value", None)
                return None
            if None in bounds or bounds[0] > bounds[1] or bounds[2] > bounds[3]:
                bad = next((i for i, b in enumerate(bounds) if b is None), 0)
                self._issue(row, 1 + bad, cells[1 + bad], "settings_invalid_value", None)
                return None
            rules.append(
                dataclasses.replace(segment, r=(bounds[0], bounds[1]), f=(bounds[2], bounds[3]))
            )
        if not segment_table_covers(rules):
            self._issue(rows[0][0], 0, None, "settings_segment_table_incomplete", None)
            return None
        return tuple(rules)


def _score(text: str | None) -> int | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    if value is None or not value.is_integer() or not 1 <= value <= 5:
        return None
    return int(value)


def _days(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and 0 <= value <= 3650 else None


def _option_value(option: dict, raw: str) -> object | None:
    kind = option["kind"]
    if kind == "choice":
        matches = [c for c in option["choices"] if c.casefold() == raw.strip().casefold()]
        return matches[0] if matches else None
    if kind == "date":
        parsed, code = parse_date(raw)
        return parsed if code is None else None
    if kind == "bool":
        result = parse_opt_in(pd.Series([raw], dtype="string"))
        value = result.values.iloc[0]
        return None if pd.isna(value) else bool(value)
    if kind in ("days", "score"):
        number = _score(raw) if kind == "score" else _days(raw)
        return number
    if kind == "region":
        import phonenumbers

        region = raw.strip().upper()
        return region if region in phonenumbers.SUPPORTED_REGIONS else None
    raise ValueError(f"unknown option kind {kind!r}")
