"""Open and save password-protected workbooks without a decrypted copy on disk.

Excel's *File > Info > Protect Workbook > Encrypt with Password* stores the .xlsx zip
encrypted (ECMA-376 Agile Encryption: AES-256, SHA-512, 100,000 key-derivation rounds)
inside an OLE compound file.  msoffcrypto-tool does the cryptography; this module keeps
every decrypted byte in memory::

    plain = decrypted_content(path, password)    # bytes, or None if not encrypted
    sealed = encrypt_bytes(plain, password, name=path.name)

The reader hands the bytes to fastexcel and the writer grafts into an in-memory zip and
encrypts the result before the atomic replace (:mod:`sheetcrm.package.write`), so the
workbook, its backup and ``-o`` copies stay encrypted.  The decrypted package is run
through :mod:`sheetcrm.guard` like any file, and the ``EncryptionInfo`` XML is checked
for DTDs before msoffcrypto parses it.  Every encryption is decrypted again and compared
before it is used: msoffcrypto 6.1 writes unreadable files for packages under 4 KB
(its mini-stream), and a workbook we cannot reopen must never replace the seller's.

Python cannot wipe memory, so decrypted bytes live until garbage-collected; they are
never written to a file, a log or an error message.  The password is never stored.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from sheetcrm.errors import (
    DamagedWorkbook,
    EncryptionFailed,
    UnsupportedFormat,
    WorkbookEncrypted,
    WorkbookNotFound,
    WrongPassword,
)
from sheetcrm.guard import CFB_MAGIC, check_xml_prologue, inspect_bytes

#: The environment variable the command line reads a password from.
PASSWORD_ENV = "SHEETCRM_PASSWORD"
#: Encrypted workbooks sheetcrm can read (an encrypted .xls uses older, other schemes).
ENCRYPTED_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb"})
_MAX_INFO_BYTES = 1 << 20  # the EncryptionInfo stream is ~1 KB in real files


def is_encrypted(path: Path) -> bool:
    """True when ``path`` is an encrypted Office workbook (an OLE file with EncryptionInfo)."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            if f.read(8) != CFB_MAGIC:
                return False
    except OSError:
        return False
    return path.suffix.lower() in ENCRYPTED_SUFFIXES


def decrypted_content(path: Path, password: str | None) -> bytes | None:
    """The decrypted package of ``path`` in memory, or None when it is not encrypted.

    Raises WorkbookEncrypted when it is and no password was given, WrongPassword when
    the password does not open it, and the guard's errors for a hostile package.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkbookNotFound(f"{path} does not exist.", message_ja=f"{path} が見つかりません。")
    if not is_encrypted(path):
        return None
    if password is None:
        raise password_required(path.name)
    return decrypt_bytes(path.read_bytes(), password, name=path.name)


def decrypt_bytes(data: bytes, password: str, *, name: str) -> bytes:
    """Decrypt an encrypted workbook held in ``data`` and guard it; ``name`` is for messages."""
    content = _decrypt(data, password, name)
    inspect_bytes(content, name)
    return content


def _decrypt(data: bytes, password: str, name: str) -> bytes:
    import msoffcrypto.exceptions as crypto_errors
    from msoffcrypto.format.ooxml import OOXMLFile

    _check_encryption_info(data, name)
    try:
        office = OOXMLFile(io.BytesIO(data))
        if office.type not in ("agile", "standard"):
            raise _unsupported_encryption(name)
        office.load_key(password=password, verify_password=True)
        plain = io.BytesIO()
        office.decrypt(plain, verify_integrity=office.type == "agile")
    except crypto_errors.InvalidKeyError as error:
        if "integrity" in str(error).lower():  # the password was right, the data is not
            raise _damaged(name) from None
        raise wrong_password(name) from None
    except (crypto_errors.DecryptionError, crypto_errors.FileFormatError) as error:
        raise _unsupported_encryption(name) from error
    except (WorkbookEncrypted, DamagedWorkbook):
        raise
    except Exception as error:  # olefile and struct errors on a damaged container
        raise _damaged(name) from error
    return plain.getvalue()


def encrypt_bytes(plain: bytes, password: str, *, name: str) -> bytes:
    """Encrypt the workbook package ``plain`` with ``password`` (Agile, as Excel does)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    if not password:
        raise EncryptionFailed(
            f"{name} was not encrypted: the password is empty.",
            message_ja=f"{name} を暗号化しませんでした: パスワードが空です。",
        )
    try:
        sealed = io.BytesIO()
        OOXMLFile(io.BytesIO(plain)).encrypt(password, sealed)
        data = sealed.getvalue()
        reopened = _decrypt(data, password, name)
    except Exception as error:
        raise _encryption_failed(name) from error
    if reopened != plain:
        raise _encryption_failed(name)
    return data


