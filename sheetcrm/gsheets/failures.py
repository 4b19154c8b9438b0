"""Turn what Google answered into one of sheetcrm's errors, with a message a seller can act on.

Google's JSON errors look like ``{"error": {"code": 403, "message": …, "status":
"PERMISSION_DENIED", "details": [{"reason": "SERVICE_DISABLED", …}]}}`` (Drive adds an
``errors`` list with a ``reason``).  The message names what to do next: the service
account's e-mail to share the sheet with, the console page that enables the API, how long
to wait after a quota error.  It never repeats cell contents or credentials.
"""

from __future__ import annotations

import re
from typing import Any

from sheetcrm.errors import (
    ApiNotEnabled,
    AuthError,
    GoogleError,
    GoogleUnavailable,
    QuotaExceeded,
    SheetNotShared,
    SpreadsheetChanged,
    SpreadsheetNotFound,
)
from sheetcrm.gsheets.auth import Account

_PROJECT = re.compile(r"project[ =:]*(\d+)", re.IGNORECASE)
_DISABLED_REASONS = {"SERVICE_DISABLED", "accessNotConfigured"}
# Words in Google's 400 answers when the spreadsheet changed under us.
_CONFLICT_HINTS = ("already exists", "No grid with id", "No sheet with id", "exceeds grid limits")


