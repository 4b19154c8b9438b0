"""The ``sheetcrm`` command: parses options, calls one library function, prints a summary.

Heavy modules (pandas, fastexcel, xlsxwriter) are imported inside the commands so that
``sheetcrm --help`` stays instant.  Exit codes: 0 success, 1 ``check`` found errors,
2 bad usage or option, 3 the file or spreadsheet cannot be read or written (locked,
wrong or missing password, not a workbook, damaged or hostile, changed on disk, a
Google spreadsheet not shared or over quota), 4 no recognisable table.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

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
from sheetcrm.cli_google import NEW_GOOGLE_OPTIONS, auth, pull, push, run_new_google, sync
from sheetcrm.cli_privacy import PASSWORD, password_for, register
from sheetcrm.errors import InvalidOption, SheetcrmError

if TYPE_CHECKING:
    from sheetcrm.analysis import Analysis

EXIT_CHECK_FAILED = 1


#: The stages of a refresh, in order, with what the progress bar says during each.
STAGES = {
    "read": ("reading workbook", "ブックを読み込み中"),
    "recognise": ("finding tables", "表を探しています"),
    "parse": ("reading cells", "セルを読み取り中"),
    "resolve": ("matching customers", "同じ顧客を照合中"),
    "metrics": ("analysing customers", "顧客を分析中"),
    "build": ("building tabs", "タブを作成中"),
    "render": ("formatting tabs", "タブを整形中"),
    "write": ("writing", "書き込み中"),
}


class _StageBar:
    """A progress bar over the refresh stages, on stderr (stdout stays for results)."""

    def __init__(self, enabled: bool, lang: str) -> None:
        self.enabled = enabled
        self.lang = lang
        self.bar = None
        self.done = 0

    def __call__(self, stage: str) -> None:
        if not self.enabled:
            return
        en, ja = STAGES.get(stage, (stage, stage))
        if self.bar is None:
            self.bar = click.progressbar(
                length=len(STAGES),
                label=ja if self.lang == "ja" else en,
                file=sys.stderr,
                show_percent=False,
                show_pos=False,
                width=20,
                item_show_func=lambda _: None,
            )
            self.bar.__enter__()
        self.bar.label = ja if self.lang == "ja" else en
        if self.done:
            self.bar.update(1)
        self.done += 1
        self.bar.render_progress()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(len(STAGES) - self.done + 1)
            self.bar.__exit__(None, None, None)
            self.bar = None


KEEP_IDENTICAL = click.option(
    "--keep-identical-rows",
    is_flag=True,
    help="Count sales rows that are identical in every cell as separate sales "
    "(by default they are reported and counted once).",
)
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in sheetcrm, not a problem with the file


class _GuardedGroup(click.Group):
    """Turns an unexpected exception (a bug) into a short message instead of a traceback.

    The exception's text may quote a cell, i.e. a customer's data, so without
    ``--debug`` only its type is shown; ``--debug`` shows the traceback with e-mail
    addresses and phone numbers masked (unless ``--show-pii`` is also given).
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("sheetcrm: interrupted; your workbook was not changed.", err=True)
            sys.exit(130)
        except Exception as error:  # the last line of defence: any bug ends here
            debug = (ctx.obj or {}).get("debug", False)
            show_pii = (ctx.obj or {}).get("show_pii", False)
            if debug:
                import traceback

                text = "".join(traceback.format_exception(error))
                click.echo(text if show_pii else _mask_personal_data(text), err=True)
            lang = user_lang()
            message = (
                f"sheetcrm の内部エラーです（{type(error).__name__}）。ブックは変更していません。"
                "--debug を付けて再実行すると詳細が表示されます。"
                if lang == "ja"
                else f"sheetcrm hit an internal error ({type(error).__name__}); your workbook "
                "was not changed. Run again with --debug for details."
            )
            click.echo(f"sheetcrm: {message}", err=True)
            sys.exit(EXIT_INTERNAL_ERROR)


_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d -]{7,}\d")


def _mask_personal_data(text: str) -> str:
    """Mask e-mail addresses and phone numbers found anywhere in ``text``."""
    from sheetcrm.privacy import mask_email, mask_phone

    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


