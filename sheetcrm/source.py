"""Everything the analysis needs from a workbook: its tables, its settings, our earlier tabs.

:func:`read_workbook_source` reads an Excel file; the Google Sheets sync builds the same
:class:`SourceInput` from the values it fetches, so both run one analysis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetcrm.crypto import decrypted_content
from sheetcrm.decisions import MEMORY_KEY, Decisions, read_decisions
from sheetcrm.errors import NoTableFound
from sheetcrm.issues import Issue
from sheetcrm.reader import SourceSheet, read_sheets, sniff_workbook
from sheetcrm.settings import Settings, is_settings_sheet, read_settings
from sheetcrm.tables import RecognisedTable, find_header, recognise

if TYPE_CHECKING:
    from sheetcrm.forget import ForgetList

#: The key of our hidden tab listing people to leave out (:mod:`sheetcrm.forget`).
FORGOTTEN_KEY = "forgotten"

WRITABLE_SUFFIXES = {".xlsx", ".xlsm"}

#: Generated tabs whose content is read back (the seller owns or edits them; our memories).
READ_BACK_KEYS = frozenset({"settings", "duplicates", MEMORY_KEY, FORGOTTEN_KEY})

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


@dataclass(frozen=True, eq=False)
class SourceInput:
    """What was read: tables, settings (and their issues), and our generated tabs by key."""

    tables: list[RecognisedTable]
    settings: Settings
    settings_issues: list[Issue] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)  # key → tab title
    review: SourceSheet | None = None  # our previous Duplicates tab, with decisions
    memory: SourceSheet | None = None  # our hidden memory of decisions
    forgotten: SourceSheet | None = None  # our hidden list of people to leave out

    def decisions(self, today: dt.date) -> Decisions:
        """The seller's duplicate decisions: remembered ones updated from the review tab."""
        return read_decisions(self.memory, self.review, today)

    def forget_list(self) -> ForgetList:
        """The people to leave out of every generated tab (see :mod:`sheetcrm.forget`)."""
        from sheetcrm.forget import read_forget_list

        return read_forget_list(self.forgotten)

    @property
    def has_settings_tab(self) -> bool:
        return self.settings.sheet is not None


def generated_tabs(path: Path, *, content: bytes | None = None) -> dict[str, str]:
    """``{key: title}`` of the tabs sheetcrm generated in ``path`` (none for .xls/.ods).

    ``content``: the workbook already decrypted in memory (``path`` then names it).
    """
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        return {}
    from sheetcrm.package import generated_sheets

    return {key: title for title, key in generated_sheets(path, content=content).items()}


def source_from_sheets(
    sheets: list[SourceSheet], generated: dict[str, str], name: str
) -> SourceInput:
    """Find the Settings tab, our read-back tabs and the tables among ``sheets``."""
    settings, issues = Settings(), []
    data_sheets = []
    ours = {title: key for key, title in generated.items() if key != "settings"}
    read_back = {ours[s.name]: s for s in sheets if s.name in ours}
    for sheet in sheets:
        if sheet.name in ours:
            continue
        if settings.sheet is None and is_settings_sheet(sheet):
            settings, issues = read_settings(sheet)
        else:
            data_sheets.append(sheet)
    tables = [t for t in (recognise(s, settings) for s in data_sheets) if t is not None]
    if not tables:
        raise no_table_error(name, data_sheets)
    return SourceInput(
        tables,
        settings,
        issues,
        generated,
        read_back.get("duplicates"),
        read_back.get(MEMORY_KEY),
        read_back.get(FORGOTTEN_KEY),
    )


def read_workbook_source(
    path: Path, progress: Progress = _silent, *, password: str | None = None
) -> SourceInput:
    """Read ``path``: every seller tab, plus the generated tabs we read back (settings).

    An encrypted workbook is decrypted in memory with ``password`` (see
    :mod:`sheetcrm.crypto`); without one it is refused with WorkbookEncrypted.
    """
    content = decrypted_content(path, password)
    if content is None:
        sniff_workbook(path)
    generated = generated_tabs(path, content=content)
    skip = {title for key, title in generated.items() if key not in READ_BACK_KEYS}
    progress("read")
    sheets = read_sheets(path, skip=skip, content=content)
    progress("recognise")
    return source_from_sheets(sheets, generated, path.name)


def no_table_error(name: str, sheets: list[SourceSheet]) -> NoTableFound:
    seen = []
    for sheet in sheets:
        candidate = find_header(sheet)
        headers = ", ".join(candidate.headers_seen[:8]) if candidate else ""
        seen.append(f"'{sheet.name}': {headers or '(empty)'}")
    listing = "; ".join(seen) or "(no sheets)"
    return NoTableFound(
        f"No customer list, sales log or activity log was found in {name}. "
        f"Headers seen — {listing}. Expected a header row with columns such as "
        "Name / E-mail / Phone (a customer list) or Order date / Amount (a sales log). "
        "If your headers are different, name them in the Settings tab (Column overrides).",
        message_ja=f"{name} に顧客一覧・売上記録・対応履歴の表が見つかりません。"
        f"見つかった見出し — {listing}。「氏名・メール・電話」（顧客一覧）や"
        "「購入日・金額」（売上記録）のような見出し行が必要です。"
        "見出しが異なる場合は「設定」タブの「列の指定」で指定してください。",
    )
