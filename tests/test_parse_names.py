import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.parse.names import clean_names, kana_key, name_key, to_katakana


def one(function, text):
    return function(pd.Series([text])).iloc[0]


@pytest.mark.parametrize(
    "text",
    [
        "山田太郎",
        "山田 太郎",
        "山田　太郎",
        " 山田  太郎 ",
        "山田太郎様",
        "山田 太郎 様",
        "山田太郎さま",
        "山田太郎さん",
        "山田太郎殿",
    ],
)
def test_name_key_ignores_spaces_and_honorifics(text):
    assert one(name_key, text) == "山田太郎"


@pytest.mark.parametrize("honorific", ["様", "さま", "さん", "殿", "御中", "くん", "ちゃん"])
def test_each_trailing_honorific_is_dropped(honorific):
    assert one(name_key, f"田中{honorific}") == "田中"


def test_company_addressed_with_onchu_matches_the_company():
    assert one(name_key, "株式会社ABC 御中") == one(name_key, "株式会社ＡＢＣ")


@pytest.mark.parametrize(
    "text",
    ["Mr. John Smith", "mr john smith", "Dr. John Smith", "Ms.John Smith", "MRS John  Smith"],
)
def test_name_key_drops_english_titles(text):
    assert one(name_key, text) == "johnsmith"


def test_title_letters_inside_a_name_are_kept():
    assert one(name_key, "Drew Barrymore") == "drewbarrymore"


def test_katakana_name_ending_in_san_is_not_an_honorific():
    assert one(name_key, "ジョナサン") == "ジョナサン"


def test_lone_honorific_is_kept_rather_than_emptied():
    assert one(name_key, "様") == "様"


def test_name_key_folds_hiragana_and_half_width_to_katakana():
    keys = name_key(pd.Series(["やまだ たろう", "ヤマダ タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"]))
    assert keys.nunique() == 1 and keys.iloc[0] == "ヤマダタロウ"


def test_name_key_ignores_the_middle_dot_of_foreign_names():
    assert one(name_key, "ジョン・スミス") == one(name_key, "ジョン スミス")


@pytest.mark.parametrize(
    "text", ["ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ　たろう", "ヤマダタロウ", "ヤマダ　タロウ", "ﾔﾏﾀﾞﾀﾛｳ"]
)
def test_kana_key_matches_every_kana_spelling(text):
    assert one(kana_key, text) == "ヤマダタロウ"


def test_blank_names_have_no_key():
    keys = name_key(pd.Series(["", "　", None, "  "]))
    assert keys.dtype == object and keys.isna().all()
    assert kana_key(pd.Series(["", None])).isna().all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("  山田   太郎  ", "山田 太郎"),
        ("山田　太郎", "山田　太郎"),
        ("山田　　太郎", "山田　太郎"),
        ("山田\t太郎", "山田 太郎"),
        ("ＡＢＣ商店", "ＡＢＣ商店"),
        ("山田太郎 様", "山田太郎 様"),
    ],
)
def test_clean_names_keeps_the_sellers_spelling(text, expected):
    assert one(clean_names, text) == expected


def test_clean_names_blank_is_na():
    assert clean_names(pd.Series(["", " ", None])).isna().all()


def test_to_katakana_leaves_other_scripts_alone():
    assert to_katakana("やまだ Taro 山田 ゞ") == "ヤマダ Taro 山田 ヾ"


# --- properties -------------------------------------------------------------------

HALF_WIDTH_KANA = st.text(alphabet=[chr(c) for c in range(0xFF71, 0xFF9E)], min_size=1, max_size=12)
SPACES = st.sampled_from(["", " ", "　", "  "])


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


@given(HALF_WIDTH_KANA, SPACES)
def test_every_kana_spelling_shares_one_kana_key(half_width, space):
    katakana = unicodedata.normalize("NFKC", half_width)
    spellings = [half_width, katakana, _hiragana(katakana), f"{katakana[:1]}{space}{katakana[1:]}"]
    keys = kana_key(pd.Series(spellings))
    assert keys.nunique() == 1


@given(st.lists(st.one_of(st.none(), st.text())))
def test_keys_are_aligned_and_free_of_spaces(cells):
    raw = pd.Series(cells, index=[i * 3 for i in range(len(cells))], dtype=object)
    for function in (name_key, kana_key, clean_names):
        result = function(raw)
        assert result.index.equals(raw.index)
    for key in name_key(raw).dropna():
        assert key and not any(c.isspace() for c in key)
        assert not any("ぁ" <= c <= "ゖ" for c in key)


@given(st.text())
def test_clean_names_is_idempotent(text):
    once = one(clean_names, text)
    if once is not None:
        assert one(clean_names, once) == once