@click.group(cls=_GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sheetcrm")
@click.option(
    "--debug",
    is_flag=True,
    help="On an internal error, show the traceback "
    "(e-mails and phone numbers masked unless --show-pii).",
)
@click.option(
    "--show-pii",
    "show_pii_globally",
    is_flag=True,
    help="With --debug: do not mask personal data in the traceback.",
)
@click.pass_context
def main(ctx: click.Context, debug: bool, show_pii_globally: bool) -> None:
    """Customer analysis for sellers who keep their customers in Excel.

    \b
    Start with a template, or point sheetcrm at the workbook you already have:
      sheetcrm new shop.xlsx --sample      # a template with demo data (Japanese)
      sheetcrm refresh shop.xlsx           # add analysis tabs to your workbook
      sheetcrm check shop.xlsx             # only list data problems
      sheetcrm export shop.xlsx --table customers --format csv -o customers.csv

    Your own sheets are never changed: refresh only adds (and on the next run
    replaces) the tabs it made, and keeps a backup in .sheetcrm/backups/.
    """
    ctx.obj = {"debug": debug, "show_pii": show_pii_globally}


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="ja",
    show_default=True,
    help="Language of the template's tabs, headers and drop-downs.",
)
@click.option("--sample", is_flag=True, help="Fill the template with realistic demo data.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it already exists.")
@NEW_GOOGLE_OPTIONS
def new(
    path: Path | None,
    lang: str,
    sample: bool,
    force: bool,
    google: bool,
    share: str | None,
    credentials: Path | None,
) -> None:
    """Create a fresh template workbook at PATH.

    \b
    The template has a how-to tab and three tables, with drop-downs for status,
    activity type, gender and e-mail opt-in:
      顧客 / Customers     one row per customer
      注文 / Orders        one row per order (the sales log)
      対応履歴 / Activities inquiries, document requests, DMs sent, calls…

    \b
    Example:
      sheetcrm new shop.xlsx --sample && sheetcrm refresh shop.xlsx
    """
    if google:
        title = str(path) if path is not None else None
        run_new_google(title=title, lang=lang, sample=sample, share=share, credentials=credentials)
        return
    if path is None:
        raise click.UsageError("Give the new workbook's PATH, or use --google.")
    if share:
        raise click.UsageError("--share only works with --google.")
    from sheetcrm.template import new_workbook

    try:
        written = new_workbook(path, lang=lang, sample=sample, overwrite=force)  # type: ignore[arg-type]
    except SheetcrmError as error:
        fail(error, lang)
    message = "テンプレートを作成しました" if lang == "ja" else "Created template"
    click.echo(f"{message}: {written}")


def _analyse_or_fail(
    path: Path, password: str | None, as_of: str | None, lang: str | None, keep_identical: bool
) -> Analysis:
    """Read and analyse PATH for ``check`` and ``export``; a SheetcrmError ends the command."""
    from sheetcrm.pipeline import analyse

    try:
        return analyse(
            path,
            password=password_for(path, password, lang=lang),
            as_of=parse_as_of(as_of),
            lang=lang,
            keep_identical_rows=keep_identical or None,
        )
    except SheetcrmError as error:
        fail(error, lang)


