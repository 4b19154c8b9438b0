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


class WrongPassword(WorkbookEncrypted):
    """Raised when the password given for an encrypted workbook does not open it."""


class EncryptionFailed(SheetcrmError):
    """Raised when a workbook could not be encrypted so that it opens again; nothing is written."""


class DamagedWorkbook(NotAWorkbook):
    """Raised when a workbook's zip is truncated or corrupt (found before any parsing)."""


class WrongPackageType(NotAWorkbook):
    """Raised when a zip is not a spreadsheet: no or wrong content types, a renamed .docx…"""


class HostileWorkbook(NotAWorkbook):
    """Raised when a workbook is built to exhaust memory or time; it is not opened further."""


class ZipBomb(HostileWorkbook):
    """Raised when a workbook would unpack to far more data, or parts, than any real one."""


class UnsafeXML(HostileWorkbook):
    """Raised when a part declares a DTD or entities (entity expansion, external entities)."""


class AbsurdDimensions(HostileWorkbook):
    """Raised when cell positions or counts lie outside Excel's grid or beyond what memory holds."""


class UnsafeEntryName(HostileWorkbook):
    """Raised when a zip entry name climbs out of the package (``../``), is absolute or repeats."""


class NoTableFound(SheetcrmError):
    """Raised when no sheet holds a recognisable customers, orders or activities table."""

    exit_code = 4


class InvalidOption(SheetcrmError):
    """Raised when an option value (a date, a language, a table name) cannot be used."""

    exit_code = 2


# --- Google Sheets ------------------------------------------------------------------
# Every case below leaves the spreadsheet as it was (a sync writes all or nothing), so
# they share exit code 3 with the file errors: "the spreadsheet cannot be read or written".


class GoogleError(SheetcrmError):
    """Base class for failures talking to Google Sheets; ``str(error)`` says what to do."""


class AuthError(GoogleError):
    """Raised when no usable Google credentials were found or Google refused them."""


class SheetNotShared(GoogleError):
    """Raised when the account may not open the spreadsheet (Google's 403)."""


class SpreadsheetNotFound(GoogleError):
    """Raised when no spreadsheet has the given URL or key (Google's 404)."""


class ApiNotEnabled(GoogleError):
    """Raised when the Google Cloud project behind the credentials has the API switched off."""


class QuotaExceeded(GoogleError):
    """Raised when Google kept answering 429 (too many requests) after every retry."""


class GoogleUnavailable(GoogleError):
    """Raised when Google kept failing (5xx) or could not be reached after every retry."""


class SpreadsheetChanged(GoogleError):
    """Raised when the spreadsheet changed between reading and writing (nothing was written)."""


class SpreadsheetTooLarge(GoogleError):
    """Raised when the generated tabs would not fit Google's 10-million-cell limit."""


class TabExists(GoogleError):
    """Raised when ``push`` would overwrite a tab that already exists (use ``--replace``)."""

    exit_code = 2
