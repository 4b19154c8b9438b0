"""``sheetcrm auth``: check the Google set-up one step at a time.

1. credentials are found and accepted (a desktop sign-in runs once if needed);
2. the Sheets API answers: a ``spreadsheets.get`` of a key that cannot exist must come
   back "not found" — "API not enabled", "not signed in" and network failures surface
   as the errors that say what to do;
3. with a spreadsheet, that it can be opened (else: share it with the account's e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sheetcrm.errors import GoogleError, SheetNotShared, SpreadsheetNotFound
from sheetcrm.gsheets.auth import Account

if TYPE_CHECKING:
    from sheetcrm.gsheets.api import SheetsApi

#: A key no spreadsheet has (real keys are 44 characters): Google answers 404 for it.
_PROBE_KEY = "sheetcrm-setup-check-0000"


@dataclass(frozen=True)
class SetupCheck:
    """The outcome: whose credentials, and whether the spreadsheet (if any) opened."""

    account: Account
    title: str | None = None
    tabs: int = 0
    error: GoogleError | None = None  # the spreadsheet could not be opened


def check_setup(
    credentials: Path | None, spreadsheet: str | None = None, api: SheetsApi | None = None
) -> SetupCheck:
    """Run the checks; raises for set-up problems, reports a spreadsheet that won't open."""
    from sheetcrm.gsheets.connect import connect, spreadsheet_key

    key = spreadsheet_key(spreadsheet) if spreadsheet else None
    api = api or connect(credentials)
    try:
        api.get_spreadsheet(_PROBE_KEY, fields="spreadsheetId")
    except SpreadsheetNotFound:
        pass  # the API answered: credentials accepted, API enabled
    except SheetNotShared:
        pass  # a 403 for the probe also proves the API answered
    if key is None:
        return SetupCheck(api.account)
    try:
        meta = api.get_spreadsheet(key, fields="properties(title),sheets(properties(sheetId))")
    except (SheetNotShared, SpreadsheetNotFound) as error:
        return SetupCheck(api.account, error=error)
    title = str(meta.get("properties", {}).get("title", key))
    return SetupCheck(api.account, title, len(meta.get("sheets", [])))