def _summary_lines(analysis: Analysis) -> list[str]:
    from sheetcrm.segments import segment_by_key

    ja = analysis.lang == "ja"
    rows = analysis.rows_read()
    issues = analysis.issue_counts()
    buyers = int(analysis.customers["orders"].fillna(0).gt(0).sum())
    lines = [
        (
            f"基準日 {analysis.as_of:%Y/%m/%d}: 読み込んだ行 — 顧客 {rows['customers']}、"
            f"注文 {rows['orders']}、対応履歴 {rows['activities']}"
        )
        if ja
        else (
            f"As of {analysis.as_of:%Y-%m-%d}: rows read — customers {rows['customers']}, "
            f"orders {rows['orders']}, activities {rows['activities']}"
        ),
        (
            f"顧客 {len(analysis.customers)} 人（購入あり {buyers} 人、統合 "
            f"{analysis.resolution.merges} 件、重複候補 {len(analysis.resolution.candidates)} 組）"
        )
        if ja
        else (
            f"Customers: {len(analysis.customers)} ({buyers} bought; {analysis.resolution.merges} "
            f"merged; {len(analysis.resolution.candidates)} duplicate candidates)"
        ),
        (f"データの問題: エラー {issues['error']}、注意 {issues['warning']}、情報 {issues['info']}")
        if ja
        else (
            f"Data issues: {issues['error']} errors, {issues['warning']} warnings, "
            f"{issues['info']} notes"
        ),
    ]
    counts = analysis.segment_counts()
    segments = ", ".join(
        f"{segment_by_key(k).label(analysis.lang)} {v}"
        for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    lines.append(("セグメント: " if ja else "Segments: ") + segments)
    return lines


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@AS_OF
@LANG
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result to this new .xlsx and leave PATH untouched "
    "(required for .xls, .xlsb and .ods input).",
)
@click.option("--dry-run", is_flag=True, help="Analyse and report, but write nothing.")
@click.option(
    "--no-backup",
    is_flag=True,
    help="Do not keep a copy of the previous version in .sheetcrm/backups/.",
)
@KEEP_IDENTICAL
@QUIET
@PROGRESS
@PASSWORD
def refresh(
    path: Path,
    as_of: str | None,
    lang: str | None,
    out: Path | None,
    dry_run: bool,
    no_backup: bool,
    keep_identical_rows: bool,
    quiet: bool,
    progress: bool | None,
    password: str | None,
) -> None:
    """Analyse PATH and write the analysis tabs into it.

    \b
    sheetcrm finds your customer list, sales log and activity log wherever they
    are (title rows and Japanese or English headers are fine), reports every cell
    it cannot read, merges rows that are the same customer, computes recency /
    frequency / monetary figures and writes these tabs after your own:
      Summary, Customer analysis, one tab per segment, Data issues,
      Duplicate candidates.
    Running it again replaces only those tabs. Close the file in Excel first.

    \b
    Examples:
      sheetcrm refresh shop.xlsx
      sheetcrm refresh shop.xlsx --as-of 2024-12-31 --lang en
      sheetcrm refresh old.xls -o analysed.xlsx
    """
    from sheetcrm.pipeline import refresh as run_refresh

    progress_bar = _StageBar(show_progress(progress, quiet), user_lang(lang))
    try:
        report = run_refresh(
            path,
            password=password_for(path, password, lang=lang),
            as_of=parse_as_of(as_of),
            lang=lang,
            out=out,
            backup=not no_backup,
            dry_run=dry_run,
            keep_identical_rows=keep_identical_rows or None,
            progress=progress_bar,
        )
    except SheetcrmError as error:
        progress_bar.close()
        fail(error, lang)
    progress_bar.close()
    if quiet:
        return
    analysis = report.analysis
    ja = analysis.lang == "ja"
    for line in _summary_lines(analysis):
        click.echo(line)
    if report.written_to is None:
        click.echo(
            "（--dry-run のため書き込みはしていません）" if ja else "(dry run: nothing written)"
        )
    else:
        tabs = ", ".join(report.tabs)
        click.echo(
            f"書き込み先: {report.written_to} — {tabs}"
            if ja
            else f"Wrote {report.written_to}: {tabs}"
        )


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@AS_OF
@LANG
@KEEP_IDENTICAL
@click.option(
    "--max-issues", default=50, show_default=True, help="How many issues to list (all are counted)."
)
@click.option(
    "--show-pii",
    is_flag=True,
    help="Show e-mails and phone numbers in full (masked by default: t***@example.com).",
)
@PASSWORD
def check(
    path: Path,
    as_of: str | None,
    lang: str | None,
    keep_identical_rows: bool,
    max_issues: int,
    show_pii: bool,
    password: str | None,
) -> None:
    """Validate PATH and list data problems; change nothing.

    Exits with status 1 when errors (rows that cannot be counted) were found, so it
    can guard a script.  Each problem names its sheet, row and column.

    \b
    Example:
      sheetcrm check shop.xlsx --max-issues 200
    """
    analysis = _analyse_or_fail(path, password, as_of, lang, keep_identical_rows)
    for line in _summary_lines(analysis):
        click.echo(line)
    for issue in analysis.issues[:max_issues]:
        where = f"{issue.cell}"
        shown = issue.shown_value(show_pii=show_pii)
        value = f" [{shown}]" if shown is not None else ""
        click.echo(f"  {issue.severity:7} {where}{value}: {issue.message(analysis.lang)}")
    if len(analysis.issues) > max_issues:
        click.echo(f"  … (+{len(analysis.issues) - max_issues})")
    if analysis.issue_counts()["error"]:
        sys.exit(EXIT_CHECK_FAILED)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--table",
    "table",
    required=True,
    type=click.Choice(["customers", "orders", "issues", "duplicates", "actions", "mailing"]),
    help="Which computed table to export.",
)
@click.option(
    "--segment",
    "segment_names",
    multiple=True,
    metavar="SEGMENT",
    help="With --table mailing: only this segment (key or name, e.g. champions or 優良顧客); "
    "repeatable.",
)
@click.option(
    "--opted-in-only",
    is_flag=True,
    help="With --table mailing: only customers who said yes to e-mail (blank counts as no).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--mask",
    is_flag=True,
    help="Mask names, e-mails, phones and addresses (t***@example.com), e.g. for support.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="CSV for programs: do not prefix text starting with = + - @ with a quote "
    "(by default such text is neutralised so Excel never runs it as a formula).",
)
@AS_OF
@LANG
@KEEP_IDENTICAL
@PASSWORD
def export(
    path: Path,
    table: str,
    fmt: str,
    out: Path | None,
    segment_names: tuple[str, ...],
    opted_in_only: bool,
    mask: bool,
    raw: bool,
    as_of: str | None,
    lang: str | None,
    keep_identical_rows: bool,
    password: str | None,
) -> None:
    """Export a computed table as CSV or JSON (stable snake_case columns).

    \b
    customers   one row per resolved customer, metrics, segment, sources (rows it came from)
    orders      every counted order line with its source (Sheet!row) and resolved customer_id
    issues      every data problem: sheet, row, column, value, code, message
    duplicates  possible duplicate customers with the matching fields
    actions     who to contact now: reason, suggested action and channel, priority
    mailing     name, e-mail, segment, last purchase — for mail-magazine / LINE tools;
                never includes customers who opted out (--segment, --opted-in-only)

    CSV cells that Excel would run as formulas (=, +, -, @…) are prefixed with a quote
    (OWASP's advice against CSV injection); --raw turns that off for programs.

    \b
    Examples:
      sheetcrm export shop.xlsx --table customers --format csv -o customers.csv
      sheetcrm export shop.xlsx --table customers --mask --format csv
      sheetcrm export shop.xlsx --table mailing --segment 優良顧客 -o champions.csv
      sheetcrm export shop.xlsx --table orders --format json | jq '.[0]'
    """
    from sheetcrm.exports import export_frame, export_to_path, write_export

    analysis = _analyse_or_fail(path, password, as_of, lang, keep_identical_rows)
    from sheetcrm.insights.mailing import segment_key_for

    keys = [segment_key_for(name) for name in segment_names]
    if None in keys:
        unknown = segment_names[keys.index(None)]
        fail(
            InvalidOption(
                f"Unknown segment '{unknown}'. Use a segment name such as champions or 優良顧客.",
                message_ja=f"セグメント「{unknown}」はありません。"
                "優良顧客 や champions のように指定してください。",
            ),
            lang,
        )
    frame = export_frame(
        analysis, table, mask=mask, segments=[k for k in keys if k], opted_in_only=opted_in_only
    )
    if out is None:
        write_export(frame, fmt, sys.stdout, raw=raw)  # type: ignore[arg-type]
    else:
        export_to_path(frame, fmt, out, raw=raw)  # type: ignore[arg-type]


for _command in (sync, auth, pull, push):
    main.add_command(_command)
register(main)  # encrypt, decrypt, forget
