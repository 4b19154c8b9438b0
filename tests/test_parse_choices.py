import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.parse.choices import (
    ACTIVITY_TYPES,
    GENDERS,
    ORDER_STATUSES,
    RESPONSE_TYPES,
    activity_type_label,
    fold_choice,
    parse_activity_types,
    parse_genders,
    parse_opt_in,
    parse_order_status,
)
from sheetcrm.resources import load_table

VOCABULARY = load_table("vocabulary")


def one(parser, text):
    result = parser(pd.Series([text]))
    value = result.values.iloc[0]
    return (None if pd.isna(value) else value), result.codes.iloc[0]


# --- order status -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[
            (w, "completed")
            for w in [
                "完了",
                "済",
                "発送済",
                "発送済み",
                "出荷済",
                "入金済",
                "支払済",
                "受取済",
                "納品済",
                "販売済",
                "Completed",
                "shipped",
            ]
        ],
        *[
            (w, "cancelled")
            for w in [
                "キャンセル",
                "ｷｬﾝｾﾙ",
                "取消",
                "取り消し",
                "キャンセル済",
                "cancelled",
                "Canceled",
                "VOID",
            ]
        ],
        *[
            (w, "refunded")
            for w in [
                "返品",
                "返金",
                "返金済",
                "払い戻し",
                "refund",
                "Refunded",
                "returned",
                "chargeback",
            ]
        ],
        *[
            (w, "pending")
            for w in [
                "未入金",
                "入金待ち",
                "保留",
                "予約",
                "受付",
                "未発送",
                "処理中",
                "pending",
                "Processing",
                "On Hold",
                "on-hold",
            ]
        ],
    ],
)
def test_order_status_words(text, expected):
    assert one(parse_order_status, text) == (expected, None)


def test_unknown_status_counts_as_completed_with_a_warning():
    assert one(parse_order_status, "謎のステータス") == ("completed", "status_unrecognised")


def test_blank_status_is_left_to_the_caller():
    result = parse_order_status(pd.Series([None, "", "　"]))
    assert result.values.isna().all() and result.codes.isna().all()


def test_status_with_a_bracketed_note_reads_the_word():
    assert one(parse_order_status, "キャンセル（返金なし）") == ("cancelled", None)


# --- activity types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[
            (w, "inquiry")
            for w in ["問い合わせ", "問合せ", "お問合せ", "質問", "相談", "Inquiry", "enquiry"]
        ],
        ("資料請求", "document_request"),
        *[(w, "sample_request") for w in ["サンプル請求", "試供品"]],
        *[(w, "complaint") for w in ["クレーム", "苦情"]],
        *[(w, "feedback") for w in ["感想", "レビュー", "口コミ", "アンケート回答", "review"]],
        *[(w, "visit") for w in ["来店", "訪問", "来場"]],
        ("予約", "reservation"),
        *[(w, "email_sent") for w in ["メール送信", "メルマガ配信", "E-mail"]],
        *[(w, "dm_sent") for w in ["DM送付", "DM", "はがき", "ハガキ", "カタログ送付"]],
        ("LINE配信", "line_sent"),
        *[(w, "call_out") for w in ["電話", "架電"]],
        ("返信", "email_reply"),
        ("newsletter", "newsletter"),
    ],
)
def test_activity_type_words(text, expected):
    assert one(parse_activity_types, text) == (expected, None)


def test_activity_type_key_and_labels_are_words_too():
    assert one(parse_activity_types, "document_request") == ("document_request", None)
    assert one(parse_activity_types, "Document request") == ("document_request", None)


def test_unknown_activity_is_other_without_an_issue():
    assert one(parse_activity_types, "社長と雑談") == ("other", None)


def test_response_types_are_the_customers_actions():
    assert {"inquiry", "document_request", "complaint", "visit", "email_reply"} <= RESPONSE_TYPES
    assert (
        not {"email_sent", "dm_sent", "line_sent", "call_out", "newsletter", "other"}
        & RESPONSE_TYPES
    )
    assert RESPONSE_TYPES < ACTIVITY_TYPES


@pytest.mark.parametrize("key", sorted(VOCABULARY["activity_types"]))
def test_every_activity_type_has_both_labels(key):
    assert activity_type_label(key, "ja") and activity_type_label(key, "en")
    assert isinstance(VOCABULARY["activity_types"][key]["response"], bool)


def test_activity_type_label_by_language():
    assert activity_type_label("inquiry", "ja") == "問い合わせ"
    assert activity_type_label("inquiry", "en") == "Inquiry"


