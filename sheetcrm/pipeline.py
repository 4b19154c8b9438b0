"""The library's entry points: analyse, refresh and check a workbook file.

Each is one call the CLI makes; they read the file, run the pure analysis
(:mod:`sheetcrm.analysis`) and, for :func:`refresh`, render the generated tabs and
graft them into the workbook with the lossless writer (:mod:`sheetcrm.package`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetcrm.analysis import Analysis, analyse_tables
from sheetcrm.crypto import is_encrypted
from sheetcrm.errors import InvalidOption
from sheetcrm.reader import sniff_workbook
from sheetcrm.scratch import private_dir
from sheetcrm.source import SourceInput, read_workbook_source
from sheetcrm.tables import RecognisedTable

if TYPE_CHECKING:
    from sheetcrm.forget import ForgetList
    from sheetcrm.package import Fingerprint

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


def find_tables(path: Path, progress: Progress = _silent) -> list[RecognisedTable]:
    """Read ``path`` (skipping sheetcrm's own tabs) and find its tables."""
    return read_workbook_source(path, progress).tables


def analyse_source(
    source: SourceInput,
    *,
    as_of: dt.date | None = None,
    lang: str | None = None,
    keep_identical_rows: bool | None = None,
    progress: Progress = _silent,
    apply_forgotten: bool = True,
) -> Analysis:
    """Analyse what was read; command-line options win over the Settings tab.

    People the seller asked to forget are left out (``apply_forgotten=False`` keeps
    them, for :func:`sheetcrm.forget.forget` to find them).
    """
    _check_lang(lang)
    settings = source.settings.with_overrides(
        as_of=as_of, lang=lang, keep_identical_rows=keep_identical_rows
    )
    analysis = analyse_tables(
        source.tables,
        as_of=settings.as_of or dt.date.today(),
        settings=settings,
        extra_issues=source.settings_issues,
        decisions=source.decisions(dt.date.today()),
        progress=progress,
    )
    if not apply_forgotten:
        return analysis
    from sheetcrm.forget import exclude

    return exclude(analysis, source.forget_list())


def analyse(
    path: Path | str,
    *,
    as_of: dt.date | None = None,
    lang: str | None = None,
    keep_identical_rows: bool | None = None,
    progress: Progress = _silent,
    password: str | None = None,
) -> Analysis:
    """Read and analyse a workbook without writing anything.

    ``password`` opens an encrypted workbook (decrypted in memory only).
    """
    _check_lang(lang)
    source = read_workbook_source(Path(path), progress, password=password)
    return analyse_source(
        source, as_of=as_of, lang=lang, keep_identical_rows=keep_identical_rows, progress=progress
    )


def refresh(
    path: Path | str,
    *,
    as_of: dt.date | None = None,
    lang: str | None = None,
    out: Path | str | None = None,
    backup: bool = True,
    dry_run: bool = False,
    keep_identical_rows: bool | None = None,
    progress: Progress = _silent,
    password: str | None = None,
) -> RefreshReport:
    """Analyse ``path`` and write the generated tabs into it (or into ``out``).

    Only sheetcrm's own tabs are added or replaced; every other part of the workbook
    is copied byte for byte, and the file is replaced atomically.  An encrypted
    workbook needs its ``password``; it is decrypted in memory only and written back
    (and backed up) encrypted with the same password.
    """
    from sheetcrm.package import check_writable, fingerprint

    path = Path(path)
    out_path = Path(out) if out is not None else None
    _check_lang(lang)
    if not is_encrypted(path):
        sniff_workbook(path)
    if out_path is None and not dry_run:
        check_writable(path, password=password)
    if out_path is not None and out_path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise InvalidOption(
            f"The output file must end in .xlsx or .xlsm, not '{out_path.suffix}'.",
            message_ja="出力ファイルの拡張子は .xlsx か .xlsm にしてください"
            f"（{out_path.suffix} は不可）。",
        )
    before = fingerprint(path)
    source = read_workbook_source(path, progress, password=password)
    analysis = analyse_source(
        source, as_of=as_of, lang=lang, keep_identical_rows=keep_identical_rows, progress=progress
    )
    return write_back(
        path,
        source,
        analysis,
        before=before,
        out=out_path,
        backup=backup,
        dry_run=dry_run,
        password=password,
        progress=progress,
    )


def write_back(
    path: Path,
    source: SourceInput,
    analysis: Analysis,
    *,
    before: Fingerprint,
    out: Path | None = None,
    backup: bool = True,
    dry_run: bool = False,
    password: str | None = None,
    forgotten: ForgetList | None = None,
    progress: Progress = _silent,
) -> RefreshReport:
    """Render ``analysis`` and graft its tabs into ``path`` (or ``out``): refresh's second half.

    ``before`` is the fingerprint taken before ``source`` was read from ``path``;
    ``forgotten`` replaces the list of people to leave out that ``source`` holds.
    """
    from sheetcrm.forget import with_forget_tab
    from sheetcrm.outputs import build_output
    from sheetcrm.package import write_generated_sheets
    from sheetcrm.render_xlsx import render_xlsx

    progress("build")
    # A Settings tab we created earlier belongs to the seller now: it is never rewritten,
    # even when its A1 marker was edited away (then it is simply not read).
    ours_already = "settings" in source.generated
    model = build_output(analysis, with_settings_tab=not (source.has_settings_tab or ours_already))
    model = with_forget_tab(model, forgotten if forgotten is not None else source.forget_list())
    keep = ["settings"] if ours_already else []
    if dry_run:
        return RefreshReport(analysis, None, tuple(s.title for s in model.sheets))
    # The rendered tabs are personal data: a private folder, removed on every way out.
    with private_dir() as scratch:
        rendered = scratch / "generated.xlsx"
        progress("render")
        bodies = render_xlsx(model, rendered, tmpdir=scratch, defer_bodies=True)
        progress("write")
        result = write_generated_sheets(
            path,
            rendered,
            [s.key for s in model.sheets],
            out=out,
            backup=backup,
            expected=before,
            keep=keep,
            password=password,
            bodies=bodies,
        )
    return RefreshReport(
        analysis,
        out or path,
        tuple(s.title for s in model.sheets),
        backup=result.backup,
        removed_tabs=tuple(ref.title for ref in result.removed),
    )
