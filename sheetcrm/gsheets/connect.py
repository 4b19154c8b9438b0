"""Open a :class:`~sheetcrm.gsheets.api.SheetsApi` for the user's credentials.

Testing aid: when the environment variable ``SHEETCRM_SHEETS_API_ROOT`` holds a
loopback URL (``http://127.0.0.1:8765``, e.g. ``python -m sheetcrm.fakesheets``), every
Sheets and Drive request goes there instead of Google, through
:func:`sheetcrm.fakesheets.redirecting_session`, which refuses any other address — so
nothing, not even a token refresh, can leave the machine.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from sheetcrm.errors import InvalidOption
from sheetcrm.gsheets.api import SheetsApi
from sheetcrm.gsheets.auth import load_credentials
from sheetcrm.gsheets.retry import RetryPolicy, Sleep

API_ROOT_ENV = "SHEETCRM_SHEETS_API_ROOT"
_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")
_URL_KEY = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


def api_root() -> str | None:
    """The fake's root URL from ``SHEETCRM_SHEETS_API_ROOT``, or ``None`` for Google."""
    return os.environ.get(API_ROOT_ENV) or None


def spreadsheet_key(text: str) -> str:
    """The spreadsheet's key from a URL (``…/spreadsheets/d/KEY/edit#gid=0``) or a bare key."""
    text = text.strip()
    found = _URL_KEY.search(text)
    if found:
        return found.group(1)
    if _KEY.fullmatch(text):
        return text
    raise InvalidOption(
        f"'{text}' is not a Google Sheets URL or key. Copy the address from the browser, "
        "e.g. https://docs.google.com/spreadsheets/d/1AbC…/edit",
        message_ja=f"「{text}」は Google スプレッドシートの URL でもキーでもありません。ブラウザの"
        "アドレス欄の URL（https://docs.google.com/spreadsheets/d/1AbC…/edit のような形）を"
        "貼り付けてください。",
    )


def connect(
    credentials: Path | None,
    *,
    interactive: bool = True,
    policy: RetryPolicy | None = None,
    sleep: Sleep = time.sleep,
) -> SheetsApi:
    """Sign in (see :mod:`sheetcrm.gsheets.auth`) and return the API wrapper."""
    import gspread

    root = api_root()
    creds, account = load_credentials(credentials, api_root=root, interactive=interactive)
    if root:
        from sheetcrm.fakesheets.redirect import client_for

        try:
            client = client_for(root, creds)
        except ValueError as error:
            raise InvalidOption(
                f"{API_ROOT_ENV} must be a local http URL such as http://127.0.0.1:8765 "
                f"(a testing aid): {error}",
                message_ja=f"{API_ROOT_ENV} には http://127.0.0.1:8765 のようなローカルの URL を"
                f"指定してください（テスト用）: {error}",
            ) from None
    else:
        client = gspread.Client(creds)
    return SheetsApi(client, account, policy=policy, sleep=sleep)
