"""phonenumbers' validity and national-format rules, replayed over whole arrays of numbers.

Asking ``phonenumbers`` about one number costs 20–30 µs, which is seconds for a customer
list.  Its answers come from metadata (``PhoneMetadata``: per-type regexes and lengths, a
list of formats), so this module reads that same metadata and repeats the library's
decision procedure with one regex pass per rule over a pyarrow array of numbers:

- ``valid_for_region``: ``is_valid_number_for_region`` (``_number_type_helper``);
- ``national_format``: ``format_number(…, NATIONAL)`` (``_format_nsn``);
- ``prefix_for_parsing_matches``: where ``parse`` would try
  ``_maybe_strip_national_prefix_carrier_code``.

Numbers are national significant numbers as text (ASCII digits only, as
``national_significant_number`` gives them).  Regexes run in RE2 (pyarrow) when RE2
accepts the pattern — for these regular patterns the match is the same as Python's —
and in Python's ``re`` otherwise, so a metadata update with a pattern RE2 refuses still
gives phonenumbers' own answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberFormat, PhoneMetadata, PhoneNumberDesc

RegexTest = Callable[[pa.Array, str], np.ndarray]

# phonenumbers' _FIRST_GROUP_PATTERN: the first group reference in a format ("\1").
_FIRST_GROUP = re.compile(r"(\\\d)")
# Format patterns whose every match is a run of digit groups, e.g. (\d{3})(\d{4}): never
# empty, so a global replace in RE2 and re.sub cut the same pieces.
_DIGIT_GROUPS = re.compile(r"(?:\(\\d(?:\{[1-9][0-9]*(?:,[0-9]*)?\})?\))+")
# A replacement that only refers to groups \1..\9 reads the same to RE2 and to re.sub.
_PLAIN_TEMPLATE = re.compile(r"(?:[^\\]|\\[1-9](?![0-9]))*")


def valid_for_region(numbers: pa.Array, region: str) -> np.ndarray:
    """Whether each number is valid in ``region``, as ``is_valid_number_for_region`` says.

    The numbers are taken to carry the region's own country code (the library answers
    False for any other).
    """
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(
        phonenumbers.country_code_for_region(region), region.upper()
    )
    if metadata is None:
        return np.zeros(len(numbers), dtype=bool)
    return valid_for_metadata(numbers, metadata)


def valid_for_metadata(numbers: pa.Array, metadata: PhoneMetadata) -> np.ndarray:
    """``_number_type_helper(number, metadata) != UNKNOWN`` for each number.

    The library tries the types in an order that picks *which* type; a number is valid
    when it fits the general description and any one type, which is all that matters here.
    """
    lengths = pc.utf8_length(numbers).to_numpy(zero_copy_only=False)
    everywhere = np.ones(len(numbers), dtype=bool)
    general = _matches_desc(numbers, lengths, metadata.general_desc, everywhere)
    typed = np.zeros(len(numbers), dtype=bool)
    for desc in _type_descs(metadata):
        typed |= _matches_desc(numbers, lengths, desc, general & ~typed)
    return general & typed


def national_format(numbers: pa.Array, country_code: int) -> np.ndarray:
    """``format_number(number, NATIONAL)`` for numbers of ``country_code`` without extension.

    Each number takes the first format (in metadata order) whose last leading-digits
    pattern matches its start and whose pattern matches it whole, with the national
    prefix rule applied to the first group; a number no format fits stays as it is.
    """
    formatted = np.array(numbers.to_pylist(), dtype=object)
    metadata = _metadata_for_country_code(country_code)
    if metadata is None:
        return formatted
    pending = np.ones(len(numbers), dtype=bool)
    for number_format in metadata.number_format:
        if not pending.any():
            break
        chosen = pending
        if number_format.leading_digits_pattern:
            # The library uses the last leading-digits pattern, the most detailed one.
            last = number_format.leading_digits_pattern[-1]
            chosen = _where(numbers, chosen, _starts_with, last)
        chosen = _where(numbers, chosen, _fullmatch, number_format.pattern)
        rows = np.flatnonzero(chosen)
        if rows.size:
            formatted[rows] = _substitute(numbers.take(rows), number_format)
            pending = pending & ~chosen
    return formatted


def prefix_for_parsing_matches(numbers: pa.Array, country_code: int) -> np.ndarray:
    """Where ``parse("+<code><number>")`` might strip a national prefix or carrier code.

    Elsewhere parsing E.164 text gives back exactly the digits after the country code.
    """
    metadata = _metadata_for_country_code(country_code)
    prefix = metadata.national_prefix_for_parsing if metadata is not None else None
    if not prefix:
        return np.zeros(len(numbers), dtype=bool)
    return _starts_with(numbers, prefix)


def _metadata_for_country_code(country_code: int) -> PhoneMetadata | None:
    """The metadata ``format_number`` and ``parse`` use for a country code."""
    region = phonenumbers.region_code_for_country_code(country_code)
    return PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())


def _type_descs(metadata: PhoneMetadata) -> list[PhoneNumberDesc | None]:
    """The descriptions ``_number_type_helper`` tries; mobile only when it differs from fixed."""
    descs = [
        metadata.fixed_line,
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    ]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    return descs


def _matches_desc(
    numbers: pa.Array, lengths: np.ndarray, desc: PhoneNumberDesc | None, rows: np.ndarray
) -> np.ndarray:
    """``_is_number_matching_desc`` for the numbers selected by ``rows`` (False elsewhere)."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(numbers), dtype=bool)
    if desc.possible_length:
        rows = rows & np.isin(lengths, desc.possible_length)
    return _where(numbers, rows, _fullmatch, desc.national_number_pattern)


