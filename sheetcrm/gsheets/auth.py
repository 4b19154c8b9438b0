"""Find the Google credentials a command uses, and describe them without revealing them.

Three ways to sign in, tried in this order:

1. ``--credentials FILE`` naming
   * a **service-account key** (``"type": "service_account"``): the spreadsheet must be
     shared with the account's ``client_email``, which every message names;
   * an **OAuth client** of type "Desktop app" (``{"installed": …}``): the first run opens
     the browser once (google-auth-oauthlib's ``InstalledAppFlow``) and the token is
     cached in the user's config directory (``~/.config/sheetcrm/token.json`` on Linux,
     ``click.get_app_dir``) with permissions 0600;
   * an **authorized-user token** (``"type": "authorized_user"``, e.g. that cache);
2. a token cached by an earlier desktop sign-in;
3. **Application Default Credentials** (``GOOGLE_APPLICATION_CREDENTIALS``, ``gcloud auth
   application-default login``, or the metadata server on Google Cloud).

Testing aid: with ``SHEETCRM_SHEETS_API_ROOT`` set (see :mod:`sheetcrm.gsheets.connect`),
``--credentials`` may name a file holding ``{"type": "anonymous"}`` to skip Google sign-in.

Secrets never leave this module: :class:`Account` carries only what messages need (the
kind, the file's path, the service account's e-mail), and nothing here logs or prints.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sheetcrm.errors import AuthError

#: Read and write spreadsheets; create and share only the files sheetcrm itself makes.
SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
)
TOKEN_FILE = "token.json"
CONFIG_DIR_ENV = "SHEETCRM_CONFIG_DIR"

Kind = Literal["service_account", "user", "adc", "anonymous"]
FlowRunner = Callable[[dict[str, Any], tuple[str, ...]], Any]


@dataclass(frozen=True)
class Account:
    """Which credentials are in use, for messages: never a key or a token."""

    kind: Kind
    source: str  # a file path, or "Application Default Credentials"
    email: str | None = None  # the service account's client_email
    project_id: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def describe(self, lang: str = "en") -> str:
        """One line for ``sheetcrm auth``: what was found and where."""
        ja = lang == "ja"
        if self.kind == "service_account":
            return (
                f"サービスアカウント {self.email}（{self.source}）"
                if ja
                else f"service account {self.email} (from {self.source})"
            )
        if self.kind == "user":
            return (
                f"Google アカウントでのログイン（{self.source}）"
                if ja
                else f"your Google account (token {self.source})"
            )
        if self.kind == "adc":
            return (
                "アプリケーションのデフォルト認証情報（ADC）"
                if ja
                else "Application Default Credentials"
            )
        return "匿名（テスト用）" if ja else "anonymous (testing aid)"


def config_dir() -> Path:
    """sheetcrm's per-user config directory (``$SHEETCRM_CONFIG_DIR`` wins, for tests)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    import click

    return Path(click.get_app_dir("sheetcrm"))


def permission_warning(path: Path) -> str | None:
    """A warning when a secret file can be read by other users of this computer."""
    if os.name == "nt":
        return None  # Windows ACLs are not mode bits; nothing meaningful to check
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"{path} can be read by other users on this computer; "
            f"restrict it with: chmod 600 '{path}'"
        )
    return None


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600, so the secret is never readable by others, not even
    # for a moment; os.replace keeps those permissions over an older, looser file.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError(
            f"The credentials file {path} does not exist.",
            message_ja=f"認証情報ファイル {path} が見つかりません。",
        ) from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise AuthError(
            f"{path} is not a Google credentials file (it is not JSON). Download the "
            "service-account key or OAuth client as JSON from the Google Cloud console.",
            message_ja=f"{path} は Google の認証情報ファイルではありません（JSON ではありません）。"
            "Google Cloud コンソールからサービスアカウントの鍵か OAuth クライアントを JSON で"
            "ダウンロードしてください。",
        ) from None
    if not isinstance(data, dict):
        raise AuthError(
            f"{path} is not a Google credentials file.",
            message_ja=f"{path} は Google の認証情報ファイルではありません。",
        )
    return data


def load_credentials(
    path: Path | None,
    *,
    api_root: str | None = None,
    interactive: bool = True,
    token_path: Path | None = None,
    run_flow: FlowRunner | None = None,
) -> tuple[Any, Account]:
    """Google credentials and their description, from ``path`` or the fallbacks above.

    ``run_flow(client_config, scopes)`` performs the desktop sign-in (default: a local
    browser flow); it is injectable so tests never open a browser.  With
    ``interactive=False`` a missing token is an :class:`AuthError` instead.
    """
    token_path = token_path or config_dir() / TOKEN_FILE
    if path is not None:
        return _from_file(Path(path), api_root, interactive, token_path, run_flow)
    if token_path.exists():
        return _user_token(token_path, _read_json(token_path))
    return _application_default()


