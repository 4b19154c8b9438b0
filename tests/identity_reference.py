"""The identity resolution as it was before vectorising (commit 6eca03a), kept verbatim.

``tests/test_identity_equivalence.py`` compares :func:`sheetcrm.identity.resolve` with
this straightforward union-find version on generated and real workbooks: the fast path
must give exactly the same customers, IDs, issues, candidates and frames.

Original module docstring follows.

Decide which rows are the same customer, and explain every decision.

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
The work is done on distinct signatures, not rows, so a 1,000,000-row sales log with
100,000 buyers costs about 100,000 union-find steps.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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


class _UnionFind:
    """Union-find over signature nodes; the root is always the lowest node number.

    ``apart`` holds pairs of seller IDs the seller said are two people: a union that
    would put both in one customer is refused.
    """

    def __init__(
        self, size: int, seller_ids: list[str | None], apart: set[frozenset[str]] = frozenset()
    ) -> None:
        self.parent = list(range(size))
        self.reasons: list[set[str]] = [set() for _ in range(size)]
        self.apart = apart
        self.ids: list[set[str]] = [{i} if i and apart else set() for i in seller_ids]

    def find(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            self.reasons[ra].add(reason)
            return
        if self.apart and any(
            frozenset((x, y)) in self.apart for x in self.ids[ra] for y in self.ids[rb]
        ):
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.reasons[ra] |= self.reasons[rb] | {reason}
        self.ids[ra] |= self.ids[rb]


def _mentions(parsed: ParsedData) -> pd.DataFrame:
    parts = []
    for role, frame in (
        ("customers", parsed.customers),
        ("orders", parsed.orders),
        ("activities", parsed.activities),
    ):
        if frame.empty:
            continue
        part = frame[
            ["source_sheet", "source_row", "customer_id", "name_key", "email", "phone"]
        ].copy()
        part["role"] = role
        part["position"] = np.arange(len(frame))
        parts.append(part)
    if not parts:
        return pd.DataFrame(
            columns=[
                "source_sheet",
                "source_row",
                "customer_id",
                "name_key",
                "email",
                "phone",
                "role",
                "position",
            ]
        )
    mentions = pd.concat(parts, ignore_index=True)
    for column in ("customer_id", "name_key", "email", "phone"):
        mentions[column] = mentions[column].astype(object).where(mentions[column].notna(), None)
    return mentions


def _signatures(mentions: pd.DataFrame) -> pd.Series:
    """Rows with the same signature are the same node; each customer-list row is its own."""
    base = (
        mentions["customer_id"].fillna("")
        + "\x1f"
        + mentions["email"].fillna("")
        + "\x1f"
        + mentions["phone"].fillna("")
        + "\x1f"
        + mentions["name_key"].fillna("")
    )
    listed = mentions["role"] == "customers"
    anchor = mentions["source_sheet"] + "!" + mentions["source_row"].astype(str)
    return base.where(~listed, base + "\x1f" + anchor)


def resolve(parsed: ParsedData, decisions: Decisions | None = None) -> Resolution:
    """Resolve every row of ``parsed`` to a customer (see the module docstring).

    ``decisions`` are the seller's: "merge" joins two customers; "keep apart" stops two
    of the seller's customer IDs from being merged and the pair from being proposed.
    """
    decisions = decisions or Decisions()
    mentions = _mentions(parsed)
    issues: list[Issue] = []
    node_of_row, _ = pd.factorize(_signatures(mentions))
    nodes = mentions.groupby(node_of_row, sort=True).first()
    nodes["listed"] = (mentions["role"] == "customers").groupby(node_of_row).any()
    size = len(nodes)
    apart = {frozenset((d.a, d.b)) for d in decisions.of("keep_apart")}
    uf = _UnionFind(size, nodes["customer_id"].tolist(), apart)
    _explain_collapsed_rows(uf, nodes, np.bincount(node_of_row, minlength=size))

    _union_on(uf, nodes["customer_id"], "customer_id")
    _union_on(uf, nodes["email"], "email")
    phone_name = nodes["phone"].where(nodes["name_key"].notna())
    _union_on(
        uf,
        phone_name.where(phone_name.isna(), phone_name + "\x1f" + nodes["name_key"].fillna("")),
        "phone+name",
    )
    unmatched_nodes = _attach_name_only(uf, nodes)

    roots = np.array([uf.find(i) for i in range(size)], dtype=np.int64)
    cluster_ids, id_merges = _customer_ids(nodes, roots)
    if _apply_merge_decisions(uf, decisions, roots, cluster_ids, id_merges):
        roots = np.array([uf.find(i) for i in range(size)], dtype=np.int64)
        cluster_ids, id_merges = _customer_ids(nodes, roots)
    row_root = roots[node_of_row]
    unmatched_rows = np.isin(node_of_row, list(unmatched_nodes))
    unmatched = mentions.loc[unmatched_rows]
    issues += _row_issues(unmatched, "ambiguous_name", [None] * len(unmatched))
    mentions["resolved_id"] = np.where(unmatched_rows, None, pd.Series(row_root).map(cluster_ids))

    issues += _id_issues(mentions)
    issues += _merged_id_issues(mentions, id_merges)
    customers = _build_customers(parsed, mentions, uf, roots, cluster_ids)
    orders = _assign(parsed.orders, mentions, "orders")
    activities = _assign(parsed.activities, mentions, "activities")
    candidates = _candidates(customers)
    decided = [
        not decisions.keeps_apart(a, b)
        for a, b in zip(candidates["customer_id_a"], candidates["customer_id_b"], strict=True)
    ]
    candidates = candidates.loc[decided].reset_index(drop=True)
    listed = mentions[mentions["role"] == "customers"]
    merges = int(len(listed) - listed["resolved_id"].nunique()) if len(listed) else 0
    return Resolution(customers, orders, activities, candidates, issues, merges, id_merges)


def _apply_merge_decisions(
    uf: _UnionFind,
    decisions: Decisions,
    roots: np.ndarray,
    cluster_ids: dict[int, str],
    id_merges: dict[str, str],
) -> bool:
    """Join the customers the seller decided are one; True when anything was joined."""
    root_of = {cid: root for root, cid in cluster_ids.items()}
    root_of |= {old: root_of[new] for old, new in id_merges.items() if new in root_of}
    joined = False
    for decision in decisions.of("merge"):
        a, b = root_of.get(decision.a), root_of.get(decision.b)
        if a is not None and b is not None and uf.find(a) != uf.find(b):
            uf.union(a, b, "decision")
            joined = True
    return joined


def _explain_collapsed_rows(uf: _UnionFind, nodes: pd.DataFrame, rows_per_node: np.ndarray) -> None:
    """Rows with identical keys share a node; record which key made them one customer."""
    collapsed = nodes.iloc[np.flatnonzero(rows_per_node > 1)]
    present = collapsed[["customer_id", "email", "phone", "name_key"]].notna()
    reason = np.select(
        [
            present["customer_id"],
            present["email"],
            present["phone"] & present["name_key"],
            present["phone"],
        ],
        ["customer_id", "email", "phone+name", "phone"],
        default="name",
    )
    for node, why in zip(collapsed.index.tolist(), reason.tolist(), strict=True):
        uf.reasons[node].add(why)


def _union_on(uf: _UnionFind, keys: pd.Series, reason: str) -> None:
    present = keys.dropna()
    for _, group in present.groupby(present, sort=False):
        members = group.index.tolist()
        for other in members[1:]:
            uf.union(members[0], other, reason)


def _attach_name_only(uf: _UnionFind, nodes: pd.DataFrame) -> set[int]:
    """Rule 4: attach sales/activity rows that give only a name.  Returns unmatched nodes."""
    name_only = (
        nodes["customer_id"].isna()
        & nodes["email"].isna()
        & nodes["phone"].isna()
        & nodes["name_key"].notna()
        & ~nodes["listed"]
    )
    others = nodes.loc[~name_only & nodes["name_key"].notna()]
    roots_by_name: dict[str, set[int]] = defaultdict(set)
    for node, name in others["name_key"].items():
        roots_by_name[name].add(uf.find(node))
    unmatched: set[int] = set()
    first_alone: dict[str, int] = {}
    for node, name in nodes.loc[name_only, "name_key"].items():
        roots = roots_by_name.get(name, set())
        if len(roots) == 1:
            uf.union(next(iter(roots)), node, "name")
        elif len(roots) > 1:
            unmatched.add(node)
        elif name in first_alone:
            uf.union(first_alone[name], node, "name")
        else:
            first_alone[name] = node
    return unmatched


def _customer_ids(nodes: pd.DataFrame, roots: np.ndarray) -> tuple[dict[int, str], dict[str, str]]:
    """The ID of each customer, and which seller IDs were merged into another.

    A customer keeps the seller's ID of its earliest row (the customer list comes
    first); a customer without one gets a stable ID hashed from its best key.
    """
    text = {c: nodes[c].astype("string") for c in ("email", "phone", "name_key")}
    anchor = nodes["source_sheet"].astype("string") + "!" + nodes["source_row"].astype("string")
    best_key = (
        ("e:" + text["email"])
        .fillna("p:" + text["phone"] + "|" + text["name_key"].fillna(""))
        .fillna("n:" + text["name_key"])
        .fillna("r:" + anchor)
    )
    keys: dict[int, str] = best_key.groupby(roots).min().to_dict()
    seller_ids: dict[int, list[str]] = defaultdict(list)
    for root, seller_id in zip(roots.tolist(), nodes["customer_id"].tolist(), strict=True):
        if seller_id and seller_id not in seller_ids[root]:
            seller_ids[root].append(seller_id)
    ids: dict[int, str] = {}
    merged: dict[str, str] = {}
    taken = {i for found in seller_ids.values() for i in found}
    for root in sorted(keys, key=keys.get):
        if seller_ids.get(root):
            primary, *others = seller_ids[root]
            ids[root] = primary
            merged.update(dict.fromkeys(others, primary))
            continue
        digest = hashlib.blake2b(keys[root].encode("utf-8"), digest_size=8).hexdigest().upper()
        length = 8
        while f"C-{digest[:length]}" in taken:
            length += 1
        ids[root] = f"C-{digest[:length]}"
        taken.add(ids[root])
    return ids, merged


def _row_issues(rows: pd.DataFrame, code: str, values: list[str | None]) -> list[Issue]:
    """One whole-row issue per mention in ``rows`` (identity problems have no single cell)."""
    return [
        Issue(sheet, int(row), None, None, value, code)
        for sheet, row, value in zip(rows["source_sheet"], rows["source_row"], values, strict=True)
    ]


def _id_issues(mentions: pd.DataFrame) -> list[Issue]:
    """Customer IDs repeated in the customer list, and IDs the list does not know."""
    listed = mentions[(mentions["role"] == "customers") & mentions["customer_id"].notna()]
    repeated = listed[listed["customer_id"].duplicated(keep="first")]
    issues = _row_issues(repeated, "duplicate_customer_id", repeated["customer_id"].tolist())
    if not listed.empty:
        others = mentions[(mentions["role"] != "customers") & mentions["customer_id"].notna()]
        unknown = others[~others["customer_id"].isin(set(listed["customer_id"]))]
        unknown = unknown.drop_duplicates("customer_id")
        issues += _row_issues(unknown, "unknown_customer_id", unknown["customer_id"].tolist())
    return issues


def _merged_id_issues(mentions: pd.DataFrame, merged: dict[str, str]) -> list[Issue]:
    """One issue per seller ID folded into another, at the first row that carries it."""
    carriers = mentions[mentions["customer_id"].isin(list(merged))].drop_duplicates("customer_id")
    values = [f"{cid} → {merged[cid]}" for cid in carriers["customer_id"]]
    return _row_issues(carriers, "customer_ids_merged", values)


def _assign(frame: pd.DataFrame, mentions: pd.DataFrame, role: str) -> pd.DataFrame:
    if frame.empty:
        return frame.copy()
    resolved = mentions.loc[mentions["role"] == role].sort_values("position")["resolved_id"]
    out = frame.copy()
    out["customer_id"] = resolved.to_numpy()
    return out.loc[out["customer_id"].notna()].reset_index(drop=True)


def _build_customers(
    parsed: ParsedData,
    mentions: pd.DataFrame,
    uf: _UnionFind,
    roots: np.ndarray,
    cluster_ids: dict[int, str],
) -> pd.DataFrame:
    """One row per customer: the best value of each attribute and where it came from.

    The seller's customer list wins; then the most recent sales row; then activities.
    """
    resolved = mentions["resolved_id"]
    pieces = []
    for role, frame, date_column in (
        ("customers", parsed.customers, None),
        ("orders", parsed.orders, "order_date"),
        ("activities", parsed.activities, "date"),
    ):
        if frame.empty:
            continue
        ids = resolved[mentions["role"] == role].to_numpy()
        part = frame.reindex(columns=ATTRIBUTES).copy()
        part["customer_id"] = ids
        part["_rank"] = {"customers": 0, "orders": 1, "activities": 2}[role]
        part["_date"] = frame[date_column] if date_column else pd.NaT
        part["_pos"] = np.arange(len(frame))
        pieces.append(part)
    if not pieces:
        return pd.DataFrame(columns=["customer_id", *ATTRIBUTES, "listed", "sources", "matched_by"])
    stacked = pd.concat(pieces, ignore_index=True)
    stacked = stacked[stacked["customer_id"].notna()]
    stacked = stacked.sort_values(
        ["_rank", "_date", "_pos"], ascending=[True, False, True], kind="stable"
    )
    customers = stacked.groupby("customer_id", sort=True)[ATTRIBUTES].first()
    refs = mentions.loc[resolved.notna()]
    customers["sources"] = _source_lists(refs).reindex(customers.index)
    listed_ids = set(refs.loc[refs["role"] == "customers", "resolved_id"])
    customers["listed"] = customers.index.isin(listed_ids)
    reasons = {cluster_ids[r]: ", ".join(sorted(uf.reasons[r])) for r in set(roots.tolist())}
    customers["matched_by"] = customers.index.map(lambda c: reasons.get(c, ""))
    return customers.reset_index()


def _source_lists(refs: pd.DataFrame) -> pd.Series:
    """``Sheet!row`` references per customer, in reading order (customer list first)."""
    if refs.empty:
        return pd.Series(dtype=object)
    ordered = refs.sort_values("resolved_id", kind="stable")
    labels = (ordered["source_sheet"] + "!" + ordered["source_row"].astype(str)).to_numpy()
    ids = ordered["resolved_id"].to_numpy()
    starts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    groups = np.split(labels, starts)
    return pd.Series([g.tolist() for g in groups], index=ids[np.r_[0, starts]])


def _candidates(customers: pd.DataFrame) -> pd.DataFrame:
    """Pairs of customers that might be one person (fuzzy, see :mod:`sheetcrm.matching`)."""
    frame = customers[
        ["customer_id", "name", "email", "phone", "postal_code", "address", "prefecture"]
    ].copy()
    frame["name_key"] = name_key(customers["name"].astype("string"))
    frame["kana_key"] = kana_key(customers["name_kana"].astype("string"))
    return find_candidates(frame)