def _where(numbers: pa.Array, rows: np.ndarray, test: RegexTest, pattern: str) -> np.ndarray:
    """Run ``test(numbers, pattern)`` on the selected numbers only (False elsewhere)."""
    selected = np.flatnonzero(rows)
    result = np.zeros(len(numbers), dtype=bool)
    if selected.size == len(numbers):
        result[:] = test(numbers, pattern)
    elif selected.size:
        result[selected] = test(numbers.take(selected), pattern)
    return result


def _fullmatch(numbers: pa.Array, pattern: str) -> np.ndarray:
    """phonenumbers' ``fullmatch(re.compile(pattern), number)`` for each number."""
    if _re2_accepts(pattern):
        return regex_matches(numbers, f"^(?:{pattern})$")
    compiled = re.compile(pattern)
    return _python_mask(numbers, lambda text: compiled.fullmatch(text) is not None)


def _starts_with(numbers: pa.Array, pattern: str) -> np.ndarray:
    """``re.compile(pattern).match(number)`` (a match at the start) for each number."""
    if _re2_accepts(pattern):
        return regex_matches(numbers, f"^(?:{pattern})")
    compiled = re.compile(pattern)
    return _python_mask(numbers, lambda text: compiled.match(text) is not None)


def _substitute(numbers: pa.Array, number_format: NumberFormat) -> list[str]:
    """``_format_nsn_using_pattern(number, number_format, NATIONAL)`` for each number."""
    template = _national_template(number_format)
    if _DIGIT_GROUPS.fullmatch(number_format.pattern) and _PLAIN_TEMPLATE.fullmatch(template):
        return pc.replace_substring_regex(numbers, number_format.pattern, template).to_pylist()
    compiled = re.compile(number_format.pattern)
    return [compiled.sub(template, text) for text in numbers.to_pylist()]


def _national_template(number_format: NumberFormat) -> str:
    """The format with the national prefix rule put on its first group, as the library does."""
    rule = number_format.national_prefix_formatting_rule
    if not rule:
        return number_format.format
    return _FIRST_GROUP.sub(rule, number_format.format, count=1)


@cache
def _re2_accepts(pattern: str) -> bool:
    """Whether RE2 compiles the pattern (it refuses what it cannot match the same way)."""
    try:
        pc.match_substring_regex(pa.array([""]), f"^(?:{pattern})$")
    except pa.ArrowInvalid:
        return False
    return True


def regex_matches(cells: pa.Array, pattern: str) -> np.ndarray:
    """Where an RE2 ``pattern`` finds a match in each cell, as a numpy mask."""
    found = pc.match_substring_regex(cells, pattern)
    return found.to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _python_mask(numbers: pa.Array, test: Callable[[str], bool]) -> np.ndarray:
    texts = numbers.to_pylist()
    return np.fromiter((test(text) for text in texts), dtype=bool, count=len(texts))
