"""The CLI end to end through click's CliRunner, on workbooks built in the tests."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm.cli import main

AS_OF = ["--as-of", "2024-12-31"]
SHOP = {
    "顧客": [
        ["顧客ID", "氏名", "メール", "電話"],
        ["C001", "山田太郎", "taro@example.com", "090-1111-2222"],
        ["C002", '=HYPERLINK("http://evil.example","x")', "evil@example.com", None],
    ],
    "注文": [
        ["売上記録 2024"],
        [],
        ["注文番号", "注文日", "顧客ID", "商品", "金額"],
        ["A1", "2024/1/5", "C001", "石けん", "¥1,200"],
        ["A2", "令和6年6月1日", "C001", "石けん", 1200],
        ["A3", "2024/7/1", "C002", "タオル", 800],
        ["A4", "3月頃", "C002", "タオル", 800],
    ],
}


def run(*args: str, lang_env: str = "C") -> object:
    return CliRunner().invoke(main, list(args), env={"LANG": lang_env, "LC_ALL": ""})


def test_help_teaches_with_examples() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "sheetcrm refresh shop.xlsx" in result.output
    for command in ("new", "refresh", "check", "export"):
        assert run(command, "--help").exit_code == 0


def test_help_does_not_import_pandas() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from sheetcrm.cli import main; "
        "CliRunner().invoke(main, ['--help']); print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_check_lists_issues_with_cells_and_fails_on_errors(make_workbook) -> None:
    path = make_workbook(SHOP)
    result = run("check", str(path), *AS_OF)
    assert result.exit_code == 1
    assert "注文!B7" in result.output
    assert "顧客 2" in result.output


def test_check_passes_on_clean_data(make_workbook) -> None:
    path = make_workbook({"Orders": [["Date", "Customer", "Amount"], ["2024-01-05", "Ann", 10]]})
    result = run("check", str(path), *AS_OF)
    assert result.exit_code == 0, result.output


def test_export_customers_csv_has_stable_columns_and_sources(make_workbook, tmp_path: Path) -> None:
    path = make_workbook(SHOP)
    out = tmp_path / "customers.csv"
    result = run(
        "export", str(path), "--table", "customers", "--format", "csv", "-o", str(out), *AS_OF
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["C001"]["total_spent"] == "2400.0"
    assert by_id["C001"]["purchase_days"] == "2"
    assert by_id["C001"]["sources"] == "顧客!2; 注文!4; 注文!5"
    assert by_id["C002"]["name"].startswith("'=HYPERLINK")  # neutralised for Excel


def test_export_orders_json_carries_source_and_customer(make_workbook) -> None:
    path = make_workbook(SHOP)
    result = run("export", str(path), "--table", "orders", "--format", "json", *AS_OF)
    assert result.exit_code == 0, result.output
    orders = json.loads(result.output)
    assert [o["source"] for o in orders] == ["注文!4", "注文!5", "注文!6"]
    assert orders[1]["order_date"] == "2024-06-01"
    assert orders[2]["customer_id"] == "C002"


def test_export_issues(make_workbook) -> None:
    path = make_workbook(SHOP)
    result = run("export", str(path), "--table", "issues", "--format", "json", *AS_OF)
    (issue,) = json.loads(result.output)
    assert (issue["sheet"], issue["row"], issue["column"], issue["code"]) == (
        "注文",
        7,
        "B",
        "date_unreadable",
    )


def test_generated_ids_for_a_sales_log_without_ids(make_workbook) -> None:
    path = make_workbook(
        {
            "Sales": [
                ["Date", "Buyer", "E-mail", "Total"],
                ["2024-01-05", "Ann", "ann@example.com", "$10.50"],
            ]
        }
    )
    result = run("export", str(path), "--table", "customers", "--format", "json", *AS_OF)
    (customer,) = json.loads(result.output)
    assert customer["customer_id"].startswith("C-")
    assert customer["total_spent"] == 10.5


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope.xlsx"))
    assert result.exit_code == 3
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_error_messages_follow_the_locale(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope.xlsx"), lang_env="ja_JP.UTF-8")
    assert "見つかりません" in result.output


def test_not_a_workbook_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "shop.xlsx"
    fake.write_text("name,amount\n")
    result = run("check", str(fake))
    assert result.exit_code == 3
    assert "not a valid Excel workbook" in result.output


def test_no_table_lists_the_headers_seen(make_workbook) -> None:
    path = make_workbook({"在庫": [["商品コード", "在庫数"], ["A-1", 3]]})
    result = run("check", str(path))
    assert result.exit_code == 4
    assert "商品コード" in result.output and "在庫" in result.output


def test_bad_as_of_is_a_usage_error(make_workbook) -> None:
    result = run("check", str(make_workbook(SHOP)), "--as-of", "yesterday")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_password_protected_workbook_is_refused(shared_dir: Path) -> None:
    result = run("check", str(shared_dir / "corpus" / "calamine" / "pass_protected.xlsx"))
    assert result.exit_code == 3
    assert "password" in result.output


def test_refresh_writes_tabs_and_reruns_identically(make_workbook) -> None:
    path = make_workbook(SHOP)
    first = run("refresh", str(path), *AS_OF, "--no-backup")
    assert first.exit_code == 0, first.output
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:2] == ["顧客", "注文"]
    assert {"サマリー", "顧客分析", "データの問題", "重複候補"} <= set(workbook.sheetnames)
    analysis = workbook["顧客分析"]
    names = [c.value for c in analysis["B"]]
    evil = next(c for c in analysis["B"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert evil.data_type == "s", names
    issues = workbook["データの問題"]
    assert any(c.value == "注文!B7" for c in issues["B"])
    sheetnames = workbook.sheetnames
    second = run("refresh", str(path), *AS_OF, "--no-backup")
    assert second.exit_code == 0, second.output
    assert openpyxl.load_workbook(path).sheetnames == sheetnames


def test_refresh_dry_run_writes_nothing(make_workbook) -> None:
    path = make_workbook(SHOP)
    before = path.read_bytes()
    result = run("refresh", str(path), *AS_OF, "--dry-run")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_refresh_to_another_file_leaves_the_input_untouched(make_workbook, tmp_path: Path) -> None:
    path = make_workbook(SHOP)
    before = path.read_bytes()
    out = tmp_path / "out.xlsx"
    result = run("refresh", str(path), *AS_OF, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before
    assert "サマリー" in openpyxl.load_workbook(out).sheetnames


def test_refresh_refuses_a_workbook_open_in_excel(make_workbook) -> None:
    path = make_workbook(SHOP)
    (path.parent / f"~${path.name}").write_bytes(b"owner")
    result = run("refresh", str(path), *AS_OF)
    assert result.exit_code == 3
    assert "Excel" in result.output


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_new_then_refresh_on_the_sample(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "demo.xlsx"
    assert run("new", str(path), "--sample", "--lang", lang).exit_code == 0
    result = run("refresh", str(path), "--no-backup")
    assert result.exit_code == 0, result.output
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    summary = "サマリー" if lang == "ja" else "Summary"
    assert summary in names
    assert len(names) >= 4 + 5  # seller tabs + summary, customers, segments, issues, duplicates


def test_mailing_export_excludes_opted_out_and_filters_segments(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    assert run("new", str(path), "--sample").exit_code == 0
    everyone = json.loads(run("export", str(path), "--table", "mailing", "--format", "json").output)
    assert everyone and all(r["email"] for r in everyone)
    customers = json.loads(
        run("export", str(path), "--table", "customers", "--format", "json").output
    )
    opted_out = {c["email"] for c in customers if c["email_opt_in"] is False}
    assert opted_out and not opted_out & {r["email"] for r in everyone}
    champions = json.loads(
        run(
            "export", str(path), "--table", "mailing", "--format", "json", "--segment", "優良顧客"
        ).output
    )
    assert champions and {r["segment_key"] for r in champions} == {"champions"}
    bad = run("export", str(path), "--table", "mailing", "--segment", "VIPs")
    assert bad.exit_code == 2 and "VIPs" in bad.output


def test_actions_export_and_tab(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    assert run("new", str(path), "--sample").exit_code == 0
    actions = json.loads(run("export", str(path), "--table", "actions", "--format", "json").output)
    assert actions and {"customer_id", "reason", "channel", "priority"} <= set(actions[0])
    assert run("refresh", str(path), "--no-backup").exit_code == 0
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names.index("やることリスト") == names.index("サマリー") + 1


def test_progress_bar_goes_to_stderr_only_when_asked(make_workbook) -> None:
    path = make_workbook(SHOP)
    quiet = CliRunner().invoke(main, ["refresh", str(path), *AS_OF, "--no-backup"])
    assert "finding tables" not in quiet.output
    shown = CliRunner().invoke(
        main,
        ["refresh", str(path), *AS_OF, "--no-backup", "--progress"],
        env={"LANG": "C", "LC_ALL": ""},
    )
    assert shown.exit_code == 0, shown.output
    assert "writing" in shown.stderr and "writing" not in shown.stdout


def test_internal_error_is_a_short_message_without_personal_data(make_workbook, monkeypatch):
    import sheetcrm.pipeline

    def broken(*args, **kwargs):
        raise ValueError("cannot parse 'taro@example.com' 090-1234-5678")

    monkeypatch.setattr(sheetcrm.pipeline, "analyse", broken)
    path = make_workbook(SHOP)
    result = run("check", str(path))
    assert result.exit_code == 70
    assert "internal error (ValueError)" in result.output
    assert "taro@example.com" not in result.output and "Traceback" not in result.output
    debug = run("--debug", "check", str(path))
    assert "Traceback" in debug.output and "t***@example.com" in debug.output
    assert "taro@example.com" not in debug.output and "090-****-5678" in debug.output
    shown = run("--debug", "--show-pii", "check", str(path))
    assert "taro@example.com" in shown.output