# --- gender -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(w, "female") for w in ["女", "女性", "F", "female", "Woman", "おんな"]],
        *[(w, "male") for w in ["男", "男性", "M", "male", "ＭＡＬＥ"]],
        *[(w, "other") for w in ["その他", "回答しない", "other", "non-binary", "Non Binary"]],
    ],
)
def test_gender_words(text, expected):
    assert one(parse_genders, text) == (expected, None)


def test_unknown_gender_is_flagged():
    assert one(parse_genders, "宇宙人") == (None, "value_unrecognised")


def test_gender_unknown_word_reads_as_blank():
    assert one(parse_genders, "不明") == (None, None)


# --- opt-in -----------------------------------------------------------------------

YES = [
    "yes",
    "Y",
    "true",
    "TRUE",
    "1",
    "1.0",
    "はい",
    "可",
    "○",
    "〇",
    "◯",
    "希望",
    "希望する",
    "許可",
    "購読",
    "購読中",
    "受け取る",
    "opt-in",
    "Opt In",
    "subscribed",
]
NO = [
    "no",
    "n",
    "false",
    "0",
    "いいえ",
    "不可",
    "×",
    "✕",
    "希望しない",
    "拒否",
    "解除",
    "配信停止",
    "停止",
    "不要",
    "受け取らない",
    "opt-out",
    "unsubscribed",
]


@pytest.mark.parametrize(
    ("text", "expected"), [*[(w, True) for w in YES], *[(w, False) for w in NO]]
)
def test_opt_in_words(text, expected):
    assert one(parse_opt_in, text) == (expected, None)


@pytest.mark.parametrize("text", ["x", "maybe", "たぶん"])
def test_unknown_opt_in_is_flagged(text):
    assert one(parse_opt_in, text) == (None, "value_unrecognised")


def test_opt_in_is_nullable_boolean():
    result = parse_opt_in(pd.Series(["はい", "いいえ", None]))
    assert result.values.dtype == "boolean"
    assert result.values.tolist() == [True, False, pd.NA]


# --- vocabulary -------------------------------------------------------------------


def test_folding_ignores_width_case_and_spaces():
    assert fold_choice("ＯＰＴ－ＩＮ") == fold_choice("opt in") == fold_choice("Opt_In") == "optin"


@pytest.mark.parametrize(
    ("table", "parser"),
    [("order_status", parse_order_status), ("gender", parse_genders), ("opt_in", parse_opt_in)],
)
def test_every_vocabulary_word_parses_to_its_value(table, parser):
    words = [(w, v) for v, ws in VOCABULARY[table]["values"].items() for w in ws]
    result = parser(pd.Series([w for w, _ in words] + [w.upper() for w, _ in words]))
    expected = [v for _, v in words] * 2
    if table == "opt_in":
        expected = [v == "true" for v in expected]
    assert result.values.tolist() == expected
    assert result.codes.isna().all()


def test_every_activity_synonym_parses_to_its_type():
    words = [(w, k) for k, e in VOCABULARY["activity_types"].items() for w in e["synonyms"]]
    result = parse_activity_types(pd.Series([w for w, _ in words]))
    assert result.values.tolist() == [k for _, k in words]


# --- properties -------------------------------------------------------------------

PARSERS = {
    parse_order_status: (ORDER_STATUSES, {"status_unrecognised"}),
    parse_activity_types: (ACTIVITY_TYPES, set()),
    parse_genders: (GENDERS, {"value_unrecognised"}),
    parse_opt_in: ({True, False}, {"value_unrecognised"}),
}


@pytest.mark.parametrize("parser", list(PARSERS), ids=lambda p: p.__name__)
@given(
    cells=st.lists(st.one_of(st.none(), st.text(), st.sampled_from(["完了", "はい", "女", "来店"])))
)
def test_choices_stay_in_their_value_set(parser, cells):
    raw = pd.Series(cells, index=[i * 2 for i in range(len(cells))], dtype=object)
    result = parser(raw)
    allowed, codes = PARSERS[parser]
    assert result.values.index.equals(raw.index) and result.codes.index.equals(raw.index)
    assert result.values.dropna().isin(allowed).all()
    assert result.codes.dropna().isin(codes).all()
    blank = raw.isna() | (raw.astype("string").str.strip() == "")
    assert result.codes[blank].isna().all()
    if parser in (parse_genders, parse_opt_in):  # failures carry no value
        assert result.values[result.codes.notna()].isna().all()
    else:  # every non-blank cell gets a value
        assert result.values[~blank].notna().all()


def test_value_sets_match_the_vocabulary():
    assert set(VOCABULARY["order_status"]["values"]) == ORDER_STATUSES
    assert set(VOCABULARY["gender"]["values"]) == GENDERS
    assert set(VOCABULARY["activity_types"]) == ACTIVITY_TYPES
