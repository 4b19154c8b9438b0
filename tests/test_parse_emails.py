import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sheetcrm.parse.emails as emails_module
from sheetcrm.parse.emails import parse_emails


def email(text: str) -> tuple[str | None, str | None]:
    result = parse_emails(pd.Series([text]))
    value = result.values.iloc[0]
    return (None if pd.isna(value) else value), result.codes.iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("taro@example.com", "taro@example.com"),
        ("  taro@example.com　", "taro@example.com"),
        ("Taro.Yamada@Example.COM", "taro.yamada@example.com"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "taro@example.com"),
        ("taro＠example.com", "taro@example.com"),
        ("mailto:taro@example.com", "taro@example.com"),
        ("MAILTO:taro@example.com?subject=hello", "taro@example.com"),
        ("山田太郎 <taro@example.com>", "taro@example.com"),
        ("taro+shop@gmail.com", "taro+shop@gmail.com"),
        ("taro@日本.jp", "taro@日本.jp"),
    ],
)
def test_email_notations_parse_to_lower_case(text, expected):
    assert email(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    [
        "taro..yamada.@docomo.ne.jp",
        ".taro@ezweb.ne.jp",
        "taro.@softbank.ne.jp",
        "a..b@t.vodafone.ne.jp",
    ],
)
def test_japanese_carrier_address_with_irregular_dots_is_accepted(text):
    assert email(text) == (text, None)


@pytest.mark.parametrize("text", ["taro..yamada@example.com", "taro.@gmail.com"])
def test_irregular_dots_elsewhere_are_invalid(text):
    assert email(text) == (None, "email_invalid")


@pytest.mark.parametrize(
    "text",
    [
        "taro",
        "taro@",
        "@example.com",
        "taro@@example.com",
        "taro@gmail,com",
        "taro@example",
        "taro@localhost",
        "taro @example.com",
        "taro@example.com, hanako@example.com",
        "...@docomo.ne.jp",
        "なし",
    ],
)
def test_invalid_email_is_flagged(text):
    assert email(text) == (None, "email_invalid")


def test_no_dns_lookup_ever(monkeypatch):
    seen = []
    real = emails_module.validate_email

    def spy(address, **kwargs):
        seen.append(kwargs.get("check_deliverability"))
        return real(address, **kwargs)

    monkeypatch.setattr(emails_module, "validate_email", spy)
    parse_emails(pd.Series(["taro@example.com", "a..b@docomo.ne.jp"]))
    assert seen and all(flag is False for flag in seen)


def test_email_values_are_strings_with_na():
    result = parse_emails(pd.Series(["taro@example.com", None, "x"]))
    assert result.values.dtype == "string"
    assert result.codes.tolist() == [None, None, "email_invalid"]


# --- properties -------------------------------------------------------------------

LOCAL = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9])?", fullmatch=True).filter(
    lambda s: ".." not in s
)
DOMAIN = st.sampled_from(["example.com", "Example.CO.JP", "gmail.com", "docomo.ne.jp"])


@given(LOCAL, DOMAIN)
def test_valid_addresses_parse_to_their_lower_case(local, domain):
    address = f"{local}@{domain}"
    assert email(address) == (address.lower(), None)
    assert email(f"mailto:{address.upper()}") == (address.lower(), None)


@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(["a@b.jp", "x..y.@docomo.ne.jp"]))))
def test_values_are_na_exactly_when_a_code_is_set(cells):
    raw = pd.Series(cells, index=[i + 100 for i in range(len(cells))], dtype=object)
    result = parse_emails(raw)
    assert result.values.index.equals(raw.index) and result.codes.index.equals(raw.index)
    blank = raw.isna() | (raw.astype("string").str.strip() == "")
    failed = result.codes == "email_invalid"
    assert result.codes.notna().eq(failed).all()
    assert (result.values.isna() == (failed | blank)).all()


@given(st.text())
def test_parsed_address_is_stable(text):
    first = email(text)[0]
    if first is not None:
        assert email(first) == (first, None)


_ATEXT = "abcxyz019!#$%&'*+/=?^_`{|}~-"


@given(
    local=st.lists(st.text(alphabet=_ATEXT, min_size=1, max_size=12), min_size=1, max_size=4),
    domain=st.sampled_from(
        [
            "example.com",
            "docomo.ne.jp",
            "EXAMPLE.jp",
            "localhost",
            "example",
            "a..b.com",
            "-bad.com",
            "xn--bcher-kva.example",
            "invalid",
            "test",
            "mail.co",
            "123.com",
        ]
    ),
)
def test_fast_path_agrees_with_the_full_check(local: list[str], domain: str) -> None:
    from sheetcrm.parse.emails import _check_fully, _parse_email

    address = ".".join(local) + "@" + domain
    assert _parse_email(address) == _check_fully(address.lower())
