"""Decide which rows are the same customer, and explain every decision.

Rules, strongest first (each mention is a row of the customer list, the sales log or
the activity log):

1. the same customer ID is the same customer;
2. the same normalised e-mail is the same customer;
3. the same normalised phone *and* the same name is the same customer (a household
   landline shared by people with different names is not enough);
4. a row that gives only a name joins the one customer with that name; when several
   customers share the name it is not matched (reported), when none does, rows with
   that name form one customer.

Rules 2 and 3 are certain enough to merge even two customer IDs of the seller's (one
person registered twice): the ID of the earlier row is kept and the merge is reported
(``customer_ids_merged``), never silent.  A shared phone with different names and the
same name with different contact details go to the duplicate candidates instead, for
the seller to review.

The work is done on distinct signatures (*nodes*), not rows, and on whole arrays: each
key column is numbered once, the rules become edges between nodes and a customer is a
connected component of that graph, named by its lowest node.  So a 1,000,000-row sales
log costs about as much as sorting it.  Only joins whose order matters run one at a
time, as a union-find applying the rules in order would: the seller's "merge" decisions,
and the rules inside a component holding two IDs the seller keeps apart (a join that
would put both in one customer is refused, so what is refused depends on what came first).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from sheetcrm.decisions import Decisions
from sheetcrm.issues import Issue
from sheetcrm.matching import find_candidates
from sheetcrm.parse.names import kana_key, name_key
from sheetcrm.records import ParsedData

ATTRIBUTES = [
    "name",
    "name_kana",
    "email",
    "phone",
    "postal_code",
    "address",
    "prefecture",
    "birthday",
    "gender",
    "source",
    "email_opt_in",
    "created_at",
    "notes",
]

#: The tables in reading order, which is also the order of precedence of their values.
ROLES = ("customers", "orders", "activities")
#: The newest dated row of a table speaks first; the customer list is undated.
_DATE_COLUMNS = {"customers": None, "orders": "order_date", "activities": "date"}
_KEYS = ("customer_id", "email", "phone", "name_key")
_SLICE = 1 << 16  # rows turned into Python objects at a time
#: Why rows were joined, one bit each; sorted, so a mask reads back in ``matched_by`` order.
_REASONS = ("customer_id", "decision", "email", "name", "phone", "phone+name")
_BIT = {reason: 1 << i for i, reason in enumerate(_REASONS)}
_MATCHED_BY = np.array(
    [
        ", ".join(reason for i, reason in enumerate(_REASONS) if mask >> i & 1)
        for mask in range(1 << len(_REASONS))
    ],
    dtype=object,
)


@dataclass(frozen=True, eq=False)
class Resolution:
    """Who is who.

    ``customers``: one row per resolved customer: ``customer_id``, the attributes in
    ``ATTRIBUTES``, ``listed`` (in the seller's customer list), ``sources`` (list of
    ``Sheet!row`` references) and ``matched_by`` (the rules that joined its rows).
    ``orders`` / ``activities``: the parsed frames with ``customer_id`` replaced by the
    resolved ID (rows that could not be matched are dropped and reported).
    ``candidates``: possible duplicates: ``customer_id_a``, ``customer_id_b``,
    ``score`` (0–1), ``evidence`` (list of matching fields).
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    activities: pd.DataFrame
    candidates: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    merges: int = 0  # customer-list rows folded into another row of the list
    id_merges: dict[str, str] = field(default_factory=dict)  # seller ID → the ID it joined


