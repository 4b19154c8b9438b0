"""When the engine refuses to write, it says why (in English and Japanese) and touches nothing."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from test_package_support import (
    CORPUS,
    WRITER_OPTIONS,
    integrity,
    make_rendered,
    make_seller,
    parts,
)

from sheetcrm.errors import (
    NotAWorkbook,
    SheetcrmError,
    UnsupportedFormat,
    WorkbookChanged,
    WorkbookEncrypted,
    WorkbookLocked,
)
from sheetcrm.package import (
    atomic,
    check_writable,
    fingerprint,
    generated_sheets,
    write,
    write_generated_sheets,
)
from sheetcrm.package.sheetstream import SharedStringsInGeneratedSheet

KEYS = ["customers", "summary"]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return make_seller(tmp_path / "shop.xlsx")


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    return make_rendered(tmp_path / "rendered.xlsx")


def _refused(error: type[SheetcrmError], path: Path, rendered: Path, **kwargs) -> SheetcrmError:
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(error) as caught:
        write_generated_sheets(path, rendered, KEYS, **kwargs)
    if before is not None:
        assert path.read_bytes() == before
    assert atomic.temp_files(path) == []
    message_en, message_ja = str(caught.value), caught.value.message_for("ja")
    assert path.name in message_en and path.name in message_ja and message_en != message_ja
    return caught.value


@pytest.mark.parametrize("lock_name", ["~$shop.xlsx", ".~lock.shop.xlsx#"])
def test_open_workbook_is_refused(book: Path, rendered: Path, lock_name: str) -> None:
    (book.parent / lock_name).write_text("owner")
    error = _refused(WorkbookLocked, book, rendered)
    assert "Close" in str(error) and "閉じて" in error.message_for("ja")


def test_encrypted_workbook_is_refused(tmp_path: Path, rendered: Path) -> None:
    source = CORPUS / "pass_protected.xlsx"
    if not source.exists():
        pytest.skip("../shared/corpus not found")
    book = tmp_path / "shop.xlsx"
    shutil.copy(source, book)
    with pytest.raises(WorkbookEncrypted):
        check_writable(book)
    error = _refused(WorkbookEncrypted, book, rendered)
    assert "password" in str(error)


@pytest.mark.parametrize("name", ["any_sheets.xls", "any_sheets.ods", "any_sheets.xlsb"])
def test_foreign_formats_are_refused_in_place_but_allowed_with_out(
    tmp_path: Path, rendered: Path, name: str
) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("../shared/corpus not found")
    source = tmp_path / name
    shutil.copy(CORPUS / name, source)
    original = source.read_bytes()
    error = _refused(UnsupportedFormat, source, rendered)
    assert "-o" in str(error) and "-o" in error.message_for("ja")

    out = tmp_path / "results.xlsx"
    result = write_generated_sheets(source, rendered, KEYS, out=out)

    assert source.read_bytes() == original
    assert [r.title for r in result.added] == ["Customers", "Summary"]
    assert generated_sheets(out) == {"Customers": "customers", "Summary": "summary"}
    assert integrity(out) == (set(), set())
    assert {"docProps/core.xml", "docProps/app.xml", "xl/styles.xml"} <= set(parts(out))
    book = python_calamine.CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["Customers", "Summary"]
    assert book.get_sheet_by_name("Customers").to_python()[1][0] == "青木 花子"
    assert generated_sheets(source) == {}


def test_workbook_saved_since_it_was_read_is_refused(book: Path, rendered: Path) -> None:
    seen = fingerprint(book)
    make_seller(book, ("Orders", "Notes", "New tab"))  # the seller saved in the meantime
    os.utime(book, ns=(seen.mtime_ns + 10**9, seen.mtime_ns + 10**9))
    _refused(WorkbookChanged, book, rendered, expected=seen)


def test_workbook_saved_during_the_write_is_refused(
    book: Path, rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fingerprint(book)
    real_graft = write.graft

    def graft_while_excel_saves(*args, **kwargs):
        summary = real_graft(*args, **kwargs)
        make_seller(book, ("Saved", "by", "Excel"))
        return summary

    monkeypatch.setattr(write, "graft", graft_while_excel_saves)
    with pytest.raises(WorkbookChanged):
        write_generated_sheets(book, rendered, KEYS, expected=seen)
    assert python_calamine.CalamineWorkbook.from_path(str(book)).sheet_names == [
        "Saved",
        "by",
        "Excel",
    ]
    assert atomic.temp_files(book) == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated zip"),
        pytest.param(lambda data: b"order,customer\n1,Alice\n", id="csv renamed to xlsx"),
        pytest.param(lambda data: b"", id="empty file"),
    ],
)
def test_damaged_workbook_is_refused(book: Path, rendered: Path, damage) -> None:
    book.write_bytes(damage(book.read_bytes()))
    _refused(NotAWorkbook, book, rendered)


def test_zip_without_a_workbook_is_refused(tmp_path: Path, rendered: Path) -> None:
    book = tmp_path / "shop.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    _refused(NotAWorkbook, book, rendered)


def test_rendered_sheet_with_shared_strings_is_a_programming_error(
    book: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.xlsx"
    wb = xlsxwriter.Workbook(str(bad))  # not constant_memory: strings go to the shared table
    wb.add_worksheet("Customers").write_string(0, 0, "Alice")
    wb.close()
    before = book.read_bytes()
    with pytest.raises(SharedStringsInGeneratedSheet):
        write_generated_sheets(book, bad, ["customers"])
    assert book.read_bytes() == before
    assert atomic.temp_files(book) == []


def test_keys_must_match_the_rendered_sheets(book: Path, rendered: Path) -> None:
    before = book.read_bytes()
    with pytest.raises(ValueError, match="keys"):
        write_generated_sheets(book, rendered, ["customers"])
    with pytest.raises(ValueError, match="unique"):
        write_generated_sheets(book, rendered, ["customers", "customers"])
    assert book.read_bytes() == before


def test_writer_options_are_the_renderers(tmp_path: Path) -> None:
    """Guard: the helper builds rendered workbooks the way render_xlsx does."""
    assert WRITER_OPTIONS["constant_memory"] is True
