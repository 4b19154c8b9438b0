"""What every ``sheetcrm`` command module shares: language, failure, common options.

:mod:`sheetcrm.cli`, :mod:`sheetcrm.cli_google` and :mod:`sheetcrm.cli_privacy` all
import from here (and not from each other), so an option reads the same everywhere.
Only click is imported: ``sheetcrm --help`` stays instant.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import NoReturn

import click

from sheetcrm.errors import SheetcrmError


def user_lang(explicit: str | None = None) -> str:
    """The language for messages: --lang, else the terminal's locale."""
    if explicit:
        return explicit
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
    return "ja" if locale.lower().startswith("ja") else "en"


def fail(error: SheetcrmError, lang: str | None) -> NoReturn:
    """Print ``error`` in the user's language and exit with its code (no traceback)."""
    click.echo(f"sheetcrm: {error.message_for(user_lang(lang))}", err=True)
    sys.exit(error.exit_code)


def parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2024-12-31."
        ) from None


def show_progress(progress: bool | None, quiet: bool) -> bool:
    """--progress/--no-progress if given, never with --quiet, else only on a terminal."""
    if quiet:
        return False
    if progress is not None:
        return progress
    return sys.stderr.isatty()


AS_OF = click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="Compute recency and scores as of this date (default: today).",
)
LANG = click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    help="Language of generated tabs and messages (default: detected from the headers).",
)
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
PROGRESS = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show stage progress on stderr (default: only when stderr is a terminal).",
)
