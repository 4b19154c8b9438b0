"""Credentials and Google's refusals: every message says exactly what to do.

No test signs in to Google: service-account keys are generated here, the desktop sign-in
is replaced by a stub, and every request goes to the fake through the redirecting
session (which refuses even a token refresh to Google).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from gsheets_helpers import SA_EMAIL, api_for, service_account, shop

from sheetcrm.errors import (
    ApiNotEnabled,
    AuthError,
    InvalidOption,
    SheetNotShared,
    SpreadsheetNotFound,
)
from sheetcrm.fakesheets import FakeSheetsServer
from sheetcrm.gsheets import sync
from sheetcrm.gsheets.auth import Account, load_credentials
from sheetcrm.gsheets.check import check_setup
from sheetcrm.gsheets.connect import API_ROOT_ENV, connect, spreadsheet_key

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"


@pytest.fixture(scope="module")
def server():
    with FakeSheetsServer(seed=41) as fake:
        yield fake


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def key_file(tmp_path: Path, private_key_pem: str) -> Path:
    path = tmp_path / "key.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "sheetcrm-test",
                "private_key_id": "0" * 40,
                "private_key": private_key_pem,
                "client_email": SA_EMAIL,
                "client_id": "1",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    path.chmod(0o600)
    return path


def test_spreadsheet_urls_and_keys_are_understood() -> None:
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
    assert spreadsheet_key(url) == KEY
    assert spreadsheet_key(f"  {KEY} ") == KEY
    with pytest.raises(InvalidOption) as bad:
        spreadsheet_key("shop.xlsx")
    assert "docs.google.com/spreadsheets" in str(bad.value)
    assert bad.value.exit_code == 2


def test_a_service_account_key_is_described_by_its_email(key_file: Path) -> None:
    credentials, account = load_credentials(key_file)
    assert account.kind == "service_account"
    assert account.email == SA_EMAIL
    assert account.warnings == ()
    assert SA_EMAIL in account.describe("en")
    assert "private_key" not in repr(account)  # no secret in what is shown or logged
    assert credentials.service_account_email == SA_EMAIL


def test_a_key_readable_by_others_is_warned_about(key_file: Path) -> None:
    if os.name == "nt":
        pytest.skip("mode bits are not permissions on Windows")
    key_file.chmod(0o644)
    _, account = load_credentials(key_file)
    assert any("chmod 600" in w for w in account.warnings)


def test_anonymous_credentials_only_work_with_the_fake(tmp_path: Path) -> None:
    path = tmp_path / "anonymous.json"
    path.write_text('{"type": "anonymous"}')
    with pytest.raises(AuthError) as refused:
        load_credentials(path)
    assert "SHEETCRM_SHEETS_API_ROOT" in str(refused.value)
    _, account = load_credentials(path, api_root="http://127.0.0.1:9")
    assert account.kind == "anonymous"


def test_files_that_are_not_credentials_are_refused_plainly(tmp_path: Path) -> None:
    (tmp_path / "shop.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    for name, words in (
        ("shop.xlsx", "not JSON"),
        ("other.json", "Desktop app"),
        ("missing.json", "does not exist"),
    ):
        with pytest.raises(AuthError) as refused:
            load_credentials(tmp_path / name)
        assert words in str(refused.value)


def test_desktop_sign_in_runs_once_and_caches_the_token_privately(tmp_path: Path) -> None:
    from google.oauth2.credentials import Credentials

    client = tmp_path / "client_secret.json"
    client.write_text(
        json.dumps(
            {
                "installed": {
                    "client_id": "desktop.apps.googleusercontent.com",
                    "client_secret": "s",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": "https://oauth2.googleapis.com/token",
                }
            }
        )
    )
    token_path = tmp_path / "config" / "token.json"
    flows = []

    def fake_flow(config, scopes):
        flows.append(scopes)
        return Credentials(
            token="access",
            refresh_token="refresh",
            token_uri="https://oauth2.googleapis.com/token",
            client_id="desktop.apps.googleusercontent.com",
            client_secret="s",
            scopes=list(scopes),
        )

    _, account = load_credentials(client, token_path=token_path, run_flow=fake_flow)
    assert account.kind == "user" and len(flows) == 1
    assert stat.S_IMODE(token_path.stat().st_mode) == 0o600
    assert "spreadsheets" in " ".join(flows[0])

    again, _ = load_credentials(client, token_path=token_path, run_flow=fake_flow)
    assert len(flows) == 1  # the cached token is used
    assert again.refresh_token == "refresh"
    # Without --credentials, the saved sign-in is found.
    _, saved = load_credentials(None, token_path=token_path)
    assert saved.kind == "user"
    with pytest.raises(AuthError):
        load_credentials(client, token_path=tmp_path / "none.json", interactive=False)


def test_no_credentials_at_all_explains_the_choices(monkeypatch, tmp_path) -> None:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    def nothing(**_):
        raise DefaultCredentialsError("none")

    monkeypatch.setattr(google.auth, "default", nothing)
    with pytest.raises(AuthError) as missing:
        load_credentials(None, token_path=tmp_path / "token.json")
    assert "--credentials" in str(missing.value)
    assert "sheetcrm auth" in str(missing.value)


def test_a_sheet_not_shared_names_the_service_account_to_share_with(server) -> None:
    sid = shop(server, 10)
    server.deny(sid)
    with pytest.raises(SheetNotShared) as denied:
        sync(sid, api=api_for(server, account=service_account()))
    message = str(denied.value)
    assert f"add {SA_EMAIL} as an Editor" in message
    assert SA_EMAIL in denied.value.message_for("ja") and "共有" in denied.value.message_for("ja")
    assert denied.value.exit_code == 3


def test_a_personal_account_that_cannot_open_the_sheet_is_told_to_ask_for_sharing(
    server,
) -> None:
    sid = shop(server, 10)
    server.deny(sid)
    with pytest.raises(SheetNotShared) as denied:
        sync(sid, api=api_for(server, account=Account("user", "token.json")))
    assert "Ask its owner to share it" in str(denied.value)


def test_an_unknown_spreadsheet_says_to_check_the_url(server) -> None:
    with pytest.raises(SpreadsheetNotFound) as missing:
        sync(KEY, api=api_for(server))
    assert "Check the URL" in str(missing.value)


def test_a_disabled_api_names_the_page_that_enables_it(server) -> None:
    sid = shop(server, 10)
    server.fail_next(
        403,
        message="Google Sheets API has not been used in project 123456789 before or it is "
        "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
        "sheets.googleapis.com/overview?project=123456789 then retry.",
    )
    with pytest.raises(ApiNotEnabled) as disabled:
        sync(sid, api=api_for(server, account=service_account()))
    assert "apis/library/sheets.googleapis.com?project=123456789" in str(disabled.value)


def test_rejected_credentials_say_how_to_get_new_ones(server) -> None:
    sid = shop(server, 10)
    server.fail_next(401)
    with pytest.raises(AuthError) as rejected:
        sync(sid, api=api_for(server, account=service_account()))
    assert "new JSON key" in str(rejected.value)


def test_with_the_fake_a_real_key_is_refused_before_anything_leaves(
    server, key_file, monkeypatch
) -> None:
    monkeypatch.setenv(API_ROOT_ENV, server.root_url)
    sid = shop(server, 10)
    api = connect(key_file)  # a real service-account key: it would sign in to Google
    with pytest.raises(AuthError) as refused:
        sync(sid, api=api)
    assert '{"type": "anonymous"}' in str(refused.value)
    assert api.stats.requests["spreadsheets.get"] == 1
    assert all(r.path.startswith("/v4/spreadsheets") for r in server.request_log)


def test_setup_check_confirms_the_api_and_the_spreadsheet(server) -> None:
    sid = shop(server, 10)
    result = check_setup(None, sid, api=api_for(server, account=service_account()))
    assert result.title == "ショップ" and result.error is None
    server.deny(sid)
    result = check_setup(None, sid, api=api_for(server, account=service_account()))
    assert isinstance(result.error, SheetNotShared)
    assert SA_EMAIL in str(result.error)
