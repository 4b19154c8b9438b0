"""The library's entry points: analyse, refresh and check a workbook file.

Each is one call the CLI makes; they read the file, run the pure analysis
(:mod:`sheetcrm.analysis`) and, for :func:`refresh`, render the generated tabs and
graft them into the workbook with the lossless writer (:mod:`sheetcrm.package`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sheetcrm.analysis import Analysis, analyse_tables
from sheetcrm.errors import InvalidOption, NoTableFound
from sheetcrm.reader import read_sheets, sniff_workbook
from sheetcrm.tables import RecognisedTable, find_header, recognise

LANGUAGES = ("ja", "en")
WRITABLE_SUFFIXES = {".xlsx", ".xlsm"}

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did: the analysis plus where the result went."""

    analysis: Analysis
    written_to: Path | None
    tabs: tuple[str, ...] = ()
    backup: Path | None = None
    removed_tabs: tuple[str, ...] = field(default_factory=tuple)


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in LANGUAGES:
        raise InvalidOption(
            f"Unknown language '{lang}'. Use ja or en.",
            message_ja=f"言語「{lang}」は使えません。ja か en を指定してください。",
        )


def _generated_titles(path: Path) -> set[str]:
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        return set()
    from sheetcrm.package import generated_sheets

    return set(generated_sheets(path))


def find_tables(path: Path, progress: Progress = _silent) -> list[RecognisedTable]:
    """Read ``path`` (skipping sheetcrm's own tabs) and find its tables."""
    sniff_workbook(path)
    progress("read")
    sheets = read_sheets(path, skip=_generated_titles(path))
    progress("recognise")
    tables = [t for t in (recognise(sheet) for sheet in sheets) if t is not None]
    if not tables:
        raise _no_table_error(path, sheets)
    return tables


def _no_table_error(path: Path, sheets: list) -> NoTableFound:
    seen = []
    for sheet in sheets:
        candidate = find_header(sheet)
        headers = ", ".join(candidate.headers_seen[:8]) if candidate else ""
        seen.append(f"'{sheet.name}': {headers or '(empty)'}")
    listing = "; ".join(seen) or "(no sheets)"
    return NoTableFound(
        f"No customer list, sales log or activity log was found in {path.name}. "
        f"Headers seen — {listing}. Expected a header row with columns such as "
        "Name / E-mail / Phone (a customer list) or Order date / Amount (a sales log).",
        message_ja=f"{path.name} に顧客一覧・売上記録・対応履歴の表が見つかりません。"
        f"見つかった見出し — {listing}。「氏名・メール・電話」（顧客一覧）や"
        "「購入日・金額」（売上記録）のような見出し行が必要です。",
    )


def analyse(
    path: Path | str,
    *,
    as_of: dt.date | None = None,
    lang: str | None = None,
    keep_identical_rows: bool = False,
    progress: Progress = _silent,
) -> Analysis:
    """Read and analyse a workbook without writing anything."""
    _check_lang(lang)
    path = Path(path)
    tables = find_tables(path, progress)
    progress("analyse")
    return analyse_tables(
        tables,
        as_of=as_of or dt.date.today(),
        lang=lang,
        keep_identical_rows=keep_identical_rows,
    )


def refresh(
    path: Path | str,
    *,
    as_of: dt.date | None = None,
    lang: str | None = None,
    out: Path | str | None = None,
    backup: bool = True,
    dry_run: bool = False,
    keep_identical_rows: bool = False,
    progress: Progress = _silent,
) -> RefreshReport:
    """Analyse ``path`` and write the generated tabs into it (or into ``out``).

    Only sheetcrm's own tabs are added or replaced; every other part of the workbook
    is copied byte for byte, and the file is replaced atomically.
    """
    from sheetcrm.outputs import build_output
    from sheetcrm.package import check_writable, fingerprint, write_generated_sheets
    from sheetcrm.render_xlsx import render_xlsx

    path = Path(path)
    out_path = Path(out) if out is not None else None
    _check_lang(lang)
    sniff_workbook(path)
    if out_path is None and not dry_run:
        check_writable(path)
    if out_path is not None and out_path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise InvalidOption(
            f"The output file must end in .xlsx or .xlsm, not '{out_path.suffix}'.",
            message_ja="出力ファイルの拡張子は .xlsx か .xlsm にしてください"
            f"（{out_path.suffix} は不可）。",
        )
    before = fingerprint(path)
    analysis = analyse(
        path, as_of=as_of, lang=lang, keep_identical_rows=keep_identical_rows, progress=progress
    )
    progress("render")
    model = build_output(analysis)
    if dry_run:
        return RefreshReport(analysis, None, tuple(s.title for s in model.sheets))
    with tempfile.TemporaryDirectory(prefix="sheetcrm-") as scratch:
        rendered = Path(scratch) / "generated.xlsx"
        render_xlsx(model, rendered)
        progress("write")
        result = write_generated_sheets(
            path,
            rendered,
            [s.key for s in model.sheets],
            out=out_path,
            backup=backup,
            expected=before,
        )
    return RefreshReport(
        analysis,
        out_path or path,
        tuple(s.title for s in model.sheets),
        backup=getattr(result, "backup", None),
        removed_tabs=tuple(getattr(result, "removed", ()) or ()),
    )
