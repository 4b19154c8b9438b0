"""The Action list rules, each checked on a few hand-built customers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from insights_helpers import activities, buyer, customers

from sheetcrm.insights import describe_actions, find_actions, open_complaints
from sheetcrm.insights.action_rules import action_rules, channels, priority_for
from sheetcrm.insights.actions import FINDERS
from sheetcrm.settings import Settings

AS_OF = dt.date(2025, 1, 10)
NO_ACTIVITIES = activities()


def run(people: pd.DataFrame, acts: pd.DataFrame = NO_ACTIVITIES, *, as_of=AS_OF, **settings):
    return find_actions(people, acts, as_of=as_of, settings=Settings(**settings))


def by_id(actions: pd.DataFrame) -> dict[str, pd.Series]:
    return {row["customer_id"]: row for _, row in actions.iterrows()}


# --- the table ----------------------------------------------------------------------


def test_every_rule_has_a_finder_and_known_channels() -> None:
    assert {r.key for r in action_rules()} == set(FINDERS)
    for rule in action_rules():
        assert set(rule.channels) <= set(channels())
        for lang in ("ja", "en"):
            assert rule.label(lang) and rule.text("action", lang) and rule.text("detail", lang)


def test_priority_levels_from_score() -> None:
    assert [priority_for(s).key for s in (100, 70, 69.6, 50, 49, 0)] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "low",
    ]


# --- follow-up and thank-you --------------------------------------------------------


def test_follow_up_is_due_seven_days_after_a_first_purchase_give_or_take_three() -> None:
    people = customers(
        buyer("A", first="2025-01-03"),  # 7 days ago: the follow-up day
        buyer("B", first="2024-12-31"),  # 10 days: last day of the window
        buyer("C", first="2024-12-30"),  # 11 days: too late
        buyer("D", first="2025-01-06"),  # 4 days: first day of the window
        buyer("E", first="2025-01-03", last="2025-01-05", days=2),  # already came back
        as_of=AS_OF,
    )
    found = by_id(run(people))
    assert found["A"]["reason"] == "follow_up"
    assert found["A"]["due_date"] == pd.Timestamp("2025-01-10")
    assert found["A"]["days"] == 7
    assert found["B"]["reason"] == "follow_up"
    assert found["B"]["due_date"] == pd.Timestamp("2025-01-07")
    assert found["D"]["reason"] == "follow_up"
    assert "C" not in found and "E" not in found


def test_follow_up_day_follows_the_settings_tab() -> None:
    people = customers(buyer("A", first="2024-12-27"), as_of=AS_OF)  # 14 days ago
    assert run(people).empty
    found = by_id(run(people, follow_up_days=14))
    assert found["A"]["reason"] == "follow_up"


def test_thank_you_within_three_days_of_a_purchase() -> None:
    people = customers(
        buyer(
            "T0", first="2024-05-01", last="2025-01-10", days=3, m_score=5, address="東京都港区1-1"
        ),
        buyer("T3", first="2024-05-01", last="2025-01-07", days=3),
        buyer("T4", first="2024-05-01", last="2025-01-06", days=3),
        as_of=AS_OF,
    )
    actions = run(people)
    found = by_id(actions)
    assert found["T0"]["reason"] == "thank_you"
    assert found["T0"]["days"] == 0
    assert found["T0"]["due_date"] == pd.Timestamp("2025-01-13")
    assert found["T0"]["channel"] == "letter"  # a thank-you letter for a valuable customer
    assert found["T3"]["reason"] == "thank_you"
    assert found["T3"]["channel"] == "email"
    assert "T4" not in found
    text = describe_actions(actions, "en").set_index("customer_id")
    assert text.loc["T0", "detail"] == "Bought today (2025-01-10)"
    assert text.loc["T3", "detail"] == "Bought on 2025-01-07 (3 days ago)"
    ja = describe_actions(actions, "ja").set_index("customer_id")
    assert ja.loc["T3", "detail"] == "2025/01/07 に購入（3日前）"
    assert ja.loc["T0", "channel_label"] == "手紙・DM"


# --- repeat timing and win-back -----------------------------------------------------


def test_customers_past_their_expected_next_purchase() -> None:
    loyal = {"segment": "loyal", "days": 3, "first": "2023-03-15", "last": "2024-10-01"}
    people = customers(
        buyer(
            "R1", next_purchase_expected="2025-01-05", average_days_between_purchases=30.0, **loyal
        ),
        buyer(
            "R2", next_purchase_expected="2025-01-10", average_days_between_purchases=30.0, **loyal
        ),  # due today: not past yet
        buyer(
            "R3", next_purchase_expected="2024-12-01", average_days_between_purchases=30.0, **loyal
        ),  # 40 days past a 30-day rhythm: gone quiet, not "due"
        buyer(
            "R4", next_purchase_expected="2024-11-21", average_days_between_purchases=60.0, **loyal
        ),  # 50 days past a 60-day rhythm
        as_of=AS_OF,
    )
    found = by_id(run(people))
    assert set(found) == {"R1", "R4"}
    assert found["R1"]["reason"] == "repeat_due"
    assert found["R1"]["days"] == 5
    assert found["R1"]["event_date"] == pd.Timestamp("2025-01-05")
    assert found["R1"]["due_date"] == pd.Timestamp(AS_OF)
    assert found["R4"]["days"] == 50


def test_win_back_for_valuable_customers_drifting_away() -> None:
    long_ago = {"first": "2023-03-15", "last": "2024-05-20", "days": 6}
    people = customers(
        buyer("W1", segment="cant_lose", m_score=5, phone="+819012345678", **long_ago),
        buyer("W2", segment="at_risk", m_score=2, phone="+819012345679", **long_ago),
        buyer("W3", segment="hibernating", m_score=2, **long_ago),
        as_of=AS_OF,
    )
    actions = run(people)
    found = by_id(actions)
    assert set(found) == {"W1", "W2"}
    assert found["W1"]["reason"] == "win_back"
    assert found["W1"]["channel"] == "phone"
    assert found["W2"]["channel"] == "email"  # not valuable enough for a call
    assert found["W1"]["note"] == "cant_lose"
    text = describe_actions(actions, "en").set_index("customer_id")
    assert text.loc["W1", "detail"] == "Can't lose them: last purchase 2024-05-20 (235 days ago)"


def test_win_back_drops_off_once_the_seller_has_called() -> None:
    long_ago = {"first": "2023-03-15", "last": "2024-05-20", "days": 4, "segment": "at_risk"}
    people = customers(buyer("W4", **long_ago), buyer("W5", **long_ago), as_of=AS_OF)
    acts = activities(
        ("W4", "2024-12-31", "call_out"),  # 10 days ago: done
        ("W5", "2024-12-01", "call_out"),  # 40 days ago: time to try again
        ("W5", "2025-01-09", "newsletter"),  # a mass mailing is not a contact
    )
    assert set(by_id(run(people, acts))) == {"W5"}


# --- responders ---------------------------------------------------------------------


def test_recent_responders_who_have_not_bought_rank_by_recency() -> None:
    people = customers(
        {"customer_id": "P1", "email": "p1@example.com"},
        {"customer_id": "P2", "email": "p2@example.com"},
        {"customer_id": "P3", "email": "p3@example.com"},
        buyer("P4", first="2024-03-01", last="2025-01-07", days=2),
        buyer("P5", first="2024-03-01", last="2024-06-01", days=2, segment="loyal"),
        {"customer_id": "P6", "email": "p6@example.com"},
        {"customer_id": "P7", "email": "p7@example.com"},
        as_of=AS_OF,
    )
    acts = activities(
        ("P1", "2025-01-08", "inquiry"),  # 2 days ago
        ("P2", "2024-12-21", "document_request"),  # 20 days ago
        ("P3", "2024-12-01", "inquiry"),  # 40 days ago: outside responder_days (30)
        ("P4", "2025-01-05", "inquiry"),  # then bought on 2025-01-07
        ("P5", "2025-01-09", "inquiry"),  # bought long before: still a lead
        ("P6", "2025-01-04", "inquiry"),
        ("P6", "2025-01-05", "email_sent"),  # already answered
        ("P7", "2025-01-09", "visit"),  # a visit is not an inquiry
    )
    actions = run(people, acts)
    responders = actions[actions["reason"] == "responder"]
    assert responders["customer_id"].tolist() == ["P5", "P1", "P2"]
    assert responders["priority_score"].tolist() == [84, 83, 65]  # 85 − 30 × age / 30
    assert responders["priority"].tolist() == ["high", "high", "medium"]
    assert by_id(actions)["P4"]["reason"] == "thank_you"
    assert {"P3", "P6", "P7"}.isdisjoint(actions["customer_id"])
    text = describe_actions(responders, "ja").set_index("customer_id")
    assert text.loc["P2", "detail"] == "2024/12/21 に資料請求（20日前）、その後の購入なし"


# --- birthdays and anniversaries ----------------------------------------------------


def test_birthdays_in_the_coming_two_weeks_wrap_into_january() -> None:
    as_of = dt.date(2025, 12, 25)
    people = customers(
        {"customer_id": "B1", "email": "b1@example.com", "birthday": "1990-01-03"},
        {"customer_id": "B2", "email": "b2@example.com", "birthday": "1990-12-20"},
        {"customer_id": "B3", "email": "b3@example.com", "birthday": "1990-12-25"},
        {"customer_id": "B4", "email": "b4@example.com", "birthday": "1990-01-08"},
        {"customer_id": "B5", "email": "b5@example.com", "birthday": "1990-01-09"},
    )
    actions = run(people, as_of=as_of)
    found = by_id(actions)
    assert set(found) == {"B1", "B3", "B4"}
    assert found["B1"]["event_date"] == pd.Timestamp("2026-01-03")
    assert found["B1"]["days"] == 9
    assert found["B4"]["days"] == 14
    text = describe_actions(actions, "en").set_index("customer_id")
    assert text.loc["B3", "detail"] == "Birthday today (2025-12-25)"
    assert text.loc["B1", "detail"] == "Birthday on 2026-01-03 (in 9 days)"


@pytest.mark.parametrize(
    ("as_of", "expected", "days"),
    [
        (dt.date(2025, 2, 20), "2025-02-28", 8),  # not a leap year: the 28th
        (dt.date(2028, 2, 20), "2028-02-29", 9),  # leap year: the day itself
        (dt.date(2027, 3, 1), None, None),  # the 28th has passed; next is 2028-02-29
    ],
)
def test_birthday_on_29_february(as_of, expected, days) -> None:
    people = customers({"customer_id": "X", "email": "x@example.com", "birthday": "2000-02-29"})
    found = by_id(run(people, as_of=as_of))
    if expected is None:
        assert "X" not in found
    else:
        assert found["X"]["event_date"] == pd.Timestamp(expected)
        assert found["X"]["days"] == days


def test_purchase_anniversaries() -> None:
    as_of = dt.date(2024, 12, 30)
    steady = {"last": "2024-06-01", "days": 2, "segment": "loyal"}
    people = customers(
        buyer("N1", first="2023-01-05", **steady),
        buyer("N2", first="2024-01-02", **steady),
        buyer("N3", first="2023-12-29", **steady),  # was yesterday
        as_of=as_of,
    )
    actions = run(people, as_of=as_of)
    found = by_id(actions)
    assert set(found) == {"N1", "N2"}
    assert found["N1"]["event_date"] == pd.Timestamp("2025-01-05")
    assert found["N1"]["note"] == 2
    assert found["N2"]["note"] == 1
    text = describe_actions(actions, "en").set_index("customer_id")
    assert text.loc["N1", "detail"] == (
        "2 year(s) since the first purchase on 2025-01-05 (in 6 days)"
    )
    assert describe_actions(actions, "ja").set_index("customer_id").loc["N2", "action"] == (
        "初めてのご購入から1年のお礼と特典のご案内を"
    )


# --- channels -----------------------------------------------------------------------


def _drifting(customer_id: str, **overrides: object) -> dict[str, object]:
    return buyer(
        customer_id,
        first="2023-03-15",
        last="2024-05-20",
        days=6,
        segment="cant_lose",
        **overrides,
    )


def test_personal_channels_only_for_valuable_customers() -> None:
    phone = "+819012345678"
    people = customers(
        _drifting("V1", m_score=4, phone=phone),
        _drifting("V2", m_score=3, phone=phone),
        _drifting("V3", m_score=3, phone=phone, email=None),  # a call is too costly
        _drifting("V4", m_score=5, email=None, address="大阪府大阪市北区1-1"),
        _drifting("V5", m_score=5, email=None),
        as_of=AS_OF,
    )
    acts = activities(("V5", "2024-09-01", "sales_visit"))
    found = by_id(run(people, acts))
    assert {k: v["channel"] for k, v in found.items()} == {
        "V1": "phone",
        "V2": "email",
        "V4": "letter",
        "V5": "visit",
    }
    cheaper_threshold = by_id(run(people, acts, personal_channel_min_m_score=3))
    assert cheaper_threshold["V2"]["channel"] == "phone"
    assert cheaper_threshold["V3"]["channel"] == "phone"


def test_opted_out_customers_get_neither_email_nor_dm() -> None:
    out = {"email_opt_in": False}
    people = customers(
        _drifting("O1", m_score=1, **out),  # only e-mail would fit: nothing at all
        _drifting("O2", m_score=5, phone="+819012345678", **out),
        _drifting("O3", m_score=1, **out),  # a LINE friend
        {"customer_id": "O4", "email": "o4@example.com", **out},
        _drifting("O5", m_score=1, email_opt_in=None),  # blank consent is not an opt-out
        _drifting("O6", m_score=5, address="東京都港区1-1", **out),  # no DM either
        as_of=AS_OF,
    )
    acts = activities(("O3", "2024-04-01", "line_reply"), ("O4", "2025-01-08", "inquiry"))
    found = by_id(run(people, acts))
    assert {k: v["channel"] for k, v in found.items()} == {
        "O2": "phone",
        "O3": "line",
        "O5": "email",
    }


def test_no_rule_ever_suggests_email_to_an_opted_out_customer() -> None:
    scenarios = {
        "follow_up": {"first": "2025-01-03"},
        "thank_you": {"first": "2025-01-09"},
        "win_back": {"first": "2023-03-15", "last": "2024-05-20", "days": 6, "segment": "at_risk"},
        "anniversary": {"first": "2023-01-12", "last": "2024-05-20", "days": 2, "segment": "loyal"},
    }
    rows: list[dict[str, object]] = []
    acts: list[tuple] = []
    for reason, scenario in scenarios.items():
        rows.append(
            buyer(f"{reason}-5", m_score=5, phone="+819012345678", address="東京都", **scenario)
        )
        rows.append(buyer(f"{reason}-1", m_score=1, **scenario))
        acts.append((f"{reason}-1", "2024-01-01", "line_reply"))  # reachable on LINE
    rows.append({"customer_id": "birthday-0", "email": "b@example.com", "birthday": "1980-01-12"})
    rows.append({"customer_id": "responder-0", "email": "r@example.com"})
    acts.append(("responder-0", "2025-01-09", "inquiry"))
    for row in rows:
        row["email_opt_in"] = False
    people = customers(*rows, as_of=AS_OF)

    marketing = run(people, activities(*acts))
    assert set(marketing["reason"]) == set(scenarios)  # the e-mail-only prospects: nothing
    assert set(marketing["channel"]) == {"phone", "line"}  # never e-mail, never DM

    complaints = [(row["customer_id"], "2025-01-01", "complaint") for row in rows]
    service = run(people, activities(*acts, *complaints))
    assert set(service["reason"]) == {"complaint"}
    assert len(service) == len(rows)
    assert "email" not in set(service["channel"])


# --- complaints ---------------------------------------------------------------------


def test_open_complaint_replaces_every_marketing_reason() -> None:
    people = customers(
        _drifting("K1", m_score=5, phone="+819012345678", birthday="1980-01-13"),
        _drifting("K2", birthday="1980-01-13"),
        _drifting("K3", m_score=1, email_opt_in=False),
        _drifting("K4"),
        _drifting("K5"),
        as_of=AS_OF,
    )
    acts = activities(
        ("K1", "2025-01-02", "complaint", None, "対応中"),
        ("K2", "2025-01-02", "complaint", None, "完了"),
        ("K3", "2025-01-02", "complaint"),  # no status: open until marked closed
        ("K4", "2024-11-01", "complaint"),  # open …
        ("K4", "2025-01-05", "complaint", None, "対応済み"),  # … even though a later one closed
        ("K5", "2025-01-02", "complaint", None, "Resolved"),
    )
    actions = run(people, acts)
    found = by_id(actions)
    assert found["K1"]["reason"] == "complaint"
    assert found["K1"]["other_reasons"] == []  # not even listed as "other reasons"
    assert found["K1"]["channel"] == "phone"
    assert found["K1"]["priority"] == "high"
    assert found["K2"]["reason"] == "win_back"
    assert found["K2"]["other_reasons"] == ["birthday"]
    assert found["K3"]["reason"] == "complaint"
    assert pd.isna(found["K3"]["channel"])  # e-mail is the only way, and they opted out
    assert found["K4"]["reason"] == "complaint"
    assert found["K4"]["event_date"] == pd.Timestamp("2024-11-01")
    assert found["K5"]["reason"] == "win_back"
    text = describe_actions(actions, "ja").set_index("customer_id")
    assert text.loc["K1", "detail"] == "2025/01/02 のクレームが未解決（状況: 対応中）"
    assert text.loc["K3", "detail"] == "2025/01/02 のクレームが未解決（状況: 未記入）"


def test_open_complaints_counts_each_customers_open_rows() -> None:
    acts = activities(
        ("A", "2024-05-01", "complaint", None, "未対応"),
        ("A", "2024-06-01", "complaint", None, "pending"),
        ("A", "2024-07-01", "complaint", None, "closed"),
        ("B", "2024-05-01", "complaint", None, "完了（返金）"),
        ("C", "2024-05-01", "inquiry"),
    )
    found = open_complaints(acts).set_index("customer_id")
    assert found.index.tolist() == ["A"]
    assert found.loc["A", "open_complaints"] == 2
    assert found.loc["A", "status"] == "未対応"


# --- one row per customer, sorted ---------------------------------------------------


def test_one_row_per_customer_highest_priority_first() -> None:
    people = customers(
        _drifting("M1", birthday="1985-01-15"),  # win-back (65) and birthday (50)
        {"customer_id": "M2", "email": "m2@example.com", "birthday": "1985-01-12"},
        buyer("M3", first="2025-01-03"),  # follow-up (70)
        as_of=AS_OF,
    )
    actions = run(people)
    assert actions["customer_id"].tolist() == ["M3", "M1", "M2"]
    assert actions["customer_id"].is_unique
    assert actions.loc[1, "other_reasons"] == ["birthday"]
    assert describe_actions(actions, "ja").loc[1, "others"] == "誕生日"
    assert actions.loc[0, "other_reasons"] == []


def test_no_one_to_contact_gives_an_empty_list_with_the_documented_columns() -> None:
    from sheetcrm.insights import ACTION_COLUMNS

    actions = run(customers({"customer_id": "Z"}))
    assert actions.empty
    assert list(actions.columns) == ACTION_COLUMNS
    assert describe_actions(actions, "en").empty
