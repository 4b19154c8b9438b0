"""Backups before an in-place write: owner-only, the five newest kept; permissions kept."""

from __future__ import annotations

import stat
from pathlib import Path

from test_package_support import make_rendered, make_seller

from sheetcrm.package import write_generated_sheets
from sheetcrm.package.backup import backups_of

KEYS = ["customers", "summary"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_is_the_previous_version_readable_by_the_owner_only(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    before = book.read_bytes()

    result = write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)

    assert result.backup is not None and result.backup.read_bytes() == before
    assert result.backup.parent == tmp_path / ".sheetcrm" / "backups"
    assert result.backup.name.startswith("shop.") and result.backup.suffix == ".xlsx"
    assert _mode(result.backup) == 0o600
    assert _mode(tmp_path / ".sheetcrm") == 0o700
    assert _mode(tmp_path / ".sheetcrm" / "backups") == 0o700


def test_only_the_five_newest_backups_are_kept(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    rendered = make_rendered(tmp_path / "r.xlsx")
    other = make_seller(tmp_path / "other.xlsx")
    write_generated_sheets(other, rendered, KEYS)
    versions = []
    for _ in range(7):
        versions.append(book.read_bytes())
        write_generated_sheets(book, rendered, KEYS)
    kept = backups_of(book)
    assert len(kept) == 5
    assert kept[-1].read_bytes() == versions[-1]
    assert kept[0].read_bytes() == versions[2]
    assert len(backups_of(other)) == 1  # another workbook's backups are not rotated away


def test_no_backup_when_asked_or_when_writing_elsewhere(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    rendered = make_rendered(tmp_path / "r.xlsx")
    assert write_generated_sheets(book, rendered, KEYS, backup=False).backup is None
    out = tmp_path / "copy.xlsx"
    assert write_generated_sheets(book, rendered, KEYS, out=out).backup is None
    assert not (tmp_path / ".sheetcrm").exists()


def test_the_rewritten_workbook_keeps_its_permissions(tmp_path: Path) -> None:
    book = make_seller(tmp_path / "shop.xlsx")
    book.chmod(0o640)
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), KEYS)
    assert _mode(book) == 0o640
