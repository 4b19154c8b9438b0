"""Personal data handled carefully: masked in messages, and exports that cannot execute.

CSV files exported for mail tools are usually opened in Excel first, and a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run there as a
formula (CSV injection: ``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``).  OWASP's advice is
to prefix such text with a single quote, which Excel and LibreOffice then show as
text; :func:`neutralise` does that (and the csv module quotes every such cell).
Machine consumers can turn it off (``export --raw``).

Masking keeps just enough to recognise a row (``t***@example.com``,
``090-****-5678``) for logs, messages and ``export --mask``.
"""

from __future__ import annotations

import re

#: Characters that make Excel / LibreOffice / Sheets read a CSV cell as a formula
#: (OWASP CSV Injection), with their full-width forms, which some tools fold.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

_DIGITS = re.compile(r"\d")


def neutralise(text: str) -> str:
    """Text that a spreadsheet will show as text, never evaluate (OWASP: prefix ``'``)."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def mask_email(address: str) -> str:
    """``taro@example.com`` → ``t***@example.com`` (the domain helps find the row)."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_text(address)
    return f"{local[:1]}***@{domain}"


def mask_phone(number: str) -> str:
    """Keep the first three and last four digits: ``090-****-5678``, ``+81-***-5678``."""
    digits = _DIGITS.findall(number)
    if len(digits) < 8:
        return "*" * len(number)
    head, tail = "".join(digits[:3]), "".join(digits[-4:])
    return f"{'+' if number.startswith('+') else ''}{head}-****-{tail}"


def mask_text(text: str) -> str:
    """Names, addresses and other text: the first character, then ``***``."""
    text = text.strip()
    return f"{text[:1]}***" if text else text


def mask_value(value: str) -> str:
    """Mask a value whose kind is unknown (an e-mail, a phone number or a name)."""
    if "@" in value:
        return mask_email(value)
    if len(_DIGITS.findall(value)) >= 8:
        return mask_phone(value)
    return mask_text(value)