@dataclass(frozen=True, eq=False)
class _Rows:
    """Every row of the three tables in reading order (customer list, sales, activities).

    Key columns are numbered so that rows compare as integers: ``codes[key]`` is −1 when
    missing, else an index into ``values[key]``; ``blank[key]`` is the number of an empty
    string (−1 if none).  ``sheet`` indexes ``sheets``; ``number`` is the Excel row.
    """

    frames: dict[str, pd.DataFrame]  # the non-empty tables, in ROLES order
    starts: dict[str, int]
    codes: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    blank: dict[str, int]
    sheet: np.ndarray
    sheets: np.ndarray
    number: np.ndarray

    @property
    def listed(self) -> int:
        """How many rows come from the customer list (they are the first ones)."""
        return len(self.frames.get("customers", ()))

    def span(self, role: str) -> slice:
        start = self.starts[role]
        return slice(start, start + len(self.frames[role]))

    def value(self, key: str, codes: np.ndarray) -> np.ndarray:
        """The values behind ``codes`` (``None`` where missing)."""
        return np.append(self.values[key], None)[codes]

    def labels(self, rows: np.ndarray) -> list[str]:
        """``Sheet!row`` of each of ``rows``."""
        labels: list[str] = []
        # In slices: a million row numbers as Python ints alone would take 40 MB.
        for start in range(0, len(rows), _SLICE):
            part = rows[start : start + _SLICE]
            sheets, numbers = self.sheets[self.sheet[part]].tolist(), self.number[part].tolist()
            labels += [f"{sheet}!{number}" for sheet, number in zip(sheets, numbers, strict=True)]
        return labels


@dataclass(frozen=True, eq=False)
class _Nodes:
    """Rows with the same keys are one node; each customer-list row is a node of its own.

    Nodes are numbered in order of first appearance.  ``codes`` hold each key's value at
    the node (its first non-missing one, as in ``_Rows.codes``).
    """

    of_row: np.ndarray
    first_row: np.ndarray
    codes: dict[str, np.ndarray]
    listed: np.ndarray
    rows: np.ndarray  # how many rows each node stands for

    @property
    def size(self) -> int:
        return len(self.first_row)


class _UnionFind:
    """Joins applied one at a time, for the joins whose order matters.

    Nodes are numbers and the root is always the lowest node.  ``reasons`` holds reason
    masks and ``ids`` the seller IDs, both at roots (absent means none).  ``apart`` holds
    pairs of seller IDs the seller said are two people: a join that would put both in one
    customer is refused.
    """

    def __init__(
        self, reasons: dict[int, int], ids: dict[int, set[str]], apart: set[frozenset[str]]
    ) -> None:
        self.parent: dict[int, int] = {}
        self.reasons = reasons
        self.ids = ids
        self.apart = apart

    def find(self, node: int) -> int:
        root = node
        while (up := self.parent.get(root, root)) != root:
            root = up
        while node != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: int, b: int, bit: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            self.reasons[ra] = self.reasons.get(ra, 0) | bit
            return
        if self.apart and any(
            frozenset((x, y)) in self.apart
            for x in self.ids.get(ra, ())
            for y in self.ids.get(rb, ())
        ):
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.reasons[ra] = self.reasons.get(ra, 0) | self.reasons.pop(rb, 0) | bit
        self.ids[ra] = self.ids.get(ra, set()) | self.ids.pop(rb, set())


def resolve(parsed: ParsedData, decisions: Decisions | None = None) -> Resolution:
    """Resolve every row of ``parsed`` to a customer (see the module docstring).

    ``decisions`` are the seller's: "merge" joins two customers; "keep apart" stops two
    of the seller's customer IDs from being merged and the pair from being proposed.
    """
    decisions = decisions or Decisions()
    resolution = _resolve_rows(parsed, decisions)
    # Fuzzy matching runs after the row-sized working arrays of _resolve_rows are freed.
    return replace(resolution, candidates=_candidates(resolution.customers, decisions))


def _resolve_rows(parsed: ParsedData, decisions: Decisions) -> Resolution:
    """Everything but the duplicate candidates (left empty)."""
    apart = {frozenset((d.a, d.b)) for d in decisions.of("keep_apart")}
    rows = _read_rows(parsed)
    nodes = _group_nodes(rows)
    root, reasons = _apply_rules(rows, nodes, apart)
    unmatched, name_joins = _attach_name_only(nodes, root)
    root, reasons = _join(root, reasons, *name_joins, np.uint8(_BIT["name"]))
    ids, id_merges = _customer_ids(rows, nodes, root)
    joined = _apply_merge_decisions(decisions, apart, rows, nodes, root, reasons, ids, id_merges)
    if joined is not None:
        root, reasons = joined
        ids, id_merges = _customer_ids(rows, nodes, root)

    row_root = root[nodes.of_row]
    unmatched_rows = unmatched[nodes.of_row]
    row_ids = ids[row_root]
    row_ids[unmatched_rows] = None
    ambiguous = np.flatnonzero(unmatched_rows)
    issues = _row_issues(rows, ambiguous, "ambiguous_name", [None] * len(ambiguous))
    issues += _id_issues(rows)
    issues += _merged_id_issues(rows, id_merges)
    customers = _build_customers(rows, row_ids, row_root, root, ids, reasons)
    orders = _assign(parsed.orders, rows, row_ids, "orders")
    activities = _assign(parsed.activities, rows, row_ids, "activities")
    listed_ids = pd.unique(row_ids[: rows.listed])
    merges = rows.listed - int(pd.notna(listed_ids).sum()) if rows.listed else 0
    return Resolution(customers, orders, activities, pd.DataFrame(), issues, merges, id_merges)


