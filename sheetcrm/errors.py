"""The exceptions sheetcrm raises: one family, each case named for what the user can fix.

Problems *inside* the data (an unreadable date, a duplicate order) are not exceptions;
they are :class:`sheetcrm.issues.Issue` records in the report.  These classes are for
the cases where the job cannot go on at all.  Every message names the file or sheet
but never a customer's personal data.
"""

from __future__ import annotations


class SheetcrmError(Exception):
    """Base class: the job could not be done; ``str(error)`` tells the user why and what to do."""

    exit_code = 3

    def __init__(self, message: str, *, message_ja: str | None = None) -> None:
        super().__init__(message)
        self.message_ja = message_ja or message

    def message_for(self, lang: str) -> str:
        """The message in the user's language (``"ja"`` or ``"en"``)."""
        return self.message_ja if lang == "ja" else str(self)


class WorkbookNotFound(SheetcrmError):
    """Raised when the given path does not exist or is not a file."""


class NotAWorkbook(SheetcrmError):
    """Raised when the file is not a spreadsheet we can read (wrong type, truncated, corrupt)."""


class UnsupportedFormat(SheetcrmError):
    """Raised when the workbook can be read but not written in place (.xls, .xlsb, .ods)."""


class WorkbookEncrypted(SheetcrmError):
    """Raised when the workbook is password-protected."""


class WorkbookLocked(SheetcrmError):
    """Raised when the workbook is open in Excel (a ``~$`` lock file sits beside it)."""


class WorkbookChanged(SheetcrmError):
    """Raised when the file changed on disk between reading and writing it back."""


class NoTableFound(SheetcrmError):
    """Raised when no sheet holds a recognisable customers, orders or activities table."""

    exit_code = 4


class InvalidOption(SheetcrmError):
    """Raised when an option value (a date, a language, a table name) cannot be used."""

    exit_code = 2
