"""The Google Sheets commands: ``sync``, ``auth``, ``pull``, ``push`` and ``new --google``.

Each command parses options, calls one library function in :mod:`sheetcrm.gsheets`,
prints a summary (progress on stderr) and maps sheetcrm's errors to exit codes as
:mod:`sheetcrm.cli` does.  Nothing heavy is imported until a command runs, so
``sheetcrm --help`` stays instant (no gspread, no pandas).  :mod:`sheetcrm.cli` attaches
the commands to its group; the ``new`` command takes :data:`NEW_GOOGLE_OPTIONS` and
hands over to :func:`run_new_google`.

Testing aids: ``SHEETCRM_SHEETS_API_ROOT=http://127.0.0.1:8765`` sends every request to
a local fake (``python -m sheetcrm.fakesheets``), and ``--credentials`` may then name a
file holding ``{"type": "anonymous"}``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sheetcrm.cli_common import (
    AS_OF,
    LANG,
    PROGRESS,
    QUIET,
    fail,
    parse_as_of,
    show_progress,
    user_lang,
)
from sheetcrm.errors import SheetcrmError

if TYPE_CHECKING:
    from sheetcrm.gsheets.sync import SyncReport

CREDENTIALS = click.option(
    "--credentials",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SHEETCRM_CREDENTIALS",
    help="A service-account key (JSON), or an OAuth client of type 'Desktop app' "
    "(default: your saved sign-in, then Application Default Credentials). "
    "Also read from $SHEETCRM_CREDENTIALS.",
)
_STAGES = {
    "connect": ("connecting to Google", "Google に接続しています"),
    "read": ("reading the spreadsheet", "スプレッドシートを読み込んでいます"),
    "recognise": ("finding tables", "表を探しています"),
    "parse": ("reading cells", "セルを読み取っています"),
    "resolve": ("matching customers", "同じ顧客を照合しています"),
    "metrics": ("analysing customers", "顧客を分析しています"),
    "render": ("building tabs", "タブを作成しています"),
    "write": ("writing", "書き込んでいます"),
    "share": ("sharing", "共有しています"),
}


def _printer(enabled: bool, lang: str):
    def report(stage: str) -> None:
        if not enabled:
            return
        name, _, part = stage.partition(" ")
        en, ja = _STAGES.get(name, (name, name))
        text = ja if lang == "ja" else en
        click.echo(f"… {text}{' ' + part if part else ''}", err=True)

    return report


@click.command()
@click.argument("spreadsheet", metavar="SPREADSHEET")
@CREDENTIALS
@AS_OF
@LANG
@click.option("--dry-run", is_flag=True, help="Read and analyse, but write nothing.")
@click.option(
    "--keep-identical-rows",
    is_flag=True,
    help="Count sales rows that are identical in every cell as separate sales.",
)
@QUIET
@PROGRESS
def sync(
    spreadsheet: str,
    credentials: Path | None,
    as_of: str | None,
    lang: str | None,
    dry_run: bool,
    keep_identical_rows: bool,
    quiet: bool,
    progress: bool | None,
) -> None:
    """Analyse a Google Sheet and write the analysis tabs into it.

    SPREADSHEET is the sheet's URL (copy it from the browser) or its key.  The same
    tabs as `sheetcrm refresh` are written — Summary, Customer analysis, one per
    segment, Data issues, Duplicate candidates — in one all-or-nothing update.  Your
    own tabs, and tabs of ours you renamed or edited, are never changed.

    \b
    Examples:
      sheetcrm sync https://docs.google.com/spreadsheets/d/1AbC.../edit --credentials key.json
      sheetcrm sync 1AbC... --as-of 2024-12-31 --dry-run
    """
    from sheetcrm.gsheets.sync import sync as run_sync

    message_lang = user_lang(lang)
    try:
        report = run_sync(
            spreadsheet,
            credentials=credentials,
            as_of=parse_as_of(as_of),
            lang=lang,
            dry_run=dry_run,
            keep_identical_rows=keep_identical_rows or None,
            progress=_printer(show_progress(progress, quiet), message_lang),
        )
    except SheetcrmError as error:
        fail(error, lang)
    if quiet:
        return
    for line in sync_summary(report):
        click.echo(line)


def sync_summary(report: SyncReport) -> list[str]:
    """The lines ``sheetcrm sync`` prints after the analysis summary."""
    from sheetcrm.cli import _summary_lines

    analysis = report.analysis
    ja = analysis.lang == "ja"
    lines = _summary_lines(analysis)
    tabs = ", ".join(report.tabs)
    calls = report.request_count
    if report.dry_run:
        lines.append(
            f"（--dry-run のため書き込みはしていません。書き込むタブ: {tabs}）"
            if ja
            else f"(dry run: nothing written; would write {tabs})"
        )
    else:
        lines.append(
            f"書き込み先: {report.title} — {tabs}" if ja else f"Wrote {report.title}: {tabs}"
        )
        lines.append(
            f"Google へのリクエスト: {calls} 回（書き込み {report.write_requests} 回）"
            if ja
            else f"Google requests: {calls} ({report.write_requests} write)"
        )
    if report.removed:
        removed = ", ".join(report.removed)
        lines.append(f"削除したタブ: {removed}" if ja else f"Removed tabs: {removed}")
    for notice in report.notices:
        lines.append(("注意: " if ja else "Note: ") + notice.text(analysis.lang))
    lines.append(report.url)
    return lines


@click.command()
@click.argument("spreadsheet", required=False, metavar="[SPREADSHEET]")
@CREDENTIALS
@LANG
def auth(spreadsheet: str | None, credentials: Path | None, lang: str | None) -> None:
    """Check the Google set-up: credentials, sharing, and that the Sheets API answers.

    \b
    Three ways to sign in:
      1. A service account (for a shop's shared sheet or a scheduled job):
         create one in the Google Cloud console, enable the Google Sheets API,
         download a JSON key, and share the spreadsheet with the account's e-mail.
           sheetcrm auth --credentials key.json SPREADSHEET_URL
      2. Your own Google account: create an OAuth client of type "Desktop app",
         download it, and sign in once (a browser window opens; the sign-in is
         saved, readable only by you, in your config folder).
           sheetcrm auth --credentials client_secret.json
      3. Application Default Credentials (gcloud auth application-default login).

    With SPREADSHEET, also checks that this spreadsheet can be opened.
    """
    from sheetcrm.gsheets.check import check_setup

    message_lang = user_lang(lang)
    ja = message_lang == "ja"
    try:
        result = check_setup(credentials, spreadsheet)
    except SheetcrmError as error:
        fail(error, message_lang)
    account = result.account
    click.echo(("認証情報: " if ja else "Credentials: ") + account.describe(message_lang))
    for warning in account.warnings:
        click.echo(("注意: " if ja else "Warning: ") + warning)
    if account.kind == "service_account" and account.email:
        click.echo(
            f"スプレッドシートを {account.email} と共有してください（編集者）。"
            if ja
            else f"Share your spreadsheets with {account.email} (as Editor)."
        )
    click.echo("Google Sheets API: OK" + ("（応答あり）" if ja else " (it answered)"))
    if result.title is not None:
        click.echo(
            f"スプレッドシート「{result.title}」を開けました（タブ {result.tabs} 個）。"
            if ja
            else f"Opened the spreadsheet '{result.title}' ({result.tabs} tabs)."
        )
    if result.error is not None:
        click.echo(result.error.message_for(message_lang), err=True)
        sys.exit(result.error.exit_code)


@click.command()
@click.argument("spreadsheet", metavar="SPREADSHEET")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new .xlsx to write.",
)
@click.option("--force", is_flag=True, help="Overwrite OUT if it already exists.")
@CREDENTIALS
@QUIET
def pull(spreadsheet: str, out: Path, force: bool, credentials: Path | None, quiet: bool) -> None:
    """Copy a Google Sheet's own tabs into a new Excel workbook.

    Values keep their type (text, numbers, dates), with frozen rows, column widths
    and drop-downs; sheetcrm's generated tabs are left out (run `sheetcrm refresh`
    on the workbook to make them), but remembered duplicate decisions come along.

    \b
    Example:
      sheetcrm pull https://docs.google.com/spreadsheets/d/1AbC.../edit -o shop.xlsx
    """
    from sheetcrm.gsheets.transfer import pull as run_pull

    lang = user_lang(None)
    try:
        report = run_pull(spreadsheet, out, credentials=credentials, overwrite=force)
    except SheetcrmError as error:
        fail(error, lang)
    if not quiet:
        tabs = ", ".join(report.tabs)
        click.echo(f"{out} に書き出しました: {tabs}" if lang == "ja" else f"Wrote {out}: {tabs}")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("spreadsheet", metavar="SPREADSHEET")
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite tabs of the spreadsheet that have the same name as the workbook's.",
)
@CREDENTIALS
@QUIET
def push(
    path: Path, spreadsheet: str, replace: bool, credentials: Path | None, quiet: bool
) -> None:
    """Copy an Excel workbook's own tabs into a Google Sheet.

    sheetcrm's generated tabs are left out (run `sheetcrm sync` afterwards to make
    them); remembered duplicate decisions come along.  A tab name the spreadsheet
    already has stops the push — nothing is written — unless --replace is given.

    \b
    Example:
      sheetcrm push shop.xlsx https://docs.google.com/spreadsheets/d/1AbC.../edit
      sheetcrm sync https://docs.google.com/spreadsheets/d/1AbC.../edit
    """
    from sheetcrm.gsheets.transfer import push as run_push

    lang = user_lang(None)
    try:
        report = run_push(path, spreadsheet, credentials=credentials, replace=replace)
    except SheetcrmError as error:
        fail(error, lang)
    if not quiet:
        tabs = ", ".join(report.tabs)
        click.echo(f"送信しました: {tabs}" if lang == "ja" else f"Pushed: {tabs}")
        click.echo(report.url)


def _new_google_options(function: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--google",
                is_flag=True,
                help="Create the template as a new Google Sheet instead of a file "
                "(PATH, if given, is its title).",
            ),
            click.option(
                "--share",
                metavar="EMAIL",
                help="With --google: share the new spreadsheet with this e-mail (as Editor).",
            ),
            CREDENTIALS,
        ]
    ):
        function = option(function)
    return function


#: Decorator adding ``--google``, ``--share`` and ``--credentials`` to ``sheetcrm new``.
NEW_GOOGLE_OPTIONS = _new_google_options


def run_new_google(
    *,
    title: str | None,
    lang: str,
    sample: bool,
    share: str | None,
    credentials: Path | None,
) -> None:
    """``sheetcrm new --google``: create the template spreadsheet and print its URL."""
    from sheetcrm.gsheets.transfer import create_spreadsheet

    try:
        report = create_spreadsheet(
            lang=lang, sample=sample, title=title, share=share, credentials=credentials
        )
    except SheetcrmError as error:
        fail(error, lang)
    ja = lang == "ja"
    click.echo("スプレッドシートを作成しました:" if ja else "Created spreadsheet:")
    click.echo(report.url)
    if report.shared_with:
        click.echo(
            f"{report.shared_with} と共有しました。" if ja else f"Shared with {report.shared_with}."
        )


__all__ = ["NEW_GOOGLE_OPTIONS", "auth", "pull", "push", "run_new_google", "sync"]