def _read_rows(parsed: ParsedData) -> _Rows:
    """The rows of the non-empty tables, with their keys numbered across tables."""
    frames = {role: frame for role in ROLES if not (frame := getattr(parsed, role)).empty}
    starts, size = {}, 0
    for role, frame in frames.items():
        starts[role] = size
        size += len(frame)
    codes, values, blank = {}, {}, {}
    for key in _KEYS:
        codes[key], values[key] = _number([frame[key] for frame in frames.values()])
        empty = np.flatnonzero(values[key] == "")
        blank[key] = int(empty[0]) if len(empty) else -1
    sheet, sheets = _number([frame["source_sheet"] for frame in frames.values()])
    number = np.concatenate(
        [frame["source_row"].to_numpy(dtype=np.int64) for frame in frames.values()]
        or [np.empty(0, np.int64)]
    )
    return _Rows(frames, starts, codes, values, blank, sheet, sheets, number)


def _number(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct values of a column across tables: (codes, values); −1 is missing."""
    parts, found, offset = [], [], 0
    for column in columns:
        codes, uniques = pd.factorize(column)
        parts.append(np.where(codes >= 0, codes + offset, -1))
        found.append(np.asarray(uniques, dtype=object))
        offset += len(uniques)
    if not parts:
        return np.empty(0, np.int64), np.empty(0, dtype=object)
    merged, values = pd.factorize(np.concatenate(found))
    # Code −1 picks the appended −1: missing stays missing.
    return np.append(merged, -1)[np.concatenate(parts)], np.asarray(values, dtype=object)


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number the distinct ``(a, b)`` pairs in order of first appearance.

    Codes are ≥ −1 and ``a`` is itself numbered in order of first appearance.
    """
    highest = int(b.max(initial=-1))
    if highest < 0:
        return a  # b is missing throughout: the pairs are as distinct as a alone
    return pd.factorize((a + 1) * (highest + 2) + (b + 1))[0]


def _group_nodes(rows: _Rows) -> _Nodes:
    """Group rows into nodes by their four keys (customer-list rows stay apart)."""
    signature = np.zeros(len(rows.number), np.int64)
    for key in _KEYS:
        codes, blank = rows.codes[key], rows.blank[key]
        # Signatures were text in which an empty string read as missing; keep that.
        signature = _pair(signature, codes if blank < 0 else np.where(codes == blank, -1, codes))
    of_row = _pair(signature, _anchors(rows))
    # Nodes are numbered by first appearance: a row is first when its number is new.
    highest = np.maximum.accumulate(of_row)
    first_row = np.flatnonzero(np.diff(highest, prepend=-1) > 0)
    codes = {}
    for key in _KEYS:
        codes[key] = rows.codes[key][first_row]
        if rows.blank[key] >= 0:
            # A node's value is its first non-missing one: "" when any of its rows has it.
            codes[key][of_row[rows.codes[key] == rows.blank[key]]] = rows.blank[key]
    return _Nodes(
        of_row=of_row,
        first_row=first_row,
        codes=codes,
        listed=first_row < rows.listed,
        rows=np.bincount(of_row, minlength=len(first_row)),
    )


def _anchors(rows: _Rows) -> np.ndarray:
    """A number per customer-list row (its sheet and row), −1 for the others."""
    anchors = np.full(len(rows.number), -1, np.int64)
    listed = slice(0, rows.listed)
    anchors[listed] = _pair(rows.sheet[listed], pd.factorize(rows.number[listed])[0])
    return anchors


def _apply_rules(
    rows: _Rows, nodes: _Nodes, apart: set[frozenset[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Rules 1–3: each node's root (the lowest node of its customer) and the reasons there."""
    collapsed = _collapsed_reasons(nodes)
    edges = _rule_edges(nodes)
    root, reasons = _join(
        np.arange(nodes.size),
        collapsed,
        np.concatenate([first for first, _, _ in edges]),
        np.concatenate([other for _, other, _ in edges]),
        np.concatenate([np.full(len(first), bit, np.uint8) for first, _, bit in edges]),
    )
    tangled = _tangled(rows, nodes, root, apart)
    if tangled.any():
        root, reasons = _replay(rows, nodes, root, reasons, collapsed, edges, tangled, apart)
    return root, reasons


def _collapsed_reasons(nodes: _Nodes) -> np.ndarray:
    """Rows with identical keys share a node; record which key made them one customer."""
    present = {key: nodes.codes[key] >= 0 for key in _KEYS}
    reason = np.select(
        [
            present["customer_id"],
            present["email"],
            present["phone"] & present["name_key"],
            present["phone"],
        ],
        [_BIT["customer_id"], _BIT["email"], _BIT["phone+name"], _BIT["phone"]],
        default=_BIT["name"],
    )
    return np.where(nodes.rows > 1, reason, 0).astype(np.uint8)


def _rule_edges(nodes: _Nodes) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Rules 1–3 as ``(first, other, reason bit)`` edges, in the order the rules apply."""
    phone, name = nodes.codes["phone"], nodes.codes["name_key"]
    phone_name = np.where((phone >= 0) & (name >= 0), _pair(phone, name), -1)
    return [
        (*_same_key(nodes.codes["customer_id"]), _BIT["customer_id"]),
        (*_same_key(nodes.codes["email"]), _BIT["email"]),
        (*_same_key(phone_name), _BIT["phone+name"]),
    ]


def _same_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Join each node with a key to the first node with that key.

    The edges come sorted by (first, other): the order in which a union-find walking the
    keys by first appearance would join them.
    """
    present = np.flatnonzero(keys >= 0)
    ordered = present[np.argsort(keys[present], kind="stable")]
    starts = np.flatnonzero(np.diff(keys[ordered], prepend=-1) != 0)
    first = np.repeat(ordered[starts], np.diff(np.append(starts, len(ordered))))
    joined = ordered != first
    first, other = first[joined], ordered[joined]
    order = np.lexsort((other, first))
    return first[order], other[order]


def _join(
    root: np.ndarray,
    reasons: np.ndarray,
    first: np.ndarray,
    other: np.ndarray,
    bits: np.ndarray | np.uint8,
) -> tuple[np.ndarray, np.ndarray]:
    """Customers once the ``first``–``other`` edges join them, and the reasons at the new roots.

    ``root`` names each node's customer by its lowest node, as a union-find whose root is
    always the lower one would; ``reasons`` of the old customers and ``bits`` of the edges
    are OR-ed at the new roots.
    """
    size = len(root)
    if len(first) == 0:
        return root, reasons
    nodes = np.arange(size)
    graph = coo_array(
        (np.ones(size + len(first), np.int32), (np.append(nodes, first), np.append(root, other))),
        shape=(size, size),
    )
    _, labels = connected_components(graph, directed=False)
    _, lowest = np.unique(labels, return_index=True)
    new_root = lowest[labels]
    new_reasons = np.zeros(size, np.uint8)
    np.bitwise_or.at(new_reasons, new_root, reasons)
    np.bitwise_or.at(new_reasons, new_root[first], bits)
    return new_root, new_reasons


def _seller_ids(rows: _Rows, nodes: _Nodes) -> np.ndarray:
    """Nodes that carry one of the seller's customer IDs (an empty ID is none)."""
    codes = nodes.codes["customer_id"]
    return (codes >= 0) & (codes != rows.blank["customer_id"])


def _tangled(
    rows: _Rows, nodes: _Nodes, root: np.ndarray, apart: set[frozenset[str]]
) -> np.ndarray:
    """Nodes of the customers that hold both IDs of a pair the seller keeps apart."""
    tangled = np.zeros(nodes.size, bool)
    if not apart:
        return tangled
    held = np.flatnonzero(_seller_ids(rows, nodes))
    values = rows.value("customer_id", nodes.codes["customer_id"][held])
    root_of = dict(zip(values.tolist(), root[held].tolist(), strict=True))
    roots = set()
    for pair in apart:
        a, b = (*pair, *pair)[:2]  # a pair of one ID twice is a set of one
        if a in root_of and root_of[a] == root_of.get(b):
            roots.add(root_of[a])
    tangled[np.isin(root, list(roots))] = True
    return tangled


def _replay(
    rows: _Rows,
    nodes: _Nodes,
    root: np.ndarray,
    reasons: np.ndarray,
    collapsed: np.ndarray,
    edges: list[tuple[np.ndarray, np.ndarray, int]],
    tangled: np.ndarray,
    apart: set[frozenset[str]],
) -> tuple[np.ndarray, np.ndarray]:
    """Redo rules 1–3 one join at a time inside ``tangled`` customers, refusing kept-apart joins.

    Joins elsewhere never meet these nodes, so replaying only these joins, in the order
    the rules make them, gives what a union-find over everything would.
    """
    members = np.flatnonzero(tangled)
    held = members[_seller_ids(rows, nodes)[members]]
    ids = rows.value("customer_id", nodes.codes["customer_id"][held])
    union_find = _UnionFind(
        {node: int(collapsed[node]) for node in members.tolist() if collapsed[node]},
        {node: {seller_id} for node, seller_id in zip(held.tolist(), ids.tolist(), strict=True)},
        apart,
    )
    for first, other, bit in edges:
        inside = tangled[first]
        for a, b in zip(first[inside].tolist(), other[inside].tolist(), strict=True):
            union_find.union(a, b, bit)
    root, reasons = root.copy(), reasons.copy()
    root[members] = [union_find.find(node) for node in members.tolist()]
    reasons[members] = 0
    for node in np.unique(root[members]).tolist():
        reasons[node] = union_find.reasons.get(node, 0)
    return root, reasons


def _attach_name_only(
    nodes: _Nodes, root: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Rule 4 for sales/activity rows that give only a name: (unmatched nodes, joins).

    Such a node has no key of rules 1–3, so it is still alone; it joins the one customer
    with its name, is unmatched when several have it, and with no such customer the
    nodes of that name join the first of them.
    """
    name = nodes.codes["name_key"]
    unmatched = np.zeros(nodes.size, bool)
    name_only = (
        (nodes.codes["customer_id"] < 0)
        & (nodes.codes["email"] < 0)
        & (nodes.codes["phone"] < 0)
        & (name >= 0)
        & ~nodes.listed
    )
    if not name_only.any():
        return unmatched, (np.empty(0, np.int64), np.empty(0, np.int64))
    others = np.flatnonzero(~name_only & (name >= 0))
    names = int(name.max()) + 1
    customer = _pair(name[others], root[others])
    _, distinct = np.unique(customer, return_index=True)
    named = others[distinct]  # one node per (name, customer)
    customers_named = np.bincount(name[named], minlength=names)
    sole = np.full(names, -1)
    sole[name[named]] = root[named]
    alone = np.flatnonzero(name_only)
    count = customers_named[name[alone]]
    unmatched[alone[count > 1]] = True
    first_alone = np.full(names, -1)
    unknown = alone[count == 0]
    _, first = np.unique(name[unknown], return_index=True)
    first_alone[name[unknown[first]]] = unknown[first]
    target = np.where(count == 1, sole[name[alone]], first_alone[name[alone]])
    joins = (count <= 1) & (target != alone)
    return unmatched, (target[joins], alone[joins])


def _customer_ids(
    rows: _Rows, nodes: _Nodes, root: np.ndarray
) -> tuple[np.ndarray, dict[str, str]]:
    """The ID of each customer (at its root), and which seller IDs were merged into another.

    A customer keeps the seller's ID of its earliest row (the customer list comes
    first); a customer without one gets a stable ID hashed from its best key.
    """
    codes = nodes.codes["customer_id"]
    held = np.flatnonzero(_seller_ids(rows, nodes))
    held = held[~pd.Series(_pair(root[held], codes[held])).duplicated().to_numpy()]
    primary = ~pd.Series(root[held]).duplicated().to_numpy()
    ids = np.full(nodes.size, None, dtype=object)
    ids[root[held[primary]]] = rows.value("customer_id", codes[held[primary]])
    folded = held[~primary]  # further seller IDs of a customer, in node order
    folded_into: dict[int, list[str]] = {}
    for node_root, seller_id in zip(
        root[folded].tolist(), rows.value("customer_id", codes[folded]).tolist(), strict=True
    ):
        folded_into.setdefault(node_root, []).append(seller_id)
    keyed = (root == np.arange(nodes.size)) & pd.isna(ids)
    keyed[list(folded_into)] = True
    keys = _best_keys(rows, nodes, root, keyed)
    merged: dict[str, str] = {}
    taken = set(rows.value("customer_id", codes[held]).tolist())
    for customer in sorted(keys, key=keys.get):
        if customer in folded_into:
            merged.update(dict.fromkeys(folded_into[customer], ids[customer]))
            continue
        digest = hashlib.blake2b(keys[customer].encode("utf-8"), digest_size=8).hexdigest()
        digest, length = digest.upper(), 8
        while f"C-{digest[:length]}" in taken:
            length += 1
        ids[customer] = f"C-{digest[:length]}"
        taken.add(ids[customer])
    return ids, merged


def _best_keys(rows: _Rows, nodes: _Nodes, root: np.ndarray, keyed: np.ndarray) -> dict[int, str]:
    """The best key of each ``keyed`` customer (root → key, roots ascending).

    A node's key is its e-mail, else its phone and name, else its name, else its first
    row's sheet and row; a customer's is the lowest of its nodes' keys.  Keys order the
    customers and seed the hashed IDs.
    """
    members = np.flatnonzero(keyed[root])
    text = {
        key: pd.Series(rows.value(key, nodes.codes[key][members]), dtype=object).astype("string")
        for key in ("email", "phone", "name_key")
    }
    first_row = nodes.first_row[members]
    sheet = pd.Series(rows.sheets[rows.sheet[first_row]], dtype=object).astype("string")
    anchor = sheet + "!" + pd.Series(rows.number[first_row]).astype("string")
    best_key = (
        ("e:" + text["email"])
        .fillna("p:" + text["phone"] + "|" + text["name_key"].fillna(""))
        .fillna("n:" + text["name_key"])
        .fillna("r:" + anchor)
    )
    return best_key.groupby(root[members]).min().to_dict()


def _apply_merge_decisions(
    decisions: Decisions,
    apart: set[frozenset[str]],
    rows: _Rows,
    nodes: _Nodes,
    root: np.ndarray,
    reasons: np.ndarray,
    ids: np.ndarray,
    id_merges: dict[str, str],
) -> tuple[np.ndarray, np.ndarray] | None:
    """Join the customers the seller decided are one; ``None`` when nothing was joined."""
    roots = np.flatnonzero(root == np.arange(nodes.size))
    root_of = dict(zip(ids[roots].tolist(), roots.tolist(), strict=True))
    root_of |= {old: root_of[new] for old, new in id_merges.items() if new in root_of}
    pairs = [(root_of.get(d.a), root_of.get(d.b)) for d in decisions.of("merge")]
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    if not pairs:
        return None
    involved = sorted({node for pair in pairs for node in pair})
    union_find = _UnionFind(
        {node: int(reasons[node]) for node in involved},
        _ids_of(rows, nodes, root, involved) if apart else {},
        apart,
    )
    for a, b in pairs:
        if union_find.find(a) != union_find.find(b):
            union_find.union(a, b, _BIT["decision"])
    joined = [union_find.find(node) for node in involved]
    if joined == involved:
        return None  # every join was refused: nothing changes
    remap, reasons = np.arange(nodes.size), reasons.copy()
    remap[involved] = joined
    reasons[involved] = 0
    for node in set(joined):
        reasons[node] = union_find.reasons.get(node, 0)
    return remap[root], reasons


def _ids_of(
    rows: _Rows, nodes: _Nodes, root: np.ndarray, customers: list[int]
) -> dict[int, set[str]]:
    """The seller IDs of each of ``customers`` (by root)."""
    held = np.flatnonzero(_seller_ids(rows, nodes) & np.isin(root, customers))
    ids: dict[int, set[str]] = {}
    values = rows.value("customer_id", nodes.codes["customer_id"][held]).tolist()
    for node_root, seller_id in zip(root[held].tolist(), values, strict=True):
        ids.setdefault(node_root, set()).add(seller_id)
    return ids


def _row_issues(rows: _Rows, at: np.ndarray, code: str, values: list[str | None]) -> list[Issue]:
    """One whole-row issue per row ``at`` (identity problems have no single cell)."""
    sheets, numbers = rows.sheets[rows.sheet[at]].tolist(), rows.number[at].tolist()
    return [
        Issue(sheet, int(number), None, None, value, code)
        for sheet, number, value in zip(sheets, numbers, values, strict=True)
    ]


def _repeated(at: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Which rows of ``at`` have a code that appeared before in ``at``."""
    return pd.Series(codes[at]).duplicated().to_numpy()


def _id_issues(rows: _Rows) -> list[Issue]:
    """Customer IDs repeated in the customer list, and IDs the list does not know."""
    codes = rows.codes["customer_id"]
    listed = np.flatnonzero(codes[: rows.listed] >= 0)
    repeated = listed[_repeated(listed, codes)]
    values = rows.value("customer_id", codes[repeated]).tolist()
    issues = _row_issues(rows, repeated, "duplicate_customer_id", values)
    if len(listed):
        known = np.zeros(len(rows.values["customer_id"]), bool)
        known[codes[listed]] = True
        others = rows.listed + np.flatnonzero(codes[rows.listed :] >= 0)
        unknown = others[~known[codes[others]]]
        unknown = unknown[~_repeated(unknown, codes)]
        values = rows.value("customer_id", codes[unknown]).tolist()
        issues += _row_issues(rows, unknown, "unknown_customer_id", values)
    return issues


def _merged_id_issues(rows: _Rows, merged: dict[str, str]) -> list[Issue]:
    """One issue per seller ID folded into another, at the first row that carries it."""
    if not merged:
        return []
    codes = rows.codes["customer_id"]
    folded = pd.Index(rows.values["customer_id"]).get_indexer(list(merged))
    carriers = np.flatnonzero(np.isin(codes, folded[folded >= 0]))
    carriers = carriers[~_repeated(carriers, codes)]
    values = [f"{cid} → {merged[cid]}" for cid in rows.value("customer_id", codes[carriers])]
    return _row_issues(rows, carriers, "customer_ids_merged", values)


def _assign(frame: pd.DataFrame, rows: _Rows, row_ids: np.ndarray, role: str) -> pd.DataFrame:
    """``frame`` with each row's resolved customer ID; rows that were not matched are dropped."""
    if frame.empty:
        return frame.copy()
    ids = row_ids[rows.span(role)]
    out = frame.assign(customer_id=ids)  # copy-on-write: the other columns are shared
    matched = pd.notna(ids)
    if not matched.all():
        out = out.loc[matched]
    return out.reset_index(drop=True)


def _build_customers(
    rows: _Rows,
    row_ids: np.ndarray,
    row_root: np.ndarray,
    root: np.ndarray,
    ids: np.ndarray,
    reasons: np.ndarray,
) -> pd.DataFrame:
    """One row per customer: the best value of each attribute and where it came from.

    The seller's customer list wins; then the most recent sales row; then activities.
    Only the rows that can decide a value are stacked and sorted (see ``_deciding_rows``).
    """
    matched = pd.notna(row_ids)
    pieces = []
    for role, frame in rows.frames.items():
        span = rows.span(role)
        chosen = _deciding_rows(frame, role, row_root[span], matched[span])
        part = frame.iloc[chosen].reindex(columns=ATTRIBUTES)
        part["customer_id"] = row_ids[span][chosen]
        part["_rank"] = ROLES.index(role)
        date_column = _DATE_COLUMNS[role]
        part["_date"] = frame[date_column].iloc[chosen] if date_column else pd.NaT
        part["_pos"] = chosen
        pieces.append(part)
    if not pieces:
        return pd.DataFrame(columns=["customer_id", *ATTRIBUTES, "listed", "sources", "matched_by"])
    stacked = pd.concat(pieces, ignore_index=True)
    stacked = stacked[stacked["customer_id"].notna()]
    stacked = stacked.sort_values(
        ["_rank", "_date", "_pos"], ascending=[True, False, True], kind="stable"
    )
    customers = stacked.groupby("customer_id", sort=True)[ATTRIBUTES].first()
    roots = np.flatnonzero(root == np.arange(len(root)))
    of_root = np.full(len(root), -1)
    of_root[roots] = customers.index.get_indexer(ids[roots])
    of_row = np.where(matched, of_root[row_root], -1)  # each row's customer (its position)
    sources = _source_lists(rows, of_row, len(customers))
    customers["sources"] = pd.Series(sources, index=customers.index, dtype=object)
    listed = np.zeros(len(customers), bool)
    listed_rows = of_row[: rows.listed]
    listed[listed_rows[listed_rows >= 0]] = True
    customers["listed"] = listed
    root_of = np.zeros(len(customers), np.int64)
    root_of[of_root[roots][of_root[roots] >= 0]] = roots[of_root[roots] >= 0]
    customers["matched_by"] = _MATCHED_BY[reasons[root_of]]
    return customers.reset_index()


def _deciding_rows(
    frame: pd.DataFrame, role: str, customer: np.ndarray, matched: np.ndarray
) -> np.ndarray:
    """Positions of the rows of ``frame`` that can decide a customer's attribute.

    The value kept for an attribute is the first non-missing one in precedence order, so
    for each customer and attribute only this table's first row with a value can win, and
    each customer needs one row to appear at all.  Stacking any superset of these rows
    gives the same values as stacking them all.  Row 0 and the first row that fills each
    column are kept as well: pandas types the stacked columns from each table's columns,
    and may pass over ones that are empty or all missing, so these stay as they were.
    """
    date_column = _DATE_COLUMNS[role]
    if date_column is None:
        when = np.zeros(len(frame), np.int64)
    else:
        dates = frame[date_column].to_numpy()
        if dates.dtype.kind != "M":
            return np.arange(len(frame))  # dates we cannot order ourselves: keep every row
        when = dates.view(np.int64)  # NaT is the lowest number: undated rows come last
    chosen = [np.zeros(1, np.int64), _first_in_order(np.flatnonzero(matched), customer, when)]
    for column in ATTRIBUTES:
        if column in frame:
            present = frame[column].notna().to_numpy()
            if present.any():
                chosen.append(np.flatnonzero(present)[:1])
                chosen.append(_first_in_order(np.flatnonzero(present & matched), customer, when))
    return np.unique(np.concatenate(chosen))


def _first_in_order(rows: np.ndarray, customer: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Each customer's first of ``rows`` in precedence order: the newest, then the first."""
    group, stamp = customer[rows], when[rows]
    newest = np.full(int(customer.max()) + 1, np.iinfo(np.int64).min)
    np.maximum.at(newest, group, stamp)
    rows = rows[stamp == newest[group]]
    first = np.full(len(newest), len(customer))
    np.minimum.at(first, customer[rows], rows)
    return first[first < len(customer)]


def _source_lists(rows: _Rows, of_row: np.ndarray, customers: int) -> list[list[str]]:
    """``Sheet!row`` references per customer, in reading order (customer list first)."""
    if not customers:
        return []
    matched = np.flatnonzero(of_row >= 0)
    # Sorting (customer, row) as one number keeps reading order within a customer.
    order = np.sort(of_row[matched] * len(of_row) + matched) % len(of_row)
    labels = rows.labels(order)
    ends = np.cumsum(np.bincount(of_row[order], minlength=customers)).tolist()
    return [labels[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _candidates(customers: pd.DataFrame, decisions: Decisions) -> pd.DataFrame:
    """Pairs of customers that might be one person (fuzzy, see :mod:`sheetcrm.matching`).

    Pairs the seller keeps apart are not proposed again.
    """
    frame = customers[
        ["customer_id", "name", "email", "phone", "postal_code", "address", "prefecture"]
    ].copy()
    frame["name_key"] = name_key(customers["name"].astype("string"))
    frame["kana_key"] = kana_key(customers["name_kana"].astype("string"))
    candidates = find_candidates(frame)
    decided = [
        not decisions.keeps_apart(a, b)
        for a, b in zip(candidates["customer_id_a"], candidates["customer_id_b"], strict=True)
    ]
    return candidates.loc[decided].reset_index(drop=True)
