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


def parse_emails(raw: pd.Series) -> ParseResult:
    """Parse e-mail cells to lower-case addresses (``string`` dtype); ``email_invalid`` if not."""
    return parse_unique(raw, _parse_email, dtype="string")
