"""Issue records: every data problem, named by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sheetcrm.resources import load_table

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Issue:
    """One problem found in the seller's data.

    ``row`` is the 1-based Excel row number and ``column`` the column letter, so the
    seller can jump straight to the cell; ``header`` is the header text as written.
    """

    sheet: str
    row: int | None
    column: str | None
    header: str | None
    value: str | None
    code: str

    @property
    def severity(self) -> Severity:
        return issue_severity(self.code)

    def message(self, lang: str) -> str:
        return issue_message(self.code, lang)

    @property
    def holds_personal_data(self) -> bool:
        """True when ``value`` is an e-mail, phone or postal code (masked in messages)."""
        return bool(load_table("issue_codes")[self.code].get("pii", False))

    def shown_value(self, *, show_pii: bool = False) -> str | None:
        """``value`` as it may appear in a terminal or log: personal data masked."""
        if self.value is None or show_pii or not self.holds_personal_data:
            return self.value
        from sheetcrm.privacy import mask_value

        return mask_value(self.value)

    @property
    def cell(self) -> str:
        """``Sheet!C12``; a whole row is ``Sheet!12:12`` (Excel's own notation)."""
        if self.row is None:
            return self.sheet
        if self.column is None:
            return f"{self.sheet}!{self.row}:{self.row}"
        return f"{self.sheet}!{self.column}{self.row}"


def issue_severity(code: str) -> Severity:
    return load_table("issue_codes")[code]["severity"]


def issue_message(code: str, lang: str) -> str:
    entry = load_table("issue_codes")[code]
    return entry["ja" if lang == "ja" else "en"]


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Errors first, then by sheet and row, so the Issues tab reads top-down."""
    return sorted(
        issues,
        key=lambda i: (SEVERITY_ORDER[i.severity], i.sheet, i.row or 0, i.column or "", i.code),
    )
