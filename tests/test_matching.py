"""Duplicate candidates beyond the exact keys: notations, traps, blocking, determinism."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.address import kanji_number, split_address, split_addresses
from sheetcrm.matching import (
    CANDIDATE_COLUMNS,
    EVIDENCE,
    default_rules,
    find_candidates,
    fold_name,
    mailbox,
    match_customers,
    postal_digits,
)
from sheetcrm.parse.emails import parse_emails
from sheetcrm.parse.names import kana_key, name_key
from sheetcrm.parse.phones import parse_phones
from sheetcrm.parse.postal import extract_prefecture, parse_postal_codes
from sheetcrm.resources import load_table

THRESHOLD = default_rules().threshold


def customers(*rows: dict) -> pd.DataFrame:
    """Customers as the pipeline hands them over: cells typed by a seller, then parsed.

    Each row may give ``name``, ``kana``, ``email``, ``phone``, ``postal_code`` and
    ``address`` as typed; ``customer_id`` defaults to C1, C2… in order.
    """
    raw = pd.DataFrame(
        [
            {
                "customer_id": row.get("customer_id", f"C{i + 1}"),
                "name": row.get("name"),
                "kana": row.get("kana"),
                "email": row.get("email"),
                "phone": row.get("phone"),
                "postal_code": row.get("postal_code"),
                "address": row.get("address"),
            }
            for i, row in enumerate(rows)
        ],
        columns=["customer_id", "name", "kana", "email", "phone", "postal_code", "address"],
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "name": raw["name"],
            "name_key": name_key(raw["name"]),
            "kana_key": kana_key(raw["kana"]),
            "email": parse_emails(raw["email"]).values,
            "phone": parse_phones(raw["phone"]).values,
            "postal_code": parse_postal_codes(raw["postal_code"]).values,
            "address": raw["address"],
            "prefecture": extract_prefecture(raw["address"].astype("string")),
        }
    )


def pair(*rows: dict) -> tuple[float, list[str]] | None:
    """Score and evidence of C1–C2 at any score above 0, or None if not compared/0."""
    found = find_candidates(customers(*rows), threshold=0.0)
    hit = found[(found["customer_id_a"] == "C1") & (found["customer_id_b"] == "C2")]
    if hit.empty:
        return None
    return float(hit["score"].iloc[0]), list(hit["evidence"].iloc[0])


# --- names and readings ----------------------------------------------------------------


def test_kana_only_name_matches_kanji_name_by_its_furigana() -> None:
    score, evidence = pair(
        {"name": "山田太郎", "kana": "ヤマダ タロウ"},
        {"name": "ﾔﾏﾀﾞ ﾀﾛｳ"},
    )
    assert evidence == ["kana"]
    assert score >= THRESHOLD


def test_spaces_and_honorifics_do_not_matter() -> None:
    _, evidence = pair({"name": "山田太郎"}, {"name": "山田\u3000太郎 様"})
    assert evidence == ["name"]


@pytest.mark.parametrize(
    "reading", ["ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ　たろう", "ヤマダタロウ", "ヤマダ タロウ 様"]
)
def test_readings_agree_in_every_kana_script(reading: str) -> None:
    # Different kanji (a conversion slip), so only the reading can say they match.
    _, evidence = pair(
        {"name": "山田太郎", "kana": "ヤマダタロウ"}, {"name": "山田太朗", "kana": reading}
    )
    assert "kana" in evidence


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("斎藤花子", "斉藤花子"),
        ("齋藤花子", "齊藤花子"),
        ("渡辺一郎", "渡邊一郎"),
        ("渡邉一郎", "渡辺一郎"),
        ("高橋健", "髙橋健"),
        ("吉田恵", "𠮷田恵"),
        ("山崎翼", "山﨑翼"),
        ("浜田陽子", "濱田陽子"),
        ("桜井翔", "櫻井翔"),
        ("広瀬すず", "廣瀬すず"),
        ("長沢実", "長澤実"),
    ],
)
def test_itaiji_spellings_are_name_variants(one: str, other: str) -> None:
    _, evidence = pair({"name": one}, {"name": other})
    assert evidence == ["name_variant"]


def test_ideographic_variation_selectors_are_ignored() -> None:
    assert fold_name("辻\U000e0100田") == fold_name("辻田")


def test_itaiji_table_lists_each_character_once_and_only_real_variants() -> None:
    groups = load_table("name_variants")["kanji"]["groups"]
    characters = [c for group in groups for c in group]
    assert len(characters) == len(set(characters))
    for group in groups:
        # A member NFKC already folds would never reach the table (keys are NFKC).
        assert all(unicodedata.normalize("NFKC", c) == c for c in group), group
        assert len(group) >= 2


def test_old_kana_spellings_fold_to_the_modern_ones() -> None:
    assert fold_name("ミカヅキ") == fold_name("ミカズキ")


def test_one_kanji_typo_is_similar_but_never_very_likely() -> None:
    score, evidence = pair(
        {"name": "山田太郎", "address": "東京都渋谷区神宮前1-2-3", "postal_code": "150-0001"},
        {"name": "山田太朗", "address": "東京都渋谷区神宮前1丁目2番3号", "postal_code": "1500001"},
    )
    assert "name_similar" in evidence and "address" in evidence
    # A typo, or a parent and child at one address: possibly, not very likely.
    assert score == 0.7


def test_names_written_and_read_differently_are_two_people() -> None:
    score, _ = pair(
        {"name": "平倉光司", "kana": "ヒラクラコウジ", "phone": "06-7958-0706"},
        {"name": "平倉光斗", "kana": "ヒラクラコウト", "phone": "06-7958-0706"},
    )
    assert score <= 0.3


def test_three_character_names_must_match_exactly() -> None:
    assert pair({"name": "山田翔"}, {"name": "山田翼"}) is None


# --- e-mails ---------------------------------------------------------------------------


def test_gmail_ignores_dots_and_tags_so_it_is_one_mailbox() -> None:
    assert mailbox("Taro.Yamada+shop@googlemail.com") == mailbox("taroyamada@gmail.com")
    _, evidence = pair({"email": "taro.yamada@gmail.com"}, {"email": "taroyamada+x@gmail.com"})
    assert evidence == ["email"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("taro.yamada@docomo.ne.jp", "taroyamada@docomo.ne.jp"),  # dots matter here: similar
        ("taro.yamada@example.com", "taro.yamda@example.com"),  # a typo
        ("hisako.muraik@yahoo.co.jp", "hisako.mruaik@yahoo.co.jp"),  # a transposition
        ("taro.yamada@gmail.com", "taro.yamada@gmial.com"),  # a typo in the domain
    ],
)
def test_email_notations_and_typos_are_similar(one: str, other: str) -> None:
    _, evidence = pair({"email": one}, {"email": other})
    assert evidence == ["email_similar"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("yamada1@example.com", "yamada2@example.com"),  # two accounts
        ("a-imaura@yahoo.co.jp", "h-imaura@yahoo.co.jp"),  # two people of one family
        ("taro@example.com", "taro@example.org"),  # another domain (3 edits), not a typo
    ],
)
def test_email_look_alikes_that_are_other_people_are_not_similar(one: str, other: str) -> None:
    result = pair({"email": one}, {"email": other})
    assert result is None or "email_similar" not in result[1]


def test_exact_email_scores_highest() -> None:
    found = find_candidates(
        customers(
            {"name": "佐藤花子", "email": "hanako@example.com"},
            {"name": "佐藤 花子", "email": "HANAKO@example.com"},
            {"name": "鈴木一郎", "postal_code": "100-0001"},
            {"name": "鈴木一郎", "postal_code": "100-0001"},
        )
    )
    assert found.iloc[0][["customer_id_a", "customer_id_b", "score"]].tolist() == ["C1", "C2", 1.0]


# --- addresses and postal codes --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "東京都渋谷区神宮前1丁目2番3号",
        "渋谷区神宮前1-2-3",
        "〒150-0001 東京都 渋谷区 神宮前 一丁目2-3",
        "東京都渋谷区神宮前１－２－３",
        "渋谷区神宮前1ー2ー3",
        "東京都渋谷区神宮前1丁目2-3 ハイツ青山",
    ],
)
def test_block_numbers_in_every_notation_agree(text: str) -> None:
    parts = split_address(text)
    assert (parts.town, parts.block) == ("渋谷区神宮前", "1-2-3")


def test_address_parts_are_split_off() -> None:
    parts = split_address("〒１５０－０００１　東京都渋谷区神宮前1-2-3 ハイツ青山 101号室")
    assert parts.postal_code == "150-0001"
    assert parts.prefecture == "東京都"
    assert parts.room == "101"


@pytest.mark.parametrize(
    ("text", "town", "block"),
    [
        ("大阪府大阪市北区梅田2番地の3", "大阪市北区梅田", "2-3"),
        ("北海道札幌市中央区北1条西2丁目3", "札幌市中央区北1条西", "2-3"),  # 1条 is a place name
        ("千代田区一番町10-5", "千代田区一番町", "10-5"),  # 一番町 is a town, not 1番
        ("霞ヶ関1-2-3", "霞ケ関", "1-2-3"),
        ("渋谷区神宮前", "渋谷区神宮前", None),
    ],
)
def test_japanese_address_notations(text: str, town: str, block: str | None) -> None:
    parts = split_address(text)
    assert (parts.town, parts.block) == (town, block)


@pytest.mark.parametrize(
    ("text", "value"), [("二十三", 23), ("百五", 105), ("一〇三", 103), ("十", 10)]
)
def test_kanji_numbers(text: str, value: int) -> None:
    assert kanji_number(text) == value


def test_split_addresses_keeps_the_index_and_blanks() -> None:
    frame = split_addresses(pd.Series(["渋谷区神宮前1-2-3", None, "  "], index=[5, 6, 7]))
    assert frame.index.tolist() == [5, 6, 7]
    assert frame.loc[5, "block"] == "1-2-3"
    assert frame.loc[6].isna().all() and frame.loc[7].isna().all()


def test_same_address_in_two_notations_is_evidence() -> None:
    _, evidence = pair(
        {"name": "斎藤花子", "address": "大阪府大阪市北区梅田2-3"},
        {"name": "斉藤花子", "address": "大阪市北区梅田2番地の3"},
    )
    assert evidence == ["address", "name_variant"]


def test_two_flats_of_one_building_are_not_one_address() -> None:
    result = pair(
        {"name": "佐藤健", "address": "渋谷区神宮前1-2-3 ハイツ青山101"},
        {"name": "佐藤健", "address": "渋谷区神宮前1-2-3 ハイツ青山102"},
    )
    assert result is not None and "address" not in result[1]


@pytest.mark.parametrize("code", ["〒150-0001", "1500001", "１５０－０００１", "〒 150 0001"])
def test_postal_code_notations_agree(code: str) -> None:
    assert postal_digits(code) == "1500001"
    _, evidence = pair(
        {"name": "佐藤健", "postal_code": code}, {"name": "佐藤健", "postal_code": "150-0001"}
    )
    assert "postal_code" in evidence


def test_postal_code_is_read_from_the_address_when_the_column_is_blank() -> None:
    _, evidence = pair(
        {"name": "佐藤健", "address": "〒150-0001 東京都渋谷区神宮前"},
        {"name": "佐藤健", "postal_code": "150-0001"},
    )
    assert "postal_code" in evidence


# --- scores and traps ------------------------------------------------------------------


def test_same_name_and_postal_code_scores_high() -> None:
    score, _ = pair(
        {"name": "田中実", "postal_code": "150-0001"},
        {"name": "田中 実", "postal_code": "150-0001"},
    )
    assert score >= 0.8


def test_same_name_alone_scores_medium() -> None:
    score, evidence = pair({"name": "田中実"}, {"name": "田中実"})
    assert evidence == ["name"]
    assert 0.5 <= score < 0.8


def test_same_name_with_different_emails_and_addresses_is_two_people() -> None:
    score, _ = pair(
        {"name": "佐藤花子", "email": "hanako1@example.com", "postal_code": "100-0001"},
        {"name": "佐藤花子", "email": "hanako2@example.com", "postal_code": "530-0001"},
    )
    assert score < THRESHOLD
    assert find_candidates(
        customers(
            {"name": "佐藤花子", "email": "hanako1@example.com", "postal_code": "100-0001"},
            {"name": "佐藤花子", "email": "hanako2@example.com", "postal_code": "530-0001"},
        )
    ).empty


def test_shared_landline_with_different_given_names_is_a_low_household_pair() -> None:
    household = customers(
        {"name": "鈴木一郎", "phone": "03-1234-5678"},
        {"name": "鈴木花子", "phone": "0312345678"},
    )
    found = find_candidates(household, threshold=0.3)
    assert found["evidence"].tolist() == [["phone"]]
    assert found["score"].iloc[0] <= 0.3
    assert find_candidates(household).empty  # below the default threshold: not queued


def test_household_at_one_address_stays_low() -> None:
    score, evidence = pair(
        {"name": "鈴木一郎", "phone": "03-1234-5678", "address": "東京都渋谷区神宮前1-2-3"},
        {"name": "鈴木花子", "phone": "03-1234-5678", "address": "渋谷区神宮前1丁目2番3号"},
    )
    assert evidence == ["address", "phone"]
    assert score <= 0.3


def test_the_three_spellings_of_yamada_taro_are_all_candidates() -> None:
    found = find_candidates(
        customers(
            {"name": "山田太郎", "kana": "ヤマダ タロウ"},
            {"name": "ﾔﾏﾀﾞ ﾀﾛｳ"},
            {"name": "山田 太郎様"},
        )
    )
    pairs = set(zip(found["customer_id_a"], found["customer_id_b"], strict=True))
    # 山田太郎 (no furigana) and ﾔﾏﾀﾞ ﾀﾛｳ cannot be compared: different scripts.
    assert {("C1", "C2"), ("C1", "C3")} <= pairs


def test_contact_details_alone_are_at_most_possible() -> None:
    score, _ = pair(
        {"name": "森田孝男", "phone": "075-468-8723", "address": "宇治市新町4丁目22番12号"},
        {"name": "モリタカナ", "phone": "075-468-8723", "address": "京都府宇治市新町4-22-12"},
    )
    assert score <= 0.6


def test_weights_table_names_exactly_the_evidence_vocabulary() -> None:
    table = load_table("matching")
    assert set(table["evidence"]) == set(EVIDENCE)
    assert all(0 <= table["evidence"][e]["weight"] <= 1 for e in EVIDENCE)


# --- blocking --------------------------------------------------------------------------

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "大輔", "恵子", "拓海", "結衣"]


def many(n: int) -> pd.DataFrame:
    """``n`` distinct customers with plausible, overlapping names and contact details."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "customer_id": f"C{i:05d}",
                "name": SURNAMES[i % 10] + GIVEN[(i // 10) % 10] + ("様" if i % 7 == 0 else ""),
                "email": f"user{i}@example.com" if i % 3 else None,
                "phone": f"090-{1000 + i // 100:04d}-{i % 10000:04d}" if i % 4 else None,
                "postal_code": f"{100 + i % 50:03d}-{i % 37:04d}",
                "address": f"渋谷区神宮前{i % 5 + 1}-{i % 30 + 1}-{i % 19 + 1}",
            }
        )
    return customers(*rows)


