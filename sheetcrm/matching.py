"""Find pairs of customers that might be one person, for the seller to review.

:mod:`sheetcrm.identity` merges customers only on certain keys (same ID, same e-mail,
same phone *and* name).  This module finds the uncertain rest — 斎藤花子 / 斉藤花子 at
the same address, 山田太郎 / ﾔﾏﾀﾞ ﾀﾛｳ, taro.yamada@ / taro.yamda@ — and scores each pair
so the "Duplicate candidates" tab lists the likeliest first::

    >>> find_candidates(customers)          # doctest: +SKIP
      customer_id_a customer_id_b  score                       evidence
    0          C001          C007   0.85  [name, postal_code, prefecture]
    1          C002          C003   0.30                         [phone]

**Evidence** (the ``evidence`` column; weights in ``templates/matching.toml``):

==================  ================================================================
``email``           same mailbox (Gmail: dots and ``+tag`` ignored, googlemail = gmail)
``email_similar``   same domain and local part without dots/``_``/``-``/``+tag``; or a
                    typo in the local part (1 edit, 2 from 10 characters; same digits,
                    same first letter); or the same local part at a mistyped domain
``name``            same ``name_key`` (NFKC, spaces, honorifics, kana script ignored)
``name_variant``    same name once itaiji are folded (``templates/name_variants.toml``)
``kana``            same reading: ``kana_key`` (様 dropped), or the name itself when it
                    is written in kana only; ヂ/ジ, ヅ/ズ, ヲ/オ… folded
``name_similar``    names one kanji apart (rapidfuzz similarity ≥ 0.75, 4+ characters),
                    unless both readings are known and differ (光司 コウジ / 光斗 コウト)
``kana_similar``    readings a typo apart (ヤマダタロウ / ヤマダタロー), same proviso
``phone``           same E.164 number
``address``         same block number (``1丁目2番3号`` = ``1-2-3``) in the same town (or
                    one town ends the other: the city left out); rooms not different
``postal_code``     same postal code (from the column, or leading the address)
``prefecture``      same prefecture
==================  ================================================================

**Score.**  The strongest evidence of each family (e-mail, name, phone, address, postal
code, prefecture) is summed, conflicts (both known and different: name, e-mail, phone,
postal code or prefecture) are subtracted, then caps apply: names that clearly differ
cap a pair at 0.3 — a household, listed with evidence ``["phone"]`` at the bottom of the
tab, never a merge suggestion (0.7 if their e-mails agree: a mistyped name); names only
a typo apart cap it at 0.7 (a typo, or a parent and child at one address); a pair with
nothing personal in common (no name, reading or e-mail) at 0.6.

**Blocking.**  Customers are compared only when they share a key, so the cost grows
with the number of customers, not its square (about 21 comparisons per customer):

=================  ===========================================================
block              key
=================  ===========================================================
``name``           name key with itaiji folded
``kana``           reading with kana folded
``phone``          E.164 number
``email``          mailbox; domain + skeleton; skeleton alone (domain typos)
``postal_code``    postal code
``address``        last two characters of the town + block number
sorted windows     each customer against its ``window - 1`` neighbours when sorted
                   by name key, reversed name key, reading, reversed reading,
                   e-mail and e-mail with the local part reversed
=================  ===========================================================

A block larger than ``max_block`` (50) is not compared all-against-all; its members
are sorted (a name block by postal code, a postal-code block by reading…) and each is
compared with its ``window - 1`` (4) neighbours.  What a capped block loses: pairs
whose *only* shared key is that block's, and that are not neighbours in its order —
e.g. two of 200 customers called 佐藤翔 who share nothing else.  Those pairs would
score at most "same name only" (0.6) and there would be 19,900 of them; pairs that also
share a phone, e-mail, postal code or address are still found through those blocks.
In the benchmark of a local shop (30 postal codes, 25,555 customers) the cap cut
comparisons from 7.8 million to 0.54 million and lost no true pair.
:class:`MatchStats` counts comparisons and capped blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from sheetcrm.address import split_addresses
from sheetcrm.parse.names import name_key as _name_key_of
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

#: Input columns; a missing column counts as all-blank.
COLUMNS = [
    "customer_id",
    "name",
    "name_key",
    "kana_key",
    "email",
    "phone",
    "postal_code",
    "address",
    "prefecture",
]
#: Output columns of :func:`find_candidates`.
CANDIDATE_COLUMNS = ["customer_id_a", "customer_id_b", "score", "evidence"]
#: Every evidence name :func:`find_candidates` can report (weights in templates/matching.toml).
EVIDENCE = (
    "email",
    "email_similar",
    "name",
    "name_variant",
    "kana",
    "name_similar",
    "kana_similar",
    "phone",
    "address",
    "postal_code",
    "prefecture",
)
CONFLICTS = ("name", "email", "phone", "location")

_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_KANA_ONLY = re.compile(r"[ァ-ヺー]+")
_LATIN_ONLY = re.compile(r"[a-z0-9.'\- ]+")
_EMAIL_NOISE = re.compile(r"[._\-]")
_POSTAL = re.compile(r"(?<!\d)(\d{3})\s*-?\s*(\d{4})(?!\d)")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-"))
_NOT_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class MatchStats:
    """How much work matching did, for benchmarks and tests.

    ``comparisons``: distinct pairs scored.  ``generated``: pairs the blocks produced
    before duplicates were dropped.  ``by_block``: generated pairs per blocking key.
    ``capped_blocks`` / ``capped_customers``: blocks over ``max_block`` (compared by
    window only) and the customers in them.  ``listed``: rows in the candidates.
    """

    customers: int
    comparisons: int
    generated: int
    by_block: dict[str, int]
    capped_blocks: int
    capped_customers: int
    listed: int


@dataclass(frozen=True, eq=False)
class MatchResult:
    """The candidate pairs (:data:`CANDIDATE_COLUMNS`) and what it took to find them."""

    candidates: pd.DataFrame
    stats: MatchStats


@dataclass(frozen=True)
class MatchRules:
    """The tables matching runs on (see :func:`default_rules`); replace fields to experiment."""

    threshold: float
    max_block: int
    window: int
    similarity: dict[str, float]
    dotless_domains: frozenset[str]
    domain_aliases: dict[str, str]
    weights: dict[str, float]
    families: dict[str, str]
    evidence_caps: dict[str, float]
    personal: tuple[str, ...]
    cap_without_personal: float
    penalties: dict[str, float]
    caps: dict[str, float]
    cap_exceptions: dict[str, tuple[tuple[str, ...], float]]
    kanji_fold: dict[int, str]
    kana_fold: dict[int, str]


@cache
def default_rules() -> MatchRules:
    """The matching tables (``templates/matching.toml`` and ``name_variants.toml``)."""
    table = load_table("matching")
    variants = load_table("name_variants")
    kanji_fold = {ord(c): group[0] for group in variants["kanji"]["groups"] for c in group[1:]}
    evidence: dict[str, Any] = table["evidence"]
    conflicts: dict[str, Any] = table["conflicts"]
    return MatchRules(
        threshold=float(table["threshold"]),
        max_block=int(table["blocking"]["max_block"]),
        window=int(table["blocking"]["window"]),
        similarity={k: float(v) for k, v in table["similarity"].items()},
        dotless_domains=frozenset(table["emails"]["dotless_domains"]),
        domain_aliases=dict(table["emails"]["aliases"]),
        weights={k: float(evidence[k]["weight"]) for k in EVIDENCE},
        families={k: evidence[k]["family"] for k in EVIDENCE},
        evidence_caps={k: float(evidence[k]["cap"]) for k in EVIDENCE if "cap" in evidence[k]},
        personal=tuple(table["personal"]["evidence"]),
        cap_without_personal=float(table["personal"]["cap_without"]),
        penalties={k: float(conflicts[k]["penalty"]) for k in CONFLICTS},
        caps={k: float(v["cap"]) for k, v in conflicts.items() if "cap" in v},
        cap_exceptions={
            k: (tuple(v["unless"]["evidence"]), float(v["unless"]["cap"]))
            for k, v in conflicts.items()
            if "unless" in v
        },
        kanji_fold=kanji_fold,
        kana_fold={ord(k): v for k, v in variants["kana"]["fold"].items()},
    )


# --- comparison keys -------------------------------------------------------------------


def fold_name(key: str) -> str:
    """A name key with itaiji and kana variants folded: 齋藤 / 斎藤 → 斉藤, ミカヅキ → ミカズキ."""
    r = default_rules()
    return _VARIATION_SELECTORS.sub("", key).translate(r.kanji_fold).translate(r.kana_fold)


def name_script(key: str) -> str:
    """``kana``, ``latin`` or ``kanji`` (anything else): names compare only within a script."""
    if _KANA_ONLY.fullmatch(key):
        return "kana"
    if _LATIN_ONLY.fullmatch(key):
        return "latin"
    return "kanji"


def mailbox(email: str) -> str:
    """The mailbox an address reaches: ``T.Yamada+shop@googlemail.com`` → ``tyamada@gmail.com``."""
    r = default_rules()
    local, _, domain = email.strip().lower().rpartition("@")
    domain = r.domain_aliases.get(domain, domain)
    if domain in r.dotless_domains:
        local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}"


def email_skeleton(local: str) -> str:
    """A local part without ``+tag``, ``.``, ``_``, ``-``: ``taro.yamada+shop`` → ``taroyamada``."""
    return _EMAIL_NOISE.sub("", local.split("+", 1)[0])


def postal_digits(code: str) -> str | None:
    """``〒123-4567`` / ``1234567`` / ``１２３－４５６７`` → ``1234567``; else ``None``."""
    match = _POSTAL.search(nfkc(code).translate(_DASHES))
    return match.group(1) + match.group(2) if match else None


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped text with ``None`` for blanks (a missing column is all-``None``)."""
    if column not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    text = frame[column].astype("string").str.strip()
    blank = (text == "").fillna(True).astype(bool)
    return text.astype(object).where(~blank, None)


