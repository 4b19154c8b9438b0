"""Password-protected workbooks: read in memory, written back encrypted, never left decrypted."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_packages import billion_laughs, package
from test_package_support import CORPUS

from sheetcrm import crypto, pipeline
from sheetcrm.errors import (
    DamagedWorkbook,
    EncryptionFailed,
    NoTableFound,
    UnsafeXML,
    UnsupportedFormat,
    WorkbookEncrypted,
    WrongPassword,
    ZipBomb,
)
from sheetcrm.guard import CFB_MAGIC
from sheetcrm.package import atomic, generated_sheets
from sheetcrm.package.backup import backups_of
from sheetcrm.scratch import private_dir, remove_tree

PASSWORD = "ひみつの合言葉-42"
AS_OF = dt.date(2024, 12, 31)
EMAIL = "taro.yamada@example.jp"


def shop_rows() -> dict[str, list[list[object]]]:
    customers = [["顧客ID", "氏名", "メールアドレス", "電話番号"]]
    orders = [["注文番号", "購入日", "顧客ID", "金額"]]
    for i in range(40):
        customers.append([f"C{i:03d}", f"山田{i}", f"user{i}@example.jp", f"090-1234-{i:04d}"])
        for k in range(i % 4 + 1):
            orders.append([f"A{i}-{k}", dt.date(2024, 1 + k, 1 + i % 28), f"C{i:03d}", 1980 + k])
    customers[1][2] = EMAIL
    return {"顧客": customers, "注文": orders}


@pytest.fixture
def plain(make_workbook) -> Path:
    return make_workbook(shop_rows(), name="plain.xlsx")


@pytest.fixture
def locked(make_workbook) -> Path:
    path = make_workbook(shop_rows(), name="shop.xlsx")
    crypto.encrypt_workbook(path, PASSWORD)
    return path


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, redirected so a test can see what is left in it."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_an_encrypted_workbook_is_an_ole_file_excel_can_open(locked: Path) -> None:
    assert locked.read_bytes()[:8] == CFB_MAGIC
    assert crypto.is_encrypted(locked)
    assert zipfile.is_zipfile(io.BytesIO(crypto.decrypted_content(locked, PASSWORD)))


def test_it_is_analysed_with_its_password_like_the_plain_one(locked: Path, plain: Path) -> None:
    seen = pipeline.analyse(locked, as_of=AS_OF, password=PASSWORD)
    expected = pipeline.analyse(plain, as_of=AS_OF)
    assert seen.customers["customer_id"].tolist() == expected.customers["customer_id"].tolist()
    assert seen.customers["total_spent"].sum() == expected.customers["total_spent"].sum()


def test_without_a_password_the_error_says_how_to_give_one(locked: Path) -> None:
    with pytest.raises(WorkbookEncrypted) as caught:
        pipeline.analyse(locked)
    error = caught.value
    assert "--password" in str(error) and "SHEETCRM_PASSWORD" in str(error)
    assert "--password" in error.message_for("ja") and error.exit_code == 3


def test_a_wrong_password_is_a_clear_error(locked: Path) -> None:
    with pytest.raises(WrongPassword) as caught:
        pipeline.analyse(locked, password="ひみつ")
    error = caught.value
    assert isinstance(error, WorkbookEncrypted) and error.exit_code == 3
    assert "password does not open shop.xlsx" in str(error)
    assert "ひみつ" not in str(error) + error.message_for("ja")


def test_refresh_writes_it_back_encrypted_with_the_same_password(locked: Path) -> None:
    report = pipeline.refresh(locked, as_of=AS_OF, password=PASSWORD)
    assert crypto.is_encrypted(locked)
    assert report.backup is not None and crypto.is_encrypted(report.backup)
    assert stat.S_IMODE(report.backup.stat().st_mode) == 0o600
    plain = crypto.decrypted_content(locked, PASSWORD)
    scratch = locked.with_name("check.xlsx")
    scratch.write_bytes(plain)
    assert "summary" in generated_sheets(scratch).values()
    again = pipeline.refresh(locked, as_of=AS_OF, password=PASSWORD)  # reads its own tabs back
    assert set(again.tabs) <= set(report.tabs) and len(backups_of(locked)) == 2


def test_refresh_to_a_new_file_encrypts_that_too(locked: Path) -> None:
    out = locked.with_name("result.xlsx")
    before = locked.read_bytes()
    pipeline.refresh(locked, as_of=AS_OF, out=out, password=PASSWORD)
    assert crypto.is_encrypted(out) and locked.read_bytes() == before


def test_no_decrypted_copy_is_written_or_left_behind(
    locked: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[bytes] = []
    real_replace = atomic._replace

    def spy(source: str, target: Path) -> None:
        replaced.append(Path(source).read_bytes()[:8])
        real_replace(source, target)

    monkeypatch.setattr(atomic, "_replace", spy)
    pipeline.refresh(locked, as_of=AS_OF, password=PASSWORD)
    assert replaced == [CFB_MAGIC]  # what replaced the workbook was already encrypted
    assert list(private_tmp.iterdir()) == []
    left = [p for p in locked.parent.rglob("*") if p.is_file()]
    assert all(p.read_bytes()[:8] == CFB_MAGIC for p in left), left


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_refresh_leaves_the_workbook_and_no_plain_copy(
    locked: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch, interruption
) -> None:
    before = locked.read_bytes()

    def interrupted(*args, **kwargs):
        raise interruption()

    monkeypatch.setattr("sheetcrm.package.write.graft", interrupted)
    with pytest.raises(interruption):
        pipeline.refresh(locked, as_of=AS_OF, password=PASSWORD)
    assert locked.read_bytes() == before
    assert list(private_tmp.iterdir()) == []
    assert atomic.temp_files(locked) == []
    assert backups_of(locked) == []


def test_the_private_folder_is_owner_only_and_always_removed(private_tmp: Path) -> None:
    with pytest.raises(KeyboardInterrupt), private_dir() as folder:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        (folder / "rendered.xlsx").write_bytes(b"personal data")
        raise KeyboardInterrupt
    assert not folder.exists() and list(private_tmp.iterdir()) == []


def test_a_second_ctrl_c_does_not_stop_the_removal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "a").write_text("x")
    calls = []
    real = shutil.rmtree

    def rmtree(path, ignore_errors=False):
        calls.append(path)
        if len(calls) == 1:
            raise KeyboardInterrupt
        real(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    with pytest.raises(KeyboardInterrupt):
        remove_tree(folder)
    assert not folder.exists() and len(calls) == 2


def test_tampered_ciphertext_is_refused_as_damaged(locked: Path) -> None:
    data = bytearray(locked.read_bytes())
    data[-2000:-1990] = bytes(10)  # inside the EncryptedPackage stream
    locked.write_bytes(bytes(data))
    with pytest.raises(DamagedWorkbook):
        pipeline.analyse(locked, password=PASSWORD)


def _encrypted(tmp_path: Path, plain: bytes) -> Path:
    """Encrypt with msoffcrypto itself: sheetcrm's own helper would refuse hostile content."""
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "hostile.xlsx"
    with open(path, "wb") as out:
        OOXMLFile(io.BytesIO(plain)).encrypt(PASSWORD, out)
    return path


