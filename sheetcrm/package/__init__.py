"""The write-back engine: put generated tabs into the seller's own .xlsx/.xlsm package.

The package is edited, not re-saved: every part sheetcrm did not generate is copied
byte-for-byte (even its compressed bytes), and only the workbook's tab list, defined
names, relationships, content types, styles (append-only) and ``docProps/app.xml``
tab list are edited in place.  Usage::

    from sheetcrm.package import fingerprint, generated_sheets, write_generated_sheets

    seen = fingerprint(path)                  # when reading the workbook
    skip = generated_sheets(path)             # {title: key} of our own tabs
    ...
    result = write_generated_sheets(path, rendered_xlsx, keys, expected=seen)
"""

from .checks import check_writable
from .fingerprint import Fingerprint, fingerprint
from .graft import SheetRef
from .recognise import generated_sheets
from .write import WriteResult, write_generated_sheets

__all__ = [
    "Fingerprint",
    "SheetRef",
    "WriteResult",
    "check_writable",
    "fingerprint",
    "generated_sheets",
    "write_generated_sheets",
]