def encrypt_workbook(path: Path, password: str, *, out: Path | None = None) -> Path:
    """Encrypt ``path`` (in place, or into ``out``); the file is replaced atomically.

    No plain backup is kept: that would leave the very copy encryption is meant to remove.
    """
    from sheetcrm.package.atomic import write_atomically
    from sheetcrm.package.checks import check_not_locked, check_package

    path = Path(path)
    target = Path(out) if out is not None else path
    if is_encrypted(path):
        raise WorkbookEncrypted(
            f"{path.name} is already password-protected.",
            message_ja=f"{path.name} はすでにパスワードで保護されています。",
        )
    check_package(path)
    check_not_locked(target)
    sealed = encrypt_bytes(path.read_bytes(), password, name=path.name)
    mode = os.stat(target if target.exists() else path).st_mode & 0o777
    write_atomically(target, lambda f: f.write(sealed), mode=mode)
    return target


def decrypt_workbook(path: Path, password: str, out: Path) -> Path:
    """Write the decrypted workbook ``path`` to ``out`` (readable by its owner only)."""
    from sheetcrm.package.atomic import write_atomically
    from sheetcrm.package.checks import check_not_locked

    path, out = Path(path), Path(out)
    if out.suffix.lower() != path.suffix.lower():
        raise UnsupportedFormat(
            f"Write the decrypted workbook to a {path.suffix} file, not '{out.name}'.",
            message_ja=f"復号したブックは {path.suffix} ファイルに書き出してください"
            f"（「{out.name}」は不可）。",
        )
    plain = decrypted_content(path, password)
    if plain is None:
        raise UnsupportedFormat(
            f"{path.name} is not password-protected; there is nothing to decrypt.",
            message_ja=f"{path.name} はパスワードで保護されていません。復号は不要です。",
        )
    check_not_locked(out)
    write_atomically(out, lambda f: f.write(plain), mode=0o600)
    return out


def _check_encryption_info(data: bytes, name: str) -> None:
    """Refuse a DTD in the EncryptionInfo XML before msoffcrypto's minidom parses it."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        try:
            if not ole.exists("EncryptionInfo") or not ole.exists("EncryptedPackage"):
                raise _unsupported_encryption(name)
            if ole.get_size("EncryptionInfo") > _MAX_INFO_BYTES:
                raise _damaged(name)
            info = ole.openstream("EncryptionInfo").read(_MAX_INFO_BYTES)
        finally:
            ole.close()
    except (WorkbookEncrypted, DamagedWorkbook):
        raise
    except Exception as error:
        raise _damaged(name) from error
    check_xml_prologue(info[8:], name, "EncryptionInfo")


def password_required(name: str) -> WorkbookEncrypted:
    return WorkbookEncrypted(
        f"{name} is password-protected. Give its password with --password, or set "
        f"{PASSWORD_ENV}, or run sheetcrm in a terminal to be asked for it.",
        message_ja=f"{name} はパスワードで保護されています。--password でパスワードを"
        f"指定するか、環境変数 {PASSWORD_ENV} に設定するか、ターミナルで実行して"
        "入力してください。",
    )


def wrong_password(name: str) -> WrongPassword:
    return WrongPassword(
        f"The password does not open {name}. Check it (upper/lower case, full-width "
        "characters) and try again.",
        message_ja=f"パスワードが違うため {name} を開けません。大文字・小文字や全角・半角を"
        "確かめて、もう一度お試しください。",
    )


def _unsupported_encryption(name: str) -> WorkbookEncrypted:
    return WorkbookEncrypted(
        f"{name} is protected with an encryption sheetcrm cannot open. Save a copy "
        "without a password in Excel and run sheetcrm on that.",
        message_ja=f"{name} は sheetcrm が開けない方式で暗号化されています。Excel で"
        "パスワードなしのコピーを保存し、そのコピーでお試しください。",
    )


def _damaged(name: str) -> DamagedWorkbook:
    return DamagedWorkbook(
        f"{name} is damaged: its encrypted contents are incomplete or were altered. It was "
        "not opened further. Use a backup copy.",
        message_ja=f"{name} は壊れています（暗号化された中身が欠けているか、改変されています）。"
        "これ以上は開きませんでした。バックアップをお使いください。",
    )


def _encryption_failed(name: str) -> EncryptionFailed:
    return EncryptionFailed(
        f"{name} could not be encrypted so that it opens again, so nothing was written. "
        "Your workbook is unchanged.",
        message_ja=f"{name} を開き直せる形で暗号化できなかったため、何も書き込んでいません。"
        "ブックは元のままです。",
    )