def test_a_hostile_package_inside_the_encryption_is_refused_too(tmp_path: Path) -> None:
    padding = {"xl/media/image1.png": os.urandom(8000)}  # msoffcrypto needs > 4 KB
    laughs = _encrypted(tmp_path, package({"xl/worksheets/sheet1.xml": billion_laughs()} | padding))
    with pytest.raises(UnsafeXML):
        pipeline.analyse(laughs, password=PASSWORD)
    big = b"<x>" + b" " * (64 << 20) + b"</x>"
    bomb = _encrypted(tmp_path, package({"xl/worksheets/sheet1.xml": big} | padding))
    with pytest.raises(ZipBomb):
        pipeline.analyse(bomb, password=PASSWORD)


def test_a_dtd_in_the_encryption_header_is_refused_before_msoffcrypto_parses_it(
    locked: Path,
) -> None:
    data = locked.read_bytes()
    declaration = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    dtd = b'<!DOCTYPE encryption [<!ENTITY a "aaaa">]>'
    assert declaration in data
    locked.write_bytes(data.replace(declaration, dtd.ljust(len(declaration)), 1))
    with pytest.raises(UnsafeXML, match="EncryptionInfo"):
        pipeline.analyse(locked, password=PASSWORD)


def test_encrypt_and_decrypt_helpers_round_trip(plain: Path) -> None:
    original = plain.read_bytes()
    locked = crypto.encrypt_workbook(plain, PASSWORD, out=plain.with_name("locked.xlsx"))
    assert plain.read_bytes() == original and crypto.is_encrypted(locked)
    with pytest.raises(WorkbookEncrypted, match="already"):
        crypto.encrypt_workbook(locked, PASSWORD)
    opened = crypto.decrypt_workbook(locked, PASSWORD, plain.with_name("opened.xlsx"))
    assert opened.read_bytes() == original
    assert stat.S_IMODE(opened.stat().st_mode) == 0o600
    with pytest.raises(UnsupportedFormat):
        crypto.decrypt_workbook(locked, PASSWORD, plain.with_name("opened.csv"))
    with pytest.raises(UnsupportedFormat, match="not password-protected"):
        crypto.decrypt_workbook(opened, PASSWORD, plain.with_name("again.xlsx"))


