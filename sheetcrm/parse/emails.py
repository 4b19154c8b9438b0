"""Read e-mail addresses to one lower-case matching form, checking syntax only.

Before the check a cell is NFKC-folded (``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ``), trimmed, and
unwrapped from ``mailto:`` and from a display name (``山田太郎 <taro@example.com>``).
The whole address is lower-cased: the local part is case-sensitive in RFC 5321, but no
mail provider a Japanese shop meets treats it so, and sellers retype addresses freely.

Syntax is ``email_validator``'s with ``check_deliverability=False``: no DNS, ever.

Japanese carrier addresses with ``..`` or a ``.`` before the ``@``
(``taro..yamada.@docomo.ne.jp``) break RFC 5322 but were issued by docomo, au and
SoftBank for years and still receive mail, so they are accepted as written, for the
carrier domains listed in ``templates/vocabulary.toml`` only; elsewhere they are typos.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from sheetcrm.parse.base import ParseResult, parse_unique
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

_MAILTO = re.compile(r"^mailto:\s*([^?]*)(?:\?.*)?$", re.IGNORECASE)
_DISPLAY_NAME = re.compile(r"^[^<>]*<\s*([^<>]+?)\s*>$")
# RFC 5322 atext plus dots anywhere: what the legacy carrier addresses use.
_LEGACY_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")

# An RFC 5322 dot-atom local part in plain ASCII: the shape of nearly every real address.
_PLAIN_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")

Answer = tuple[str | None, str | None]


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    """The domain as email_validator normalises it, or None; checked once per domain.

    A list of 100,000 customers has a few hundred domains, and the domain check
    (IDNA, special-use names) is most of email_validator's cost.
    """
    try:
        return validate_email("a@" + domain, check_deliverability=False).domain.lower()
    except EmailNotValidError:
        return None


@cache
def _legacy_dot_domains() -> tuple[str, ...]:
    return tuple(load_table("vocabulary")["emails"]["legacy_dot_domains"])


def _is_legacy_carrier_address(address: str) -> bool:
    """``taro..yamada.@docomo.ne.jp``: dots out of place, at a carrier that allowed them."""
    local, _, domain = address.rpartition("@")
    if not _LEGACY_LOCAL_PART.fullmatch(local) or not local.strip("."):
        return False
    if not any(domain == d or domain.endswith("." + d) for d in _legacy_dot_domains()):
        return False
    try:
        validate_email("x@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _unwrap(text: str) -> str:
    text = nfkc(text).strip()
    if named := _DISPLAY_NAME.fullmatch(text):
        text = named.group(1)
    if mailto := _MAILTO.fullmatch(text):
        text = mailto.group(1)
    return text.strip().lower()


def _parse_email(text: str) -> Answer:
    address = _unwrap(text)
    local, at, domain = address.rpartition("@")
    if at and len(local) <= 64 and len(address) <= 254 and _PLAIN_LOCAL_PART.fullmatch(local):
        # Same answer as the full check below for a plain local part, without its cost.
        checked_domain = _checked_domain(domain)
        if checked_domain is not None:
            return f"{local}@{checked_domain}", None
    return _check_fully(address)


def _check_fully(address: str) -> Answer:
    """email_validator's full check, plus the legacy carrier addresses."""
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        if _is_legacy_carrier_address(address):
            return address, None
        return None, "email_invalid"
    return checked.normalized.lower(), None


#: An address with nothing to unwrap or fold: ASCII, one @, no spaces, <, > or colon.
_BARE_ADDRESS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+"


def _read_bare_addresses(texts: pd.Series) -> pd.DataFrame:
    """_parse_email's answers for the bare addresses among ``texts`` whose domain is valid.

    For such a text _unwrap only lower-cases it, so the plain-local-part shortcut of
    _parse_email applies as is; a list of 100,000 customers then costs one check per
    domain instead of one per customer.
    """
    bare = texts.str.fullmatch(_BARE_ADDRESS).to_numpy(dtype=bool, na_value=False)
    if not bare.any():
        return pd.DataFrame({"value": [], "code": []}, dtype=object)
    address = texts[bare].str.lower()
    local, domain = (
        address.str.replace(r"@.*", "", regex=True),
        address.str.replace(r".*@", "", regex=True),
    )
    plain = (
        (local.str.len() <= 64)
        & (address.str.len() <= 254)
        & local.str.fullmatch(_PLAIN_LOCAL_PART.pattern)
    ).to_numpy(dtype=bool, na_value=False)
    positions, names = pd.factorize(domain[plain])
    checked = pd.Series([_checked_domain(name) for name in names.tolist()], dtype="string")
    domains = pd.Series(checked.array.take(positions), index=local.index[plain])
    known = domains.notna().to_numpy()
    values = local[plain][known] + "@" + domains[known]
    return pd.DataFrame({"value": values.astype(object), "code": None}, dtype=object)


def parse_emails(raw: pd.Series) -> ParseResult:
    """Parse e-mail cells to lower-case addresses (``string`` dtype); ``email_invalid`` if not."""
    return parse_unique(raw, _parse_email, dtype="string", read_many=_read_bare_addresses)