def _mapped(values: pd.Series, function) -> np.ndarray:
    """``function`` applied once per distinct non-``None`` value; ``None`` stays ``None``."""
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = np.array([function(u) for u in uniques] + [None], dtype=object)
    return lookup[positions]


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer codes, equal for equal values and ordered like the values; ``-1`` for ``None``."""
    codes, _ = pd.factorize(pd.Series(values, dtype=object), sort=True, use_na_sentinel=True)
    return codes.astype(np.int64)


def _reversed(value: str | None) -> str | None:
    return None if value is None else value[::-1]


@dataclass(frozen=True, eq=False)
class _Features:
    """Per-customer comparison keys, aligned with ``ids`` (sorted, unique).

    ``codes``: every key as integers (equal values, equal codes; ``-1`` for none), for
    blocking and exact comparison; the text arrays are for fuzzy comparison.
    """

    ids: np.ndarray
    name_fold: np.ndarray
    script: np.ndarray
    reading: np.ndarray
    domain: np.ndarray
    local: np.ndarray  # skeleton
    local_digits: np.ndarray
    local_first: np.ndarray
    town: np.ndarray
    room: np.ndarray
    codes: dict[str, np.ndarray]
    lengths: dict[str, np.ndarray]  # of name_fold, reading, local, domain


def _features(customers: pd.DataFrame) -> _Features:
    frame = pd.DataFrame({c: _text(customers, c) for c in COLUMNS}, index=customers.index)
    frame = frame[frame["customer_id"].notna()].drop_duplicates("customer_id")
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    if "name_key" not in customers and "name" in customers:
        frame["name_key"] = _text(pd.DataFrame({"k": _name_key_of(frame["name"])}), "k")

    name = frame["name_key"]
    name_fold = _mapped(name, fold_name)
    script = _mapped(name, name_script)
    # Furigana may carry 様 (kana_key keeps it); name_key drops it but keeps ジョナサン.
    kana = _text(pd.DataFrame({"k": _name_key_of(frame["kana_key"])}), "k")
    reading = _mapped(kana, fold_name)
    reading = np.where(pd.isna(reading) & (script == "kana"), name_fold, reading)

    email = frame["email"]
    boxes = _mapped(email, mailbox)
    domain = _mapped(email, lambda e: mailbox(e).rpartition("@")[2])
    local = _mapped(email, lambda e: email_skeleton(e.lower().rpartition("@")[0]) or None)
    digits = _mapped(email, lambda e: _NOT_DIGITS.sub("", e.rpartition("@")[0]))

    parts = split_addresses(frame["address"])
    postal = _mapped(frame["postal_code"], postal_digits)
    postal = np.where(pd.isna(postal), _mapped(parts["postal_code"], postal_digits), postal)
    prefecture = np.where(frame["prefecture"].notna(), frame["prefecture"], parts["prefecture"])
    town = parts["town"].to_numpy(dtype=object)
    block = parts["block"].to_numpy(dtype=object)
    has_street = pd.notna(town) & pd.notna(block)
    street_block = np.array(
        [f"{t[-2:]}|{b}" if ok else None for t, b, ok in zip(town, block, has_street, strict=True)],
        dtype=object,
    )
    local_full = np.array(
        [
            None if d is None or lo is None else f"{d}@{lo}"
            for d, lo in zip(domain, local, strict=True)
        ],
        dtype=object,
    )
    local_reversed = np.array(
        [
            None if d is None or lo is None else f"{d}@{lo[::-1]}"
            for d, lo in zip(domain, local, strict=True)
        ],
        dtype=object,
    )
    long_local = np.array([lo if lo and len(lo) >= 4 else None for lo in local], dtype=object)

    name_arr = name.to_numpy(dtype=object)
    reading = np.asarray(reading, dtype=object)
    codes = {
        "name": _codes(name_arr),
        "name_fold": _codes(name_fold),
        "name_fold_reversed": _codes(np.array([_reversed(v) for v in name_fold], dtype=object)),
        "reading": _codes(reading),
        "reading_reversed": _codes(np.array([_reversed(v) for v in reading], dtype=object)),
        "mailbox": _codes(boxes),
        "domain": _codes(domain),
        "local": _codes(local),
        "local_full": _codes(local_full),
        "local_reversed": _codes(local_reversed),
        "long_local": _codes(long_local),
        "phone": _codes(frame["phone"].to_numpy(dtype=object)),
        "postal": _codes(postal),
        "prefecture": _codes(np.asarray(prefecture, dtype=object)),
        "street": _codes(street_block),
        "block": _codes(block),
        "town": _codes(town),
    }
    return _Features(
        ids=frame["customer_id"].to_numpy(dtype=object),
        name_fold=name_fold,
        script=script,
        reading=reading,
        domain=domain,
        local=local,
        local_digits=digits,
        local_first=np.array([lo[0] if lo else None for lo in local], dtype=object),
        town=town,
        room=parts["room"].to_numpy(dtype=object),
        codes=codes,
        lengths={
            "name_fold": _lengths(name_fold),
            "reading": _lengths(reading),
            "local": _lengths(local),
            "domain": _lengths(domain),
        },
    )


# --- blocking --------------------------------------------------------------------------

# (block name, key, order inside a capped block).  Orders put the pairs most worth
# comparing next to each other: same-name customers by postal code, a postal code's
# customers by reading.
_BLOCKS = (
    ("name", "name_fold", "postal"),
    ("kana", "reading", "postal"),
    ("phone", "phone", "name_fold"),
    ("email", "mailbox", "name_fold"),
    ("email", "local_full", "name_fold"),
    ("email", "long_local", "name_fold"),
    ("postal_code", "postal", "reading"),
    ("address", "street", "reading"),
)
# (block name, sort key): sorted-neighbourhood windows over all customers.
_WINDOWS = (
    ("name_window", "name_fold"),
    ("name_window", "name_fold_reversed"),
    ("kana_window", "reading"),
    ("kana_window", "reading_reversed"),
    ("email_window", "local_full"),
    ("email_window", "local_reversed"),
)


def _sorted_members(key: np.ndarray, order: np.ndarray) -> np.ndarray:
    present = np.flatnonzero(key >= 0)
    # lexsort: last key is primary; the customer number breaks ties deterministically.
    # int32: half the memory of the (many) pair arrays built from these positions.
    return present[np.lexsort((present, order[present], key[present]))].astype(np.int32)


def _block_pairs(
    key: np.ndarray, order: np.ndarray, max_block: int, window: int
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """All pairs inside each block of ``key``; only window pairs in blocks over ``max_block``."""
    members = _sorted_members(key, order)
    if members.size < 2:
        return _EMPTY, _EMPTY, 0, 0
    k = key[members]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, k.size])
    big = np.repeat(sizes > max_block, sizes)
    reach = max(min(int(sizes.max()), max_block), window)
    lefts, rights = [], []
    for d in range(1, reach):
        same = k[:-d] == k[d:]
        if d >= window:
            same &= ~big[:-d]
        if not same.any():
            break
        lefts.append(members[:-d][same])
        rights.append(members[d:][same])
    capped = sizes > max_block
    return _concat(lefts), _concat(rights), int(capped.sum()), int(sizes[capped].sum())


def _window_pairs(key: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted neighbourhood: each customer with the next ``window - 1`` in ``key`` order."""
    members = _sorted_members(key, np.zeros_like(key))
    lefts = [members[:-d] for d in range(1, min(window, members.size))]
    rights = [members[d:] for d in range(1, min(window, members.size))]
    return _concat(lefts), _concat(rights)