def test_two_thousand_customers_need_far_fewer_comparisons_than_all_pairs() -> None:
    result = match_customers(many(2000))
    all_pairs = 2000 * 1999 // 2
    assert result.stats.customers == 2000
    assert result.stats.comparisons < all_pairs / 20


def test_a_huge_block_of_one_name_is_capped_but_keeps_pairs_with_more_in_common() -> None:
    rows = [
        {"customer_id": f"C{i:04d}", "name": "佐藤翔", "email": f"sho{i}@example.com"}
        for i in range(300)
    ]
    rows[10]["postal_code"] = rows[250]["postal_code"] = "150-0001"
    rows[10]["address"] = rows[250]["address"] = "渋谷区神宮前1-2-3"
    result = match_customers(customers(*rows), threshold=0.0)
    assert result.stats.capped_blocks >= 1
    assert result.stats.comparisons < 300 * 299 // 2 / 4
    found = result.candidates
    assert ((found["customer_id_a"] == "C0010") & (found["customer_id_b"] == "C0250")).any()


# --- contract --------------------------------------------------------------------------


def test_same_input_in_any_row_order_gives_the_same_output() -> None:
    frame = many(600)
    first = find_candidates(frame, threshold=0.0)
    again = find_candidates(frame, threshold=0.0)
    shuffled = find_candidates(frame.sample(frac=1, random_state=3), threshold=0.0)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, shuffled)
    assert len(first) > 0


