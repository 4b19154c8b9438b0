"""Mailing lists: who may receive a mailing, in the shape mail tools import."""

from __future__ import annotations

import pytest
from insights_helpers import activities, buyer, customers

from sheetcrm.insights import MAILING_COLUMNS, mailing_list, segment_key_for

PEOPLE = customers(
    buyer("A", first="2024-01-01", last="2024-12-01", segment="champions", email_opt_in=True),
    buyer("B", first="2024-01-01", segment="champions", email_opt_in=False),
    buyer("C", first="2024-01-01", segment="champions", email="not-an-email"),
    buyer("D", first="2024-01-01", segment="champions", email=None),
    buyer("E", first="2024-01-01", last="2024-06-01", segment="champions"),  # consent blank
    buyer("F", first="2024-01-01", segment="loyal", email_opt_in=True),
    {"customer_id": "G", "email": "g@example.com", "name": "Prospect G"},
)
ACTS = activities(("F", "2024-12-20", "complaint", None, "対応中"))


def test_mailing_list_leaves_out_opt_outs_bad_addresses_and_open_complaints() -> None:
    frame = mailing_list(PEOPLE, ACTS, lang="ja")
    assert list(frame.columns) == MAILING_COLUMNS
    assert frame["customer_id"].tolist() == ["A", "E", "G"]  # by segment, latest buyer first
    assert frame["email"].tolist() == ["a@example.com", "e@example.com", "g@example.com"]
    assert frame["segment"].tolist() == ["優良顧客", "優良顧客", "見込み客"]
    assert frame["segment_key"].tolist() == ["champions", "champions", "prospects"]


def test_mailing_list_for_one_segment_and_only_explicit_consent() -> None:
    champions = mailing_list(PEOPLE, ACTS, lang="en", segment_keys=["champions"])
    assert champions["customer_id"].tolist() == ["A", "E"]
    assert champions["segment"].tolist() == ["Champions", "Champions"]
    opted_in = mailing_list(PEOPLE, ACTS, lang="en", require_opt_in=True)
    assert opted_in["customer_id"].tolist() == ["A"]


def test_a_closed_complaint_does_not_block_mailings() -> None:
    closed = activities(("F", "2024-12-20", "complaint", None, "対応済"))
    assert "F" in mailing_list(PEOPLE, closed, lang="en")["customer_id"].tolist()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("champions", "champions"),
        ("優良顧客", "champions"),
        ("Can't lose them", "cant_lose"),
        ("can't lose them", "cant_lose"),
        ("見込み客", "prospects"),
        ("nobody", None),
    ],
)
def test_segment_names_in_either_language(text, key) -> None:
    assert segment_key_for(text) == key
