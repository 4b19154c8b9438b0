"""Read every cell of a workbook as text, keeping exact sheet/row/column positions.

fastexcel (Rust calamine underneath) is the fastest reader we measured (1,000,000
rows in ~3 s).  Every column is read as strings so a column mixing real dates with
typed text (``2024年1月5日``) loses nothing; real dates arrive as
``2024-01-05 00:00:00`` and numbers as ``1200``, and the parsers read both.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sheetcrm.crypto import ENCRYPTED_SUFFIXES, password_required
from sheetcrm.errors import NotAWorkbook, WorkbookNotFound
from sheetcrm.guard import inspect_workbook

READABLE_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True, eq=False)
class SourceSheet:
    """The cells of one sheet as text.

    ``cells`` has one column per sheet column, named by its 0-based absolute column
    index, and is indexed by the 1-based Excel row number, so ``cells.loc[12, 2]`` is C12.
    """

    name: str
    cells: pd.DataFrame
    visible: bool = True


def sniff_workbook(path: Path) -> None:
    """Fail early, with a message the seller can act on, when ``path`` is not readable."""
    if not path.exists():
        raise WorkbookNotFound(f"{path} does not exist.", message_ja=f"{path} が見つかりません。")
    if not path.is_file():
        raise WorkbookNotFound(
            f"{path} is not a file.", message_ja=f"{path} はファイルではありません。"
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head == _OLE_MAGIC and suffix in ENCRYPTED_SUFFIXES:
        raise password_required(path.name)  # read it with decrypted_content(path, password)
    if suffix not in READABLE_SUFFIXES:
        raise NotAWorkbook(
            f"{path.name} is not a spreadsheet sheetcrm can read "
            "(.xlsx, .xlsm, .xls, .xlsb, .ods).",
            message_ja=f"{path.name} は読み込めない形式です"
            "（.xlsx / .xlsm / .xls / .xlsb / .ods）。",
        )
    zipped = head.startswith(b"PK\x03\x04")  # a truncated zip: the guard says "damaged"
    if suffix in {".xlsx", ".xlsm"} and not zipped and not zipfile.is_zipfile(path):
        raise NotAWorkbook(
            f"{path.name} is not a valid Excel workbook (the file is damaged or not really .xlsx).",
            message_ja=f"{path.name} は正しい Excel ブックではありません（破損しているか、"
            "中身が .xlsx ではありません）。",
        )
    # Zip bombs, DTDs, absurd sheet sizes…: refused before fastexcel sees the file.
    inspect_workbook(path)


def _open(path: Path, content: bytes | None = None):
    import fastexcel

    try:
        return fastexcel.read_excel(path if content is None else content)
    except Exception as error:  # fastexcel raises its own family plus OSError
        raise NotAWorkbook(
            f"{path.name} could not be opened as a workbook ({type(error).__name__}).",
            message_ja=f"{path.name} をブックとして開けませんでした（{type(error).__name__}）。",
        ) from error


def read_sheets(
    path: Path,
    *,
    skip: Iterable[str] = (),
    n_rows: int | None = None,
    content: bytes | None = None,
) -> list[SourceSheet]:
    """Read the sheets of ``path`` (all but those named in ``skip``) as text cells.

    ``n_rows`` limits how many rows are read from the top of each sheet, which is
    enough to find header rows without paying for the whole file.  ``content`` is the
    workbook already in memory and checked (a decrypted one, see :mod:`sheetcrm.crypto`);
    ``path`` then only names it in messages.
    """
    if content is None:
        sniff_workbook(path)
    reader = _open(path, content)
    skipped = set(skip)
    sheets = []
    for name in reader.sheet_names:
        if name in skipped:
            continue
        sheets.append(_read_sheet(reader, path, name, n_rows))
    return sheets


def read_sheet(path: Path, name: str) -> SourceSheet:
    """Read one whole sheet."""
    return _read_sheet(_open(path), path, name, None)


def _read_sheet(reader, path: Path, name: str, n_rows: int | None) -> SourceSheet:
    try:
        sheet = reader.load_sheet(
            name,
            header_row=None,
            skip_rows=0,
            n_rows=n_rows,
            dtypes="string",
            whitespace_as_null=True,
        )
        batch = sheet.to_arrow()
        columns = [info.absolute_index for info in sheet.available_columns()]
        visible = sheet.visible == "visible"
    except Exception as error:
        raise NotAWorkbook(
            f"Sheet '{name}' of {path.name} could not be read ({type(error).__name__}).",
            message_ja=f"{path.name} のシート「{name}」を読み込めませんでした"
            f"（{type(error).__name__}）。",
        ) from error
    if batch.num_columns == 0:
        return SourceSheet(name=name, cells=pd.DataFrame(), visible=visible)
    frame = batch.to_pandas()
    frame.columns = columns
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return SourceSheet(name=name, cells=frame.astype("string"), visible=visible)
