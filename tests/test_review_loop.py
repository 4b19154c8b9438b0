"""The Duplicates tab as a review queue: decisions are applied, remembered and undoable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from sheetcrm.decisions import MEMORY_TITLE
from sheetcrm.pipeline import refresh

AS_OF = dt.date(2024, 12, 31)
TAB = "重複候補"


def _refresh(path: Path):
    return refresh(path, as_of=AS_OF, backup=False).analysis


def _decide(path: Path, a: str, b: str, decision: str | None) -> None:
    """What the seller does in Excel: pick a value in the Decision column of a pair's row."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[TAB]
    for row in sheet.iter_rows():
        values = [c.value for c in row]
        if a in values and b in values:
            row[0].value = decision
            break
    else:
        raise AssertionError(f"pair {a}/{b} not in the Duplicates tab")
    workbook.save(path)


def _same_name_shop(make_workbook) -> Path:
    return make_workbook(
        {
            "注文": [
                ["注文日", "お名前", "メール", "金額"],
                ["2024/1/5", "佐藤花子", "hanako@example.com", 1000],
                ["2024/3/5", "佐藤花子", "hanako.sato@example.jp", 2000],
            ]
        }
    )


def test_merge_decision_is_applied_remembered_and_undoable(make_workbook) -> None:
    path = _same_name_shop(make_workbook)
    first = _refresh(path)
    assert len(first.customers) == 2
    (a, b) = first.resolution.candidates.loc[0, ["customer_id_a", "customer_id_b"]]
    _decide(path, a, b, "統合する")

    second = _refresh(path)
    assert len(second.customers) == 1
    assert second.customers.loc[0, "total_spent"] == 3000
    assert "decision" in second.customers.loc[0, "matched_by"]
    workbook = openpyxl.load_workbook(path)
    assert workbook[MEMORY_TITLE].sheet_state == "hidden"

    third = _refresh(path)  # nothing edited: the memory alone keeps them merged
    assert len(third.customers) == 1

    _decide(path, a, b, None)  # clearing the remembered decision forgets it
    fourth = _refresh(path)
    assert len(fourth.customers) == 2
    assert len(fourth.resolution.candidates) == 1


def test_keep_apart_is_never_proposed_again(make_workbook) -> None:
    path = _same_name_shop(make_workbook)
    first = _refresh(path)
    (a, b) = first.resolution.candidates.loc[0, ["customer_id_a", "customer_id_b"]]
    _decide(path, a, b, "別人")
    second = _refresh(path)
    assert second.resolution.candidates.empty
    assert len(second.customers) == 2
    third = _refresh(path)
    assert third.resolution.candidates.empty
    assert len(third.decisions) == 1


def test_automatic_merge_of_two_ids_can_be_split(make_workbook) -> None:
    path = make_workbook(
        {
            "顧客": [
                ["顧客ID", "氏名", "メール"],
                ["C001", "高橋", "family@example.com"],
                ["C002", "高橋 花", "family@example.com"],
            ]
        }
    )
    first = _refresh(path)
    assert first.customers["customer_id"].tolist() == ["C001"]
    _decide(path, "C001", "C002", "別人")
    second = _refresh(path)
    assert sorted(second.customers["customer_id"]) == ["C001", "C002"]
    assert second.resolution.candidates.empty  # kept apart: not proposed either


def test_review_memory_does_not_touch_the_sellers_sheets(make_workbook) -> None:
    path = _same_name_shop(make_workbook)
    before = [[c.value for c in r] for r in openpyxl.load_workbook(path)["注文"].iter_rows()]
    first = _refresh(path)
    (a, b) = first.resolution.candidates.loc[0, ["customer_id_a", "customer_id_b"]]
    _decide(path, a, b, "merge")  # English words work in a Japanese workbook too
    _refresh(path)
    after = [[c.value for c in r] for r in openpyxl.load_workbook(path)["注文"].iter_rows()]
    assert after == before