def test_an_encryption_that_would_not_reopen_is_never_used() -> None:
    tiny = package()  # under 4 KB: msoffcrypto 6.1 writes a file it cannot read back
    with pytest.raises(EncryptionFailed, match="nothing was written"):
        crypto.encrypt_bytes(tiny, PASSWORD, name="tiny.xlsx")


def test_the_corpus_workbook_encrypted_by_excel_opens_with_its_password() -> None:
    source = CORPUS / "pass_protected.xlsx"
    if not source.exists():
        pytest.skip("../shared/corpus not found")
    with pytest.raises(WrongPassword):
        pipeline.analyse(source, password="wrong")
    with pytest.raises(NoTableFound):  # decrypted fine; its only sheet is empty
        pipeline.analyse(source, password="123")


# --- the command line -------------------------------------------------------------------


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    import click

    from sheetcrm.cli import main
    from sheetcrm.cli_privacy import register

    group = click.Group(commands=dict(main.commands))
    register(group)
    monkeypatch.delenv("SHEETCRM_PASSWORD", raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(group, list(args), env=env)

    return invoke


def test_cli_encrypt_then_decrypt(run, plain: Path) -> None:
    result = run("encrypt", str(plain), "--lang", "en", env={"SHEETCRM_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "Encrypted" in result.output and crypto.is_encrypted(plain)
    out = plain.with_name("open.xlsx")
    result = run("decrypt", str(plain), "-o", str(out), "--password", "nope", "--lang", "en")
    assert result.exit_code == 3 and "password does not open" in result.output
    result = run("decrypt", str(plain), "-o", str(out), "--password", PASSWORD)
    assert result.exit_code == 0 and not crypto.is_encrypted(out)


def test_cli_encrypt_without_a_password_or_terminal_is_a_usage_error(run, plain: Path) -> None:
    result = run("encrypt", str(plain))
    assert result.exit_code == 2 and "SHEETCRM_PASSWORD" in result.output


def test_cli_asks_for_the_password_at_a_terminal(
    locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetcrm import cli_privacy

    monkeypatch.setattr(cli_privacy, "_interactive", lambda: True)
    monkeypatch.setattr(cli_privacy.click, "prompt", lambda *a, **k: PASSWORD)
    assert cli_privacy.password_for(locked, None) == PASSWORD
    assert cli_privacy.password_for(locked, "given") == "given"
    monkeypatch.setattr(cli_privacy, "_interactive", lambda: False)
    assert cli_privacy.password_for(locked, None) is None