def test_output_is_sorted_by_score_then_ids_and_max_pairs_keeps_the_top() -> None:
    frame = many(300)
    found = find_candidates(frame, threshold=0.0)
    order = found.sort_values(
        ["score", "customer_id_a", "customer_id_b"], ascending=[False, True, True]
    )
    assert found.index.tolist() == order.index.tolist()
    top = find_candidates(frame, threshold=0.0, max_pairs=5)
    pd.testing.assert_frame_equal(top, found.head(5))


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(),
        pd.DataFrame(columns=["customer_id", "name", "name_key"]),
        pd.DataFrame({"customer_id": ["C1", "C2", None]}),
        pd.DataFrame({"customer_id": ["C1", "C2"], "name_key": [pd.NA, None]}),
        pd.DataFrame(
            {
                "customer_id": ["C1", "C2", "C3", "C3"],
                "name_key": ["山田太郎", float("nan"), "山田太郎", "山田太郎"],
                "kana_key": [None, None, "", "  "],
                "email": [pd.NA, "x@y.jp", None, "x@y.jp"],
                "postal_code": ["", None, "abc", "1234567"],
                "address": [None, "1-2-3", "東京都", None],
            }
        ),
    ],
)
def test_empty_and_na_heavy_input_never_raises(frame: pd.DataFrame) -> None:
    found = find_candidates(frame, threshold=0.0)
    assert found.columns.tolist() == CANDIDATE_COLUMNS


