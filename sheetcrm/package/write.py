"""Write generated tabs into the seller's workbook (or to a new file): checks, backup, swap.

Usage::

    seen = fingerprint(path)            # when the workbook is read
    ...
    result = write_generated_sheets(path, rendered, ["summary", "customers"], expected=seen)
    result.added, result.replaced, result.removed, result.backup
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..crypto import decrypt_bytes, encrypt_bytes, is_encrypted, password_required
from ..errors import WorkbookChanged, WorkbookLocked
from . import atomic
from .backup import make_backup, rotate
from .base import empty_workbook
from .checks import (
    check_exists,
    check_not_locked,
    check_package,
    check_writable,
    is_foreign,
    not_a_workbook,
)
from .fingerprint import Fingerprint, fingerprint
from .graft import GraftSummary, SheetRef, graft
from .opc import Package, PackageError
from .sheetstream import BodyWriter
from .workbook import read_workbook
from .xmlspan import XMLError
from .zipio import CorruptEntry


@dataclass(frozen=True)
class WriteResult:
    """What a write did: tabs added, replaced in place and removed, and the backup made."""

    path: Path
    added: tuple[SheetRef, ...]
    replaced: tuple[SheetRef, ...]
    removed: tuple[SheetRef, ...]
    backup: Path | None


def write_generated_sheets(
    source: Path,
    rendered: Path,
    keys: Sequence[str],
    *,
    out: Path | None = None,
    backup: bool = True,
    expected: Fingerprint | None = None,
    keep: Collection[str] = (),
    password: str | None = None,
    bodies: Mapping[str, Sequence[BodyWriter]] | None = None,
) -> WriteResult:
    """Graft the sheets of ``rendered`` (``keys[i]`` identifies sheet i) into ``source``.

    ``out=None`` writes ``source`` in place, after a backup; with ``out`` the result goes
    there and ``source`` is left alone — and a source we cannot write into (.xls, .xlsb,
    .ods: anything but .xlsx/.xlsm) yields just the generated tabs.  ``expected`` is the
    fingerprint taken when the source was read: a workbook saved since then is refused
    with WorkbookChanged.  Tabs of ours whose key is in ``keep`` are left as they are.

    An encrypted ``source`` needs its ``password``: it is decrypted in memory, grafted
    in memory and encrypted again before anything is written, so the result (in place
    or ``out``) and the backup are encrypted with the same password.

    ``bodies``: the table bodies ``render_xlsx(..., defer_bodies=True)`` left out, by key.
    """
    source, rendered = Path(source), Path(rendered)
    if source.is_symlink():
        source = source.resolve()  # replace the file the link points to, not the link
    in_place = out is None or _same_file(source, Path(out))
    target = source if in_place else Path(out)
    foreign = False
    encrypted = is_encrypted(source)
    if encrypted and password is None:
        raise password_required(source.name)
    if in_place:
        check_writable(source, password=password)
    else:
        foreign = is_foreign(source)
        if foreign:
            check_exists(source)
        else:
            check_package(source, password=password)
        check_not_locked(target)
    seen = fingerprint(source)
    if expected is not None and seen != expected:
        raise _changed(source)
    _check_rendered(rendered)
    mode = stat.S_IMODE(os.stat(target if target.exists() else source).st_mode)

    def produce(fp: BinaryIO) -> GraftSummary:
        if not encrypted:
            return graft_into(fp)
        plain = io.BytesIO()  # the decrypted result never touches the disk
        summary = graft_into(plain)
        fp.write(encrypt_bytes(plain.getvalue(), password or "", name=source.name))
        return summary

    def graft_into(fp: BinaryIO) -> GraftSummary:
        with open(rendered, "rb") as rf:
            rendered_package = Package(rf)
            if foreign:
                return graft(
                    Package(io.BytesIO(empty_workbook(rendered_package))),
                    rendered_package,
                    keys,
                    fp,
                    bodies=bodies,
                )
            with _open_source(source, password if encrypted else None) as sf:
                try:
                    return graft(Package(sf), rendered_package, keys, fp, keep, bodies)
                except (PackageError, XMLError, CorruptEntry) as error:
                    raise not_a_workbook(source.name) from error

    made: list[Path] = []

    def before_replace() -> None:
        if not in_place:
            return
        if fingerprint(source) != seen:  # saved by Excel while we were writing
            raise _changed(source)
        if backup:
            made.append(make_backup(source))

    try:
        summary = atomic.write_atomically(target, produce, mode=mode, before_replace=before_replace)
    except atomic.TargetBusy as error:
        _discard(made)
        raise _locked(target) from error
    except BaseException:
        _discard(made)
        raise
    if made:
        rotate(source)
    return WriteResult(
        target, summary.added, summary.replaced, summary.removed, made[0] if made else None
    )


def _open_source(source: Path, password: str | None) -> BinaryIO:
    """The seller's package: the file itself, or its decrypted bytes in memory."""
    if password is None:
        return open(source, "rb")
    return io.BytesIO(decrypt_bytes(source.read_bytes(), password, name=source.name))


def _check_rendered(rendered: Path) -> None:
    """The rendered workbook is ours: a broken one is a programming error, not the seller's."""
    with open(rendered, "rb") as f:
        try:
            read_workbook(Package(f))
        except (PackageError, XMLError) as error:
            raise ValueError(f"the rendered workbook is broken: {error}") from error


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _discard(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _changed(path: Path) -> WorkbookChanged:
    return WorkbookChanged(
        f"{path.name} was changed (saved) after sheetcrm read it, so nothing was written. "
        "Save and close the workbook in Excel, then run sheetcrm again.",
        message_ja=(
            f"{path.name} は sheetcrm が読み込んだ後に変更（保存）されたため、"
            "書き込みを中止しました。"
            "Excel でブックを保存して閉じてから、もう一度 sheetcrm を実行してください。"
        ),
    )


def _locked(path: Path) -> WorkbookLocked:
    return WorkbookLocked(
        f"{path.name} could not be replaced because another program is using it. "
        "Close it in Excel (or any other program) and try again.",
        message_ja=(
            f"{path.name} は他のプログラムが使用中のため置き換えられませんでした。"
            "Excel などで閉じてから、もう一度お試しください。"
        ),
    )
