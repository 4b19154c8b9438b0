"""The Google commands end to end through click's CliRunner, with the testing aids a seller
can use too: ``SHEETCRM_SHEETS_API_ROOT`` pointing at the fake and an anonymous key file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from gsheets_helpers import shop

from sheetcrm.cli_google import NEW_GOOGLE_OPTIONS, auth, pull, push, run_new_google, sync
from sheetcrm.fakesheets import FakeSheetsServer


@click.command()
@click.argument("path", required=False)
@click.option("--lang", default="ja")
@click.option("--sample", is_flag=True)
@NEW_GOOGLE_OPTIONS
def new(path, lang, sample, google, share, credentials) -> None:
    """Stands in for ``sheetcrm new`` with the options cli_google gives it."""
    assert google
    run_new_google(title=path, lang=lang, sample=sample, share=share, credentials=credentials)


CLI = click.Group(commands={"sync": sync, "auth": auth, "pull": pull, "push": push, "new": new})


@pytest.fixture(scope="module")
def server():
    with FakeSheetsServer(seed=61) as fake:
        yield fake


@pytest.fixture
def anonymous(tmp_path: Path) -> Path:
    path = tmp_path / "anonymous.json"
    path.write_text('{"type": "anonymous"}')
    return path


@pytest.fixture
def invoke(server, anonymous, tmp_path):
    def run(*args: str, lang: str = "C"):
        env = {
            "SHEETCRM_SHEETS_API_ROOT": server.root_url,
            "SHEETCRM_CREDENTIALS": str(anonymous),
            "SHEETCRM_CONFIG_DIR": str(tmp_path / "config"),
            "LANG": lang,
            "LC_ALL": "",
        }
        return CliRunner().invoke(CLI, list(args), env=env)

    return run


def test_sync_end_to_end(server, invoke) -> None:
    sid = shop(server, 80)
    url = f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0"
    result = invoke("sync", url, "--as-of", "2024-12-31", "--progress")
    assert result.exit_code == 0, result.output
    assert "書き込み先: ショップ" in result.output  # the sheet's language: Japanese headers
    assert "Google へのリクエスト: 3 回（書き込み 1 回）" in result.output
    assert url.split("#")[0] in result.output
    assert "… reading the spreadsheet" in result.stderr
    assert "顧客分析" in server.spreadsheet(sid).sheet_titles


def test_sync_speaks_japanese_and_dry_run_writes_nothing(server, invoke) -> None:
    sid = shop(server, 30)
    before = server.spreadsheet(sid)
    result = invoke("sync", sid, "--as-of", "2024-12-31", "--dry-run", lang="ja_JP.UTF-8")
    assert result.exit_code == 0, result.output
    assert "書き込みはしていません" in result.output
    assert server.spreadsheet(sid) == before


def test_sync_errors_map_to_exit_codes_with_messages(server, invoke) -> None:
    sid = shop(server, 10)
    server.deny(sid)
    result = invoke("sync", sid)
    assert result.exit_code == 3
    assert "not shared" in result.stderr or "cannot open" in result.stderr
    bad = invoke("sync", "not a url")
    assert bad.exit_code == 2
    assert "is not a Google Sheets URL" in bad.stderr
    missing = invoke("sync", "1" * 44)
    assert missing.exit_code == 3 and "Check the URL" in missing.stderr


def test_sync_without_any_credentials_explains_what_to_do(server, tmp_path) -> None:
    env = {
        "SHEETCRM_SHEETS_API_ROOT": server.root_url,
        "SHEETCRM_CONFIG_DIR": str(tmp_path / "config"),
        "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "none.json"),
        "LC_ALL": "",
        "LANG": "C",
    }
    sid = shop(server, 10)
    result = CliRunner().invoke(CLI, ["sync", sid], env=env)
    assert result.exit_code == 3
    assert "No Google credentials were found" in result.stderr


def test_auth_reports_the_setup(server, invoke) -> None:
    sid = shop(server, 10)
    result = invoke("auth", sid)
    assert result.exit_code == 0, result.output
    assert "anonymous (testing aid)" in result.output
    assert "Google Sheets API: OK" in result.output
    assert "Opened the spreadsheet 'ショップ'" in result.output
    server.deny(sid)
    denied = invoke("auth", sid)
    assert denied.exit_code == 3
    assert "Google Sheets API: OK" in denied.output


def test_push_and_pull_through_the_cli(server, invoke, make_workbook, tmp_path) -> None:
    path = make_workbook({"注文": [["注文日", "お名前", "金額"], ["2024/1/5", "山田", 100]]})
    sid = server.create_spreadsheet("Target", {"Sheet1": []})
    pushed = invoke("push", str(path), sid)
    assert pushed.exit_code == 0, pushed.output
    assert "Pushed: 注文" in pushed.output
    again = invoke("push", str(path), sid)
    assert again.exit_code == 2 and "--replace" in again.stderr
    assert invoke("push", str(path), sid, "--replace").exit_code == 0

    out = tmp_path / "pulled.xlsx"
    pulled = invoke("pull", sid, "-o", str(out))
    assert pulled.exit_code == 0, pulled.output
    assert openpyxl.load_workbook(out)["注文"]["B2"].value == "山田"
    assert invoke("pull", sid, "-o", str(out)).exit_code == 2  # exists: needs --force


def test_new_google_prints_the_url(server, invoke) -> None:
    result = invoke("new", "うちの顧客", "--google", "--sample", "--share", "me@example.com")
    assert result.exit_code == 0, result.output
    assert "https://docs.google.com/spreadsheets/d/" in result.output
    assert "me@example.com と共有しました" in result.output  # the template's language
    key = result.output.split("/spreadsheets/d/")[1].split("/")[0]
    assert server.spreadsheet(key).title == "うちの顧客"


def test_help_imports_neither_gspread_nor_pandas() -> None:
    code = (
        "import sys, click; from click.testing import CliRunner; "
        "from sheetcrm.cli_google import sync, auth, pull, push; "
        "g = click.Group(commands={'sync': sync, 'auth': auth, 'pull': pull, 'push': push}); "
        "[CliRunner().invoke(g, [c, '--help']) for c in ('sync', 'auth', 'pull', 'push')]; "
        "print('gspread' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