_EMPTY = np.zeros(0, dtype=np.int32)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else _EMPTY


def _candidate_pairs(
    f: _Features, r: MatchRules
) -> tuple[np.ndarray, np.ndarray, dict[str, int], int, int]:
    """Distinct pairs (left < right, by customer ID) worth scoring, and counts."""
    lefts, rights = [], []
    by_block: dict[str, int] = {}
    capped_blocks = capped_customers = 0
    for label, key, order in _BLOCKS:
        a, b, blocks, people = _block_pairs(f.codes[key], f.codes[order], r.max_block, r.window)
        lefts.append(a)
        rights.append(b)
        by_block[label] = by_block.get(label, 0) + a.size
        capped_blocks += blocks
        capped_customers += people
    for label, key in _WINDOWS:
        a, b = _window_pairs(f.codes[key], r.window)
        lefts.append(a)
        rights.append(b)
        by_block[label] = by_block.get(label, 0) + a.size
    a, b = _concat(lefts), _concat(rights)
    del lefts, rights
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    del a, b
    n = max(len(f.ids), 1)
    distinct = lo != hi
    pair = np.sort(lo[distinct].astype(np.int64) * n + hi[distinct])
    del lo, hi, distinct
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if pair.size else pair
    left, right = (pair // n).astype(np.int32), (pair % n).astype(np.int32)
    return left, right, by_block, capped_blocks, capped_customers


# --- scoring ---------------------------------------------------------------------------


def _same(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (codes[a] >= 0) & (codes[a] == codes[b])


def _both(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (codes[a] >= 0) & (codes[b] >= 0)


def _lengths(values: np.ndarray) -> np.ndarray:
    return np.array([0 if v is None else len(v) for v in values], dtype=np.int64)


def _similarity(
    values: np.ndarray, a: np.ndarray, b: np.ndarray, mask: np.ndarray, scorer
) -> np.ndarray:
    """``scorer`` on the pairs where ``mask`` holds (rapidfuzz, vectorised); 0 elsewhere."""
    out = np.zeros(a.size, dtype=np.float64)
    where = np.flatnonzero(mask)
    if where.size:
        out[where] = process.cpdist(
            values[a[where]].tolist(), values[b[where]].tolist(), scorer=scorer, workers=1
        )
    return out


def _evidence(f: _Features, r: MatchRules, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    c, s = f.codes, r.similarity
    found: dict[str, np.ndarray] = {}
    found["name"] = _same(c["name"], a, b)
    found["name_variant"] = _same(c["name_fold"], a, b) & ~found["name"]
    found["kana"] = _same(c["reading"], a, b)

    name_length = f.lengths["name_fold"]
    maybe = (
        _both(c["name_fold"], a, b)
        & ~_same(c["name_fold"], a, b)
        & (np.minimum(name_length[a], name_length[b]) >= s["name_min_length"])
    )
    similar = _similarity(f.name_fold, a, b, maybe, Levenshtein.normalized_similarity)
    found["name_similar"] = maybe & (similar >= s["name"])

    kana_length = f.lengths["reading"]
    maybe = (
        _both(c["reading"], a, b)
        & ~found["kana"]
        & (np.minimum(kana_length[a], kana_length[b]) >= s["kana_min_length"])
    )
    similar = _similarity(f.reading, a, b, maybe, Levenshtein.normalized_similarity)
    found["kana_similar"] = maybe & (similar >= s["kana"])
    # Written differently *and* read differently: 平倉光司 (コウジ) / 平倉光斗 (コウト) are
    # two people of one family, not a typo, however alike the strings look.
    heard_apart = (
        _both(c["reading"], a, b)
        & ~found["kana"]
        & _same_script(f, a, b)
        & ~found["name"]
        & ~found["name_variant"]
    )
    found["name_similar"] &= ~heard_apart
    found["kana_similar"] &= ~heard_apart

    found["email"] = _same(c["mailbox"], a, b)
    same_domain = _same(c["domain"], a, b)
    same_local = _same(c["local"], a, b)
    local_length = f.lengths["local"]
    shorter = np.minimum(local_length[a], local_length[b])
    longer = np.maximum(local_length[a], local_length[b])
    # Same digits (yamada1 / yamada2 are two accounts) and the same first letter
    # (a-imaura / h-imaura: two people of one household, initials first).
    maybe = (
        same_domain
        & ~same_local
        & _both(c["local"], a, b)
        & (shorter >= s["email_min_length"])
        & (f.local_digits[a] == f.local_digits[b])
        & (f.local_first[a] == f.local_first[b])
    )
    edits = _similarity(f.local, a, b, maybe, OSA.distance)  # a transposition is one edit
    allowed = np.where(longer >= s["email_long_length"], s["email_long_edits"], s["email_edits"])
    typo_local = maybe & (edits <= allowed)
    domain_length = f.lengths["domain"]
    maybe = (
        same_local
        & ~same_domain
        & (local_length[a] >= 4)
        & (np.minimum(domain_length[a], domain_length[b]) >= s["domain_min_length"])
    )
    edits = _similarity(f.domain, a, b, maybe, Levenshtein.distance)
    typo_domain = maybe & (edits <= s["domain_edits"])
    found["email_similar"] = ~found["email"] & (
        (same_domain & same_local) | typo_local | typo_domain
    )

    found["phone"] = _same(c["phone"], a, b)
    found["postal_code"] = _same(c["postal"], a, b)
    found["prefecture"] = _same(c["prefecture"], a, b)
    found["address"] = _same_address(f, a, b)
    return found


def _same_address(f: _Features, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same block number; towns equal or one ends the other (city left out); rooms not different."""
    c = f.codes
    candidates = np.flatnonzero(_same(c["block"], a, b) & _both(c["town"], a, b))
    out = np.zeros(a.size, dtype=bool)
    for i in candidates.tolist():
        ta, tb = f.town[a[i]], f.town[b[i]]
        short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
        room_a, room_b = f.room[a[i]], f.room[b[i]]
        out[i] = (short == long_ or (len(short) >= 2 and long_.endswith(short))) and (
            room_a is None or room_b is None or room_a == room_b
        )
    return out


def _same_script(f: _Features, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Both names known and written in the same script (kanji, kana or latin)."""
    return _both(f.codes["name"], a, b) & (f.script[a] == f.script[b])


def _conflicts(
    f: _Features, a: np.ndarray, b: np.ndarray, found: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    c = f.codes
    any_name = (
        found["name"]
        | found["name_variant"]
        | found["kana"]
        | found["name_similar"]
        | found["kana_similar"]
    )
    comparable = _both(c["reading"], a, b) | _same_script(f, a, b)
    return {
        "name": comparable & ~any_name,
        "email": _both(c["mailbox"], a, b) & ~found["email"] & ~found["email_similar"],
        "phone": _both(c["phone"], a, b) & ~found["phone"],
        "location": np.where(
            _both(c["postal"], a, b),
            ~found["postal_code"],
            _both(c["prefecture"], a, b) & ~found["prefecture"],
        ),
    }


def _score(
    found: dict[str, np.ndarray], conflicts: dict[str, np.ndarray], r: MatchRules
) -> np.ndarray:
    size = next(iter(found.values())).size
    families: dict[str, np.ndarray] = {}
    for name in EVIDENCE:
        best = families.setdefault(r.families[name], np.zeros(size))
        np.maximum(best, np.where(found[name], r.weights[name], 0.0), out=best)
    score = np.zeros(size)
    for family in sorted(families):
        score += families[family]
    for name in CONFLICTS:
        score -= np.where(conflicts[name], r.penalties[name], 0.0)
    for name, cap in r.evidence_caps.items():
        # Capped when this is the best evidence of its family (no stronger one found).
        alone = found[name] & (families[r.families[name]] <= r.weights[name])
        score = np.where(alone, np.minimum(score, cap), score)
    personal = np.logical_or.reduce([found[name] for name in r.personal])
    score = np.where(personal, score, np.minimum(score, r.cap_without_personal))
    for name, cap in r.caps.items():
        if name in r.cap_exceptions:
            unless, other_cap = r.cap_exceptions[name]
            cap = np.where(np.logical_or.reduce([found[e] for e in unless]), other_cap, cap)
        score = np.where(conflicts[name], np.minimum(score, cap), score)
    return np.round(np.clip(score, 0.0, 1.0), 3)


def _evidence_bits(found: dict[str, np.ndarray]) -> np.ndarray:
    """The evidence found for each pair as one integer (bit i: ``EVIDENCE[i]``)."""
    bits = np.zeros(next(iter(found.values())).size, dtype=np.int64)
    for i, name in enumerate(EVIDENCE):
        bits |= found[name].astype(np.int64) << i
    return bits


def _evidence_lists(bits: np.ndarray) -> list[list[str]]:
    """Sorted evidence names per pair, worked out once per distinct combination."""
    names = {
        m: sorted(n for i, n in enumerate(EVIDENCE) if m >> i & 1) for m in np.unique(bits).tolist()
    }
    return [list(names[m]) for m in bits.tolist()]


def _scored(
    f: _Features, r: MatchRules, a: np.ndarray, b: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices (into ``a``/``b``), scores and evidence bits of the pairs to list.

    Scored in chunks so that memory stays bounded however many pairs the blocks produce.
    """
    rows, scores, bits = [], [], []
    for start in range(0, a.size, _CHUNK):
        ca, cb = a[start : start + _CHUNK], b[start : start + _CHUNK]
        found = _evidence(f, r, ca, cb)
        score = _score(found, _conflicts(f, ca, cb, found), r)
        keep = np.flatnonzero((score >= threshold) & (score > 0))
        rows.append(keep + start)
        scores.append(score[keep])
        bits.append(_evidence_bits(found)[keep])
    if not rows:
        return _EMPTY, np.zeros(0), _EMPTY
    return np.concatenate(rows), np.concatenate(scores), np.concatenate(bits)


_CHUNK = 250_000


# --- public API ------------------------------------------------------------------------


def match_customers(
    customers: pd.DataFrame,
    *,
    max_pairs: int | None = None,
    threshold: float | None = None,
    rules: MatchRules | None = None,
) -> MatchResult:
    """:func:`find_candidates` plus :class:`MatchStats` (comparisons made, blocks capped).

    ``rules`` replaces the tables of ``templates/matching.toml`` (benchmarks use
    ``dataclasses.replace(default_rules(), max_block=...)``); name folding always uses
    ``templates/name_variants.toml``.
    """
    r = default_rules() if rules is None else rules
    threshold = r.threshold if threshold is None else threshold
    f = _features(customers)
    a, b, by_block, capped_blocks, capped_customers = _candidate_pairs(f, r)
    rows, score, bits = _scored(f, r, a, b, threshold)
    # Pairs are in ID order already; a stable sort on score keeps that for ties.
    order = np.argsort(-score, kind="stable")
    if max_pairs is not None:
        order = order[: max(max_pairs, 0)]
    rows = rows[order]
    candidates = pd.DataFrame(
        {
            "customer_id_a": pd.Series(f.ids[a[rows]], dtype=object),
            "customer_id_b": pd.Series(f.ids[b[rows]], dtype=object),
            "score": score[order].astype(np.float64),
            "evidence": pd.Series(_evidence_lists(bits[order]), dtype=object),
        },
        columns=CANDIDATE_COLUMNS,
    )
    stats = MatchStats(
        customers=len(f.ids),
        comparisons=int(a.size),
        generated=sum(by_block.values()),
        by_block=by_block,
        capped_blocks=capped_blocks,
        capped_customers=capped_customers,
        listed=len(candidates),
    )
    return MatchResult(candidates, stats)


def find_candidates(
    customers: pd.DataFrame, *, max_pairs: int | None = None, threshold: float | None = None
) -> pd.DataFrame:
    """Pairs of customers that might be one person, likeliest first.

    ``customers``: one row per resolved customer with the columns in :data:`COLUMNS`
    (``customer_id``, ``name``, ``name_key``, ``kana_key``, ``email`` normalised and
    lower-case, ``phone`` E.164, ``postal_code`` ``123-4567``, ``address``,
    ``prefecture``); any value may be missing, a missing column counts as blank.
    Rows without a ``customer_id`` are skipped; a repeated ID keeps its first row.

    Returns :data:`CANDIDATE_COLUMNS`: ``customer_id_a`` < ``customer_id_b``, ``score``
    (0–1), ``evidence`` (sorted names from :data:`EVIDENCE`), one row per pair with
    ``score >= threshold`` (default from ``templates/matching.toml``) and above 0,
    sorted by score (highest first) then IDs; at most ``max_pairs`` rows.
    """
    return match_customers(customers, max_pairs=max_pairs, threshold=threshold).candidates