def _from_file(
    path: Path,
    api_root: str | None,
    interactive: bool,
    token_path: Path,
    run_flow: FlowRunner | None,
) -> tuple[Any, Account]:
    info = _read_json(path)
    kind = info.get("type")
    # An anonymous file holds no secret; every other kind does.
    warnings = tuple(w for w in [permission_warning(path)] if w and kind != "anonymous")
    if kind == "anonymous":
        if not api_root:
            raise AuthError(
                f'{path} holds {{"type": "anonymous"}}, a testing aid that only works '
                "together with SHEETCRM_SHEETS_API_ROOT (a local fake of Google Sheets).",
                message_ja=f'{path} の {{"type": "anonymous"}} はテスト用で、'
                "SHEETCRM_SHEETS_API_ROOT（Google スプレッドシートのローカルな代用品）と"
                "一緒にしか使えません。",
            )
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials(), Account("anonymous", str(path), warnings=warnings)
    if kind == "service_account":
        from google.oauth2 import service_account

        try:
            credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        except (KeyError, ValueError) as error:
            raise _broken_key(path) from error
        account = Account(
            "service_account",
            str(path),
            email=info.get("client_email"),
            project_id=info.get("project_id"),
            warnings=warnings,
        )
        return credentials, account
    if kind == "authorized_user":
        return _user_token(path, info)
    if "installed" in info or "web" in info:
        return _desktop_sign_in(info, interactive, token_path, run_flow, warnings)
    raise AuthError(
        f"{path} is not a credentials file sheetcrm understands. Use a service-account "
        'key ("type": "service_account") or an OAuth client of type "Desktop app".',
        message_ja=f"{path} は sheetcrm が扱える認証情報ファイルではありません。"
        "サービスアカウントの鍵か、種類が「デスクトップ アプリ」の OAuth クライアントを"
        "指定してください。",
    )


def _broken_key(path: Path) -> AuthError:
    return AuthError(
        f"{path} looks like a service-account key but is incomplete. Download a new "
        "JSON key from the Google Cloud console (IAM > Service accounts > Keys).",
        message_ja=f"{path} はサービスアカウントの鍵のようですが、内容が欠けています。"
        "Google Cloud コンソール（IAM > サービス アカウント > 鍵）で JSON の鍵を作り直して"
        "ください。",
    )


def _user_token(path: Path, info: dict[str, Any]) -> tuple[Any, Account]:
    from google.oauth2.credentials import Credentials

    try:
        credentials = Credentials.from_authorized_user_info(info, scopes=list(SCOPES))
    except ValueError as error:
        raise AuthError(
            f"The saved Google sign-in in {path} is damaged. Delete it and sign in again "
            "with: sheetcrm auth --credentials CLIENT.json",
            message_ja=f"{path} に保存された Google のログイン情報が壊れています。"
            "削除してから sheetcrm auth --credentials CLIENT.json でログインし直してください。",
        ) from error
    warnings = tuple(w for w in [permission_warning(path)] if w)
    return credentials, Account("user", str(path), warnings=warnings)


def _run_browser_flow(client_config: dict[str, Any], scopes: tuple[str, ...]) -> Any:
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_config(client_config, list(scopes))
    return flow.run_local_server(port=0, open_browser=True)


def _desktop_sign_in(
    client_config: dict[str, Any],
    interactive: bool,
    token_path: Path,
    run_flow: FlowRunner | None,
    warnings: tuple[str, ...],
) -> tuple[Any, Account]:
    """Use the cached token for this OAuth client, or sign in once and cache it (0600)."""
    client_id = (client_config.get("installed") or client_config.get("web") or {}).get("client_id")
    if token_path.exists():
        cached = _read_json(token_path)
        if cached.get("client_id") == client_id:
            credentials, account = _user_token(token_path, cached)
            return credentials, Account(
                "user", account.source, warnings=warnings + account.warnings
            )
    if not interactive:
        raise AuthError(
            "This OAuth client has not been signed in yet. Run: sheetcrm auth --credentials "
            "CLIENT.json (a browser window opens once).",
            message_ja="この OAuth クライアントではまだログインしていません。"
            "sheetcrm auth --credentials CLIENT.json を実行してください（一度だけブラウザが"
            "開きます）。",
        )
    credentials = (run_flow or _run_browser_flow)(client_config, SCOPES)
    write_private(token_path, credentials.to_json())
    return credentials, Account("user", str(token_path), warnings=warnings)


def _application_default() -> tuple[Any, Account]:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, project_id = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError:
        raise AuthError(
            "No Google credentials were found. Either pass --credentials KEY.json (a "
            "service-account key; share the sheet with its e-mail), or sign in with your "
            "Google account once: sheetcrm auth --credentials CLIENT.json. "
            "Run 'sheetcrm auth' for a step-by-step check.",
            message_ja="Google の認証情報が見つかりません。--credentials KEY.json"
            "（サービスアカウントの鍵。シートをそのメールアドレスと共有してください）を指定するか、"
            "一度 sheetcrm auth --credentials CLIENT.json で Google アカウントにログインして"
            "ください。手順の確認は 'sheetcrm auth' で行えます。",
        ) from None
    email = getattr(credentials, "service_account_email", None)
    kind: Kind = "service_account" if email and "@" in str(email) else "adc"
    source = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") or "Application Default Credentials"
    warnings = ()
    if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        warning = permission_warning(Path(source))
        warnings = (warning,) if warning else ()
    return credentials, Account(
        kind,
        source,
        email=email if kind == "service_account" else None,
        project_id=project_id,
        warnings=warnings,
    )
