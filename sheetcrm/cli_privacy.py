"""``sheetcrm encrypt`` / ``decrypt`` / ``forget``, and the ``--password`` option.

Attached to the main group by :func:`register` (``register(main)`` at the end of
:mod:`sheetcrm.cli`).  Commands that read a workbook take :data:`PASSWORD` and resolve
it with :func:`password_for`: the option, else ``SHEETCRM_PASSWORD``, else a hidden
prompt when the file is encrypted and stdin is a terminal.  As in :mod:`sheetcrm.cli`,
each command parses options, calls one library function and prints the result;
errors exit with their ``exit_code`` (3: cannot read or write, wrong password).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sheetcrm.cli_common import fail, user_lang
from sheetcrm.crypto import PASSWORD_ENV, is_encrypted
from sheetcrm.errors import SheetcrmError

if TYPE_CHECKING:
    from sheetcrm.forget import ForgetReport

PASSWORD = click.option(
    "--password",
    envvar=PASSWORD_ENV,
    show_envvar=True,
    metavar="TEXT",
    help="Password of an encrypted workbook. Safer: set SHEETCRM_PASSWORD, or leave both "
    "out and type it when asked (other users of this computer can see command lines).",
)


NEW_PASSWORD = click.option(
    "--password",
    envvar=PASSWORD_ENV,
    show_envvar=True,
    metavar="TEXT",
    help="The password to set. Safer: set SHEETCRM_PASSWORD, or leave both out and type "
    "it twice when asked (other users of this computer can see command lines).",
)


def _interactive() -> bool:
    return sys.stdin.isatty()


def password_for(path: Path, given: str | None, *, lang: str | None = None) -> str | None:
    """The password to open ``path``: ``given``, else asked for when it is encrypted."""
    if given is not None or not is_encrypted(path) or not _interactive():
        return given
    ja = user_lang(lang) == "ja"
    return click.prompt(
        f"{path.name} のパスワード" if ja else f"Password for {path.name}",
        hide_input=True,
        err=True,
    )


def _new_password(path: Path, given: str | None, lang: str | None) -> str:
    if given:
        return given
    if not _interactive():
        raise click.UsageError(f"Give the new password with --password or {PASSWORD_ENV}.")
    ja = user_lang(lang) == "ja"
    return click.prompt(
        f"{path.name} に設定するパスワード" if ja else f"New password for {path.name}",
        hide_input=True,
        confirmation_prompt=True,
        err=True,
    )


LANG = click.option(
    "--lang", type=click.Choice(["ja", "en"]), help="Language of messages (default: your locale)."
)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the encrypted workbook here and leave PATH as it is.",
)
@NEW_PASSWORD
@LANG
def encrypt(path: Path, out: Path | None, password: str | None, lang: str | None) -> None:
    """Protect PATH with a password, as Excel's "Encrypt with Password" does.

    PATH is replaced in place (no unencrypted backup is kept) unless -o is
    given. sheetcrm refresh, check and export then need the password; refresh
    writes the workbook back encrypted with the same password, backups included.

    \b
    Examples:
      sheetcrm encrypt shop.xlsx                # asks for the password twice
      SHEETCRM_PASSWORD=… sheetcrm encrypt shop.xlsx -o shop-locked.xlsx
    """
    from sheetcrm.crypto import encrypt_workbook

    try:
        written = encrypt_workbook(path, _new_password(path, password, lang), out=out)
    except SheetcrmError as error:
        fail(error, lang)
    ja = user_lang(lang) == "ja"
    click.echo(f"暗号化しました: {written}" if ja else f"Encrypted: {written}")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the decrypted copy (readable by you only).",
)
@PASSWORD
@LANG
def decrypt(path: Path, out: Path, password: str | None, lang: str | None) -> None:
    """Write a copy of the encrypted PATH without its password to OUT.

    \b
    The copy holds your customers' personal data unprotected: delete it when done.

    \b
    Example:
      sheetcrm decrypt shop.xlsx -o shop-open.xlsx
    """
    from sheetcrm.crypto import decrypt_workbook

    try:
        written = decrypt_workbook(path, password_for(path, password, lang=lang) or "", out)
    except SheetcrmError as error:
        fail(error, lang)
    ja = user_lang(lang) == "ja"
    click.echo(f"復号したコピー: {written}" if ja else f"Decrypted copy: {written}")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("who", metavar="EMAIL|ID")
@click.option("--undo", is_flag=True, help="Take the person off the list again.")
@click.option(
    "--no-backup",
    is_flag=True,
    help="Do not keep a copy of the previous version in .sheetcrm/backups/.",
)
@PASSWORD
@LANG
def forget(
    path: Path, who: str, undo: bool, no_backup: bool, password: str | None, lang: str | None
) -> None:
    """Remove a person from every tab sheetcrm generated in PATH, for good.

    \b
    EMAIL|ID is their e-mail address or customer ID. The generated tabs are
    rewritten without them and a hidden tab remembers to leave them out on every
    later refresh (as keyed hashes, not their address). Your own sheets are not
    changed: the rows that still hold their data are listed, masked, for you to
    delete or keep.

    \b
    Examples:
      sheetcrm forget shop.xlsx taro@example.com
      sheetcrm forget shop.xlsx C0012 --undo
    """
    from sheetcrm.forget import forget as run_forget

    try:
        report = run_forget(
            path,
            who,
            undo=undo,
            password=password_for(path, password, lang=lang),
            backup=not no_backup,
        )
    except SheetcrmError as error:
        fail(error, lang)
    for line in forget_lines(report, user_lang(lang)):
        click.echo(line)


_FORGET_TEXT = {
    "undone": (
        "{who} is off the list; the next refresh includes them again.",
        "{who} を除外リストから外しました。次の refresh から再び集計に含まれます。",
    ),
    "not_listed": ("{who} was not on the list.", "{who} は除外リストにありません。"),
    "found": (
        "{who} removed from every tab sheetcrm generates ({customers} customer(s)).",
        "{who} を sheetcrm の生成タブから除きました（顧客 {customers} 人）。",
    ),
    "not_found": (
        "No row matches {who}; rows added later will be left out.",
        "{who} に当たる行は見つかりませんでした。今後この人の行が増えても除外します。",
    ),
    "rows": (
        "Your own sheets still hold their data in these rows (delete or keep them):",
        "あなたのシートにはまだこの人のデータがあります（削除するかはご判断ください）:",
    ),
}


def forget_lines(report: ForgetReport, lang: str) -> list[str]:
    """What ``sheetcrm forget`` prints (masked values only)."""

    def text(key: str) -> str:
        en, ja = _FORGET_TEXT[key]
        return (ja if lang == "ja" else en).format(who=report.who, customers=report.customers)

    if report.undone:
        return [text("undone" if report.found else "not_listed")]
    lines = [text("found" if report.found else "not_found")]
    if report.rows:
        lines.append(text("rows"))
        for row in report.rows:
            cells = ", ".join(f"{column}: {value}" for column, value in row.cells)
            lines.append(f"  {row.ref}" + (f"  ({cells})" if cells else ""))
    return lines


def register(group: click.Group) -> None:
    """Add ``encrypt``, ``decrypt`` and ``forget`` to the ``sheetcrm`` group."""
    for command in (encrypt, decrypt, forget):
        group.add_command(command)