def _reasons(error: dict[str, Any]) -> set[str]:
    reasons = {str(d.get("reason")) for d in error.get("details") or [] if isinstance(d, dict)}
    reasons |= {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
    return reasons


def api_failure(
    status: int,
    error: dict[str, Any],
    account: Account,
    *,
    target: str,
    tries: int = 1,
    writing: bool = False,
) -> GoogleError:
    """The error to raise for a final (not retried) HTTP failure on ``target``."""
    message = str(error.get("message") or "")
    reasons = _reasons(error)
    if status == 401:
        return _not_signed_in(account)
    if status == 403 and (reasons & _DISABLED_REASONS or "has not been used" in message):
        return _api_disabled(message)
    if status == 403 and "storageQuotaExceeded" in reasons:
        return GoogleError(
            "Google refused to create the spreadsheet: the account's Drive storage is full "
            "(service accounts often have none). Create an empty spreadsheet with your own "
            "Google account, share it with the service account, then run: "
            "sheetcrm push shop.xlsx SPREADSHEET_URL",
            message_ja="Google がスプレッドシートの作成を拒否しました。アカウントの Drive の容量が"
            "ありません（サービスアカウントには容量がないことが多いです）。ご自身の Google "
            "アカウントで空のスプレッドシートを作り、サービスアカウントと共有してから "
            "sheetcrm push shop.xlsx スプレッドシートのURL を実行してください。",
        )
    if status == 403:
        return _not_shared(account, target)
    if status == 404:
        return SpreadsheetNotFound(
            f"No spreadsheet was found at {target}. Check the URL or key (copy it from the "
            "browser's address bar). A service account only sees spreadsheets shared with it.",
            message_ja=f"{target} のスプレッドシートが見つかりません。URL かキーを確認してください"
            "（ブラウザのアドレス欄からコピーできます）。サービスアカウントには共有された"
            "スプレッドシートしか見えません。",
        )
    if status == 429:
        return quota_exhausted(tries)
    if status >= 500:
        return unavailable(f"HTTP {status}", tries)
    if writing and any(hint in message for hint in _CONFLICT_HINTS):
        return SpreadsheetChanged(
            "The spreadsheet changed while sheetcrm was working (a tab was added, renamed or "
            "deleted), so Google refused the write and nothing was changed. Run the "
            f"command again. (Google said: {message})",
            message_ja="処理中にスプレッドシートが変更された（タブの追加・名前の変更・削除）ため、"
            "Google が書き込みを拒否しました。何も変更されていません。もう一度実行してください。"
            f"（Google の応答: {message}）",
        )
    return GoogleError(
        f"Google refused the request (HTTP {status}): {message}",
        message_ja=f"Google がリクエストを拒否しました（HTTP {status}）: {message}",
    )


def _not_signed_in(account: Account) -> AuthError:
    if account.kind == "service_account":
        return AuthError(
            f"Google did not accept the key of {account.email} (it was deleted or disabled). "
            "Create a new JSON key in the Google Cloud console (IAM > Service accounts > Keys).",
            message_ja=f"Google が {account.email} の鍵を受け付けませんでした（削除または無効化"
            "されています）。Google Cloud コンソール（IAM > サービス アカウント > 鍵）で新しい "
            "JSON の鍵を作ってください。",
        )
    return AuthError(
        "Google did not accept your sign-in (it expired or was revoked). Sign in again: "
        "sheetcrm auth --credentials CLIENT.json",
        message_ja="Google がログイン情報を受け付けませんでした（期限切れか取り消し）。"
        "sheetcrm auth --credentials CLIENT.json でログインし直してください。",
    )


def _api_disabled(message: str) -> ApiNotEnabled:
    found = _PROJECT.search(message)
    project = found.group(1) if found else None
    api = "drive.googleapis.com" if "drive" in message.lower() else "sheets.googleapis.com"
    name = "Google Drive API" if api.startswith("drive") else "Google Sheets API"
    where = f"https://console.cloud.google.com/apis/library/{api}"
    if project:
        where += f"?project={project}"
    return ApiNotEnabled(
        f"The {name} is not enabled for the Google Cloud project of these credentials. "
        f"Enable it at {where}, wait a minute, and run again.",
        message_ja=f"この認証情報の Google Cloud プロジェクトで {name} が有効になっていません。"
        f"{where} で有効にし、1 分ほど待ってからもう一度実行してください。",
    )


def _not_shared(account: Account, target: str) -> SheetNotShared:
    if account.kind == "service_account" and account.email:
        email = account.email
        return SheetNotShared(
            f"The spreadsheet {target} is not shared with the service account. Open it in "
            f"Google Sheets, click Share, add {email} as an Editor, and run again.",
            message_ja=f"スプレッドシート {target} がサービスアカウントと共有されていません。"
            f"Google スプレッドシートで開き、「共有」から {email} を編集者として追加してから、"
            "もう一度実行してください。",
        )
    return SheetNotShared(
        f"Your Google account cannot open the spreadsheet {target}. Ask its owner to share "
        "it with you as an Editor, or sign in with the account that owns it "
        "(sheetcrm auth --credentials CLIENT.json).",
        message_ja=f"お使いの Google アカウントではスプレッドシート {target} を開けません。"
        "所有者に編集者として共有してもらうか、所有しているアカウントでログインし直して"
        "ください（sheetcrm auth --credentials CLIENT.json）。",
    )


def quota_exhausted(tries: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"Google's per-minute request quota is used up (it answered 429 'too many requests' "
        f"{tries} times, waiting longer each time). Nothing was changed. Wait a few minutes "
        "and run again; other tools using the same Google Cloud project share this quota.",
        message_ja=f"Google の 1 分あたりのリクエスト上限に達しました（待ち時間を延ばしながら "
        f"{tries} 回試しましたが 429「リクエストが多すぎます」でした）。何も変更されていません。"
        "数分待ってからもう一度実行してください。同じ Google Cloud プロジェクトを使う他のツールと"
        "上限を共有しています。",
    )


def unavailable(what: str, tries: int) -> GoogleUnavailable:
    return GoogleUnavailable(
        f"Google Sheets did not answer properly ({what}, {tries} tries). Nothing was "
        "changed. Check the internet connection and run again later.",
        message_ja="Google スプレッドシートから正常な応答がありませんでした"
        f"（{what}、{tries} 回）。何も変更されていません。"
        "インターネット接続を確認し、しばらくしてから再実行してください。",
    )


def refused_sign_in(reason: str) -> AuthError:
    """google-auth could not get an access token (bad key, revoked token, clock skew)."""
    return AuthError(
        f"Google refused to sign in with these credentials ({reason}). For a service "
        "account, check the key file is the current one; for your Google account, sign in "
        "again with: sheetcrm auth --credentials CLIENT.json",
        message_ja=f"この認証情報では Google にログインできませんでした（{reason}）。"
        "サービスアカウントの場合は鍵ファイルが最新か確認し、Google アカウントの場合は "
        "sheetcrm auth --credentials CLIENT.json でログインし直してください。",
    )