def test_name_key_is_derived_when_only_names_are_given() -> None:
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["山田太郎", "山田 太郎様"]})
    assert find_candidates(frame)["evidence"].tolist() == [["name"]]


NAMES = ["山田太郎", "山田 太郎様", "ﾔﾏﾀﾞ ﾀﾛｳ", "斎藤花子", "斉藤花子", "鈴木一郎", "鈴木花子", None]
KANA = ["ヤマダタロウ", "やまだ たろう", "サイトウハナコ", None]
EMAILS = ["taro.yamada@gmail.com", "taroyamada@gmail.com", "taro.yamda@gmail.com", "h@x.jp", None]
PHONES = ["03-1234-5678", "090-1111-2222", None]
POSTAL = ["150-0001", "〒1500001", "530-0001", None]
ADDRESSES = ["東京都渋谷区神宮前1-2-3", "渋谷区神宮前1丁目2番3号", "大阪市北区梅田2番地の3", None]

customer_rows = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(NAMES),
            "kana": st.sampled_from(KANA),
            "email": st.sampled_from(EMAILS),
            "phone": st.sampled_from(PHONES),
            "postal_code": st.sampled_from(POSTAL),
            "address": st.sampled_from(ADDRESSES),
        }
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(customer_rows, st.floats(min_value=0.0, max_value=1.0))
def test_output_contract_holds_for_any_input(rows: list[dict], threshold: float) -> None:
    found = find_candidates(customers(*rows), threshold=threshold)
    assert found.columns.tolist() == CANDIDATE_COLUMNS
    assert (found["customer_id_a"] < found["customer_id_b"]).all()
    assert found["score"].between(0, 1).all() and (found["score"] >= threshold).all()
    assert not found.duplicated(["customer_id_a", "customer_id_b"]).any()
    for evidence in found["evidence"]:
        assert evidence == sorted(evidence) and set(evidence) <= set(EVIDENCE)
    scores = found["score"].tolist()
    assert scores == sorted(scores, reverse=True)
