"""Tell which tabs of a workbook sheetcrm generated (see :mod:`.marker` for how)."""

from __future__ import annotations

import io
from pathlib import Path

from .checks import check_content, check_package, is_foreign, not_a_workbook
from .marker import code_name_in, find_marked
from .opc import Package, PackageError
from .workbook import Workbook, read_workbook
from .xmlspan import XMLError


def generated_sheets(path: Path, *, content: bytes | None = None) -> dict[str, str]:
    """``{tab title: key}`` of our tabs, in tab order — for the reader to skip them.

    ``content`` is the package already in memory (a decrypted workbook), ``path`` then
    only names it.  Formats we never write into (.xls, .xlsb, .ods, .csv) cannot hold
    our tabs: ``{}``.
    """
    path = Path(path)
    if is_foreign(path):
        return {}
    if content is None:
        check_package(path)
    else:
        check_content(io.BytesIO(content), path.name)
    with open(path, "rb") if content is None else io.BytesIO(content) as f:
        try:
            package = Package(f)
            wb = read_workbook(package)
            found = read_markers(package, wb)
        except (PackageError, XMLError) as error:
            raise not_a_workbook(path.name) from error
    return {wb.sheets[i].title: key for key, i in sorted(found.items(), key=lambda kv: kv[1])}


def read_markers(package: Package, wb: Workbook) -> dict[str, int]:
    """``{key: tab index}`` of the tabs sheetcrm generated in this workbook."""

    def code_name(index: int) -> str | None:
        sheet = wb.sheets[index]
        if not sheet.is_worksheet or sheet.part is None or not package.has(sheet.part):
            return ""  # never ours: a chart sheet, or a tab without its part
        return code_name_in(package.chunks(sheet.part, 1 << 16))

    return find_marked(
        ((n.name, n.local_sheet_id, n.formula) for n in wb.names),
        [s.title for s in wb.sheets],
        code_name,
    )
