"""Decide, before touching anything, whether a workbook can be written back in place.

Each refusal is one of the family in :mod:`sheetcrm.errors`, worded for the seller in
English and Japanese, naming the file but nothing inside it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from ..errors import (
    NotAWorkbook,
    UnsupportedFormat,
    WorkbookLocked,
    WorkbookNotFound,
)
from .opc import Package, PackageError, rels_part
from .xmlspan import XMLError, check_well_formed, decode

#: How Excel stores a password-protected .xlsx: an OLE compound file, not a zip.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WRITABLE_SUFFIXES = frozenset({".xlsx", ".xlsm"})


def check_writable(path: Path, *, password: str | None = None) -> None:
    """Raise unless ``path`` is an .xlsx/.xlsm we can rewrite and nobody has it open.

    An encrypted workbook passes when ``password`` opens it (it is decrypted in memory).
    """
    path = Path(path)
    check_package(path, password=password)
    check_not_locked(path)


def is_foreign(path: Path) -> bool:
    """True for files we may read but never write into (.xls, .xlsb, .ods, .csv…)."""
    return Path(path).suffix.lower() not in WRITABLE_SUFFIXES


def check_exists(path: Path) -> None:
    """Raise WorkbookNotFound unless ``path`` is a file."""
    if not path.is_file():
        raise WorkbookNotFound(
            f"{path.name}: file not found. Check the path.",
            message_ja=f"{path.name}: ファイルが見つかりません。パスを確認してください。",
        )


def check_package(path: Path, *, password: str | None = None) -> None:
    """Raise the precise error when ``path`` is not a readable .xlsx/.xlsm.

    An encrypted one is refused (WorkbookEncrypted) unless ``password`` opens it.
    """
    name = path.name
    check_exists(path)
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise _unsupported(name)
    with open(path, "rb") as f:
        head = f.read(8)
    # The guard and crypto modules import this package, hence the late imports.
    if head == CFB_MAGIC:
        from sheetcrm.crypto import decrypt_bytes, password_required

        if password is None:
            raise password_required(name)
        check_content(io.BytesIO(decrypt_bytes(path.read_bytes(), password, name=name)), name)
        return
    from sheetcrm.guard import inspect_workbook

    inspect_workbook(path)  # zip bombs, DTDs, path traversal…; cached per file
    with open(path, "rb") as f:
        check_content(f, name)


def check_content(fp: BinaryIO, name: str) -> None:
    """Raise unless the (guarded) package in ``fp`` is an .xlsx/.xlsm whose core parts parse."""
    try:
        package = Package(fp)
        if package.has("mimetype") or package.has("xl/workbook.bin"):
            raise _unsupported(name)
        for part in (
            "[Content_Types].xml",
            package.workbook_part,
            rels_part(package.workbook_part),
        ):
            check_well_formed(decode(package.read(part))[0])
    except (PackageError, XMLError) as error:
        raise not_a_workbook(name) from error


def check_not_locked(path: Path) -> None:
    """Raise WorkbookLocked if Excel's (``~$name``) or LibreOffice's lock file sits beside it."""
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise WorkbookLocked(
                f"{path.name} is open in Excel or another program ({lock.name} exists). "
                f"Close it and try again; if it is not open, delete {lock.name}.",
                message_ja=(
                    f"{path.name} は Excel などで開かれています（{lock.name} があります）。"
                    "閉じてからもう一度お試しください。"
                    f"開いていない場合は {lock.name} を削除してください。"
                ),
            )


def _unsupported(name: str) -> UnsupportedFormat:
    return UnsupportedFormat(
        f"{name}: sheetcrm can only add its tabs to .xlsx or .xlsm workbooks. "
        "Write the results to a new file instead, e.g. `-o results.xlsx`, "
        "or save the workbook as .xlsx in Excel first.",
        message_ja=(
            f"{name}: sheetcrm が結果のシートを書き込めるのは .xlsx / .xlsm のブックだけです。"
            "`-o results.xlsx` のように新しいファイルに書き出すか、"
            "Excel で .xlsx 形式で保存し直してください。"
        ),
    )


def not_a_workbook(name: str) -> NotAWorkbook:
    return NotAWorkbook(
        f"{name} is not a readable Excel workbook (damaged or not an .xlsx file). "
        "Open it in Excel, save it again as .xlsx, and retry.",
        message_ja=(
            f"{name} は読み取れる Excel ブックではありません"
            "（破損しているか .xlsx ではありません）。"
            "Excel で開いて .xlsx として保存し直してから、もう一度お試しください。"
        ),
    )
