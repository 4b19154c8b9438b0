"""`forget`: a person leaves every generated tab; the seller's rows are listed, untouched."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm import crypto, pipeline
from sheetcrm.decisions import Decision, Decisions
from sheetcrm.exports import export_frame
from sheetcrm.forget import (
    FORGOTTEN_TITLE,
    ForgetList,
    exclude,
    forget,
    identifier,
    read_forget_list,
)
from sheetcrm.package import generated_sheets
from sheetcrm.source import read_workbook_source

AS_OF = dt.date(2024, 12, 31)
EMAIL = "taro.yamada@example.jp"
PHONE = "090-1111-2222"
NAME = "山田太郎"


def rows() -> dict[str, list[list[object]]]:
    customers = [["顧客ID", "氏名", "メールアドレス", "電話番号", "住所"]]
    customers.append(["C001", NAME, EMAIL, PHONE, "東京都新宿区1-2-3"])
    customers.append(["C002", "佐藤花子", "hanako@example.jp", "090-3333-4444", "大阪府"])
    customers.append(["C003", "鈴木一郎", "ichiro@example.jp", "090-5555-6666", "京都府"])
    orders = [["注文番号", "購入日", "顧客ID", "氏名", "電話番号", "金額"]]
    orders.append(["A1", dt.date(2024, 3, 1), "C001", None, None, 5500])
    orders.append(["A2", dt.date(2024, 5, 1), None, NAME, PHONE, 3300])  # phone + name only
    orders.append(["A3", dt.date(2024, 6, 1), "C002", None, None, 1980])
    orders.append(["A4", dt.date(2024, 7, 1), "C003", None, None, 8800])
    notes = [["メモ"], ["電話あり"], [f"返品の連絡: {EMAIL.upper()}"]]
    return {"顧客": customers, "注文": orders, "メモ": notes}


@pytest.fixture
def shop(make_workbook) -> Path:
    path = make_workbook(rows())
    pipeline.refresh(path, as_of=AS_OF)
    return path


def generated_text(path: Path) -> str:
    """All text of the tabs sheetcrm generated (inline strings), plus defined names."""
    ours = set(generated_sheets(path))
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
        text = []
        for title, rid in re.findall(r'<sheet name="([^"]+)"[^>]*r:id="(rId\d+)"', workbook):
            if title in ours:
                text.append(
                    archive.read("xl/" + targets[rid].lstrip("/").removeprefix("xl/")).decode()
                )
    return "\n".join(text)


def seller_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name)
            for name in (
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml",
                "xl/worksheets/sheet3.xml",
                "xl/sharedStrings.xml",
            )
            if name in archive.namelist()
        }


def test_before_forgetting_the_person_is_in_the_generated_tabs(shop: Path) -> None:
    text = generated_text(shop)
    assert EMAIL in text and NAME in text


def test_forget_by_email_removes_them_from_every_generated_tab(shop: Path) -> None:
    seller = seller_parts(shop)
    report = forget(shop, f"  {EMAIL.upper()} ", as_of=AS_OF)
    assert report.found and report.customers == 1
    text = generated_text(shop)
    for personal in (EMAIL, NAME, PHONE, "C001", "090-1111"):
        assert personal not in text
    assert "hanako@example.jp" in text  # everyone else is still there
    assert seller_parts(shop) == seller  # the seller's sheets, byte for byte


def test_the_report_lists_every_row_still_holding_their_data_masked(shop: Path) -> None:
    report = forget(shop, EMAIL, as_of=AS_OF)
    refs = [row.ref for row in report.rows]
    assert refs == ["メモ!3", "注文!2", "注文!3", "顧客!2"]
    shown = repr(report)
    for personal in (EMAIL, NAME, PHONE, "東京都新宿区"):
        assert personal not in shown
    customer_row = dict(report.rows[-1].cells)
    assert customer_row["C"] == "t***@example.jp" and customer_row["D"] == "090-****-2222"
    assert customer_row["A"] == "C001" and customer_row["B"] == "山***"
    assert report.who == "t***@example.jp"


def test_they_stay_forgotten_on_later_refreshes_checks_and_exports(shop: Path) -> None:
    forget(shop, EMAIL, as_of=AS_OF)
    pipeline.refresh(shop, as_of=AS_OF)
    assert EMAIL not in generated_text(shop)
    analysis = pipeline.analyse(shop, as_of=AS_OF)
    assert "C001" not in set(analysis.customers["customer_id"])
    assert not any(i.sheet == "顧客" and i.row == 2 for i in analysis.issues)
    for table in ("customers", "orders", "issues", "duplicates"):
        assert EMAIL not in export_frame(analysis, table).to_csv()
    assert analysis.orders["amount"].sum() == 1980 + 8800  # their orders left the totals


def test_the_hidden_list_holds_keyed_hashes_not_the_person(shop: Path) -> None:
    forget(shop, EMAIL, as_of=AS_OF)
    with zipfile.ZipFile(shop) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert re.search(rf'<sheet name="{FORGOTTEN_TITLE}"[^>]*state="hidden"', workbook)
    listed = read_workbook_source(shop).forget_list()
    assert len(listed) == 1 and listed.knows([identifier(EMAIL)]) and listed.knows([("id", "C001")])
    assert not ForgetList(b"another key", listed.entries).knows([identifier(EMAIL)])


def test_forget_by_the_sellers_customer_id(shop: Path) -> None:
    report = forget(shop, "C001", as_of=AS_OF)
    assert report.found and report.who == "C001"
    assert EMAIL not in generated_text(shop)


def test_duplicate_candidates_decisions_and_merges_with_them_disappear(shop: Path) -> None:
    analysis = pipeline.analyse(shop, as_of=AS_OF)
    pair = pd.DataFrame(
        {"customer_id_a": ["C001"], "customer_id_b": ["C002"], "score": [0.9], "evidence": [[]]}
    )
    resolution = dataclasses.replace(
        analysis.resolution, candidates=pair, id_merges={"C900": "C001", "C901": "C003"}
    )
    decided = Decisions({("C001", "C002"): Decision("C001", "C002", "keep_apart")})
    analysis = dataclasses.replace(analysis, resolution=resolution, decisions=decided)
    listed = ForgetList().adding([identifier(EMAIL)], AS_OF)
    left = exclude(analysis, listed)
    assert left.resolution.candidates.empty and len(left.decisions) == 0
    assert left.resolution.id_merges == {"C901": "C003"}
    assert len(left.customers) == len(analysis.customers) - 1


def test_undo_brings_them_back(shop: Path) -> None:
    forget(shop, EMAIL, as_of=AS_OF)
    report = forget(shop, "C001", undo=True, as_of=AS_OF)
    assert report.undone and report.found and report.remembered == 0
    assert EMAIL in generated_text(shop)
    assert FORGOTTEN_TITLE not in generated_sheets(shop)  # an empty list has no tab


def test_someone_not_in_the_workbook_is_remembered_for_later(shop: Path, make_workbook) -> None:
    report = forget(shop, "newcomer@example.jp", as_of=AS_OF)
    assert not report.found and report.rows == ()
    listed = read_workbook_source(shop).forget_list()
    later = rows()
    later["顧客"].append(["C009", "新人", "newcomer@example.jp", "090-9999-0000", "沖縄県"])
    analysis = pipeline.analyse(make_workbook(later, name="later.xlsx"), as_of=AS_OF)
    assert "C009" in set(analysis.customers["customer_id"])
    assert "C009" not in set(exclude(analysis, listed).customers["customer_id"])


def test_forget_keeps_an_encrypted_workbook_encrypted(shop: Path) -> None:
    crypto.encrypt_workbook(shop, "pw-1234")
    report = forget(shop, EMAIL, password="pw-1234", as_of=AS_OF)
    assert report.found and crypto.is_encrypted(shop)
    assert report.backup is not None and crypto.is_encrypted(report.backup)
    analysis = pipeline.analyse(shop, password="pw-1234", as_of=AS_OF)
    assert "C001" not in set(analysis.customers["customer_id"])


def test_an_empty_or_keyless_list_changes_nothing(shop: Path) -> None:
    analysis = pipeline.analyse(shop, as_of=AS_OF)
    assert exclude(analysis, ForgetList()) is analysis
    assert read_forget_list(None) == ForgetList()


def test_cli_forget_prints_masked_rows(shop: Path) -> None:
    import click

    from sheetcrm.cli import main
    from sheetcrm.cli_privacy import register

    group = click.Group(commands=dict(main.commands))
    register(group)
    result = CliRunner().invoke(group, ["forget", str(shop), EMAIL, "--lang", "ja"])
    assert result.exit_code == 0, result.output
    assert "t***@example.jp" in result.output and "顧客!2" in result.output
    assert EMAIL not in result.output and NAME not in result.output
    result = CliRunner().invoke(group, ["forget", str(shop), EMAIL, "--undo", "--lang", "en"])
    assert result.exit_code == 0 and "off the list" in result.output
