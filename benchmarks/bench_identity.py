"""Who is who, measured end to end: automatic merges and the review queue on a labelled workbook.

Usage::

    python benchmarks/bench_identity.py [--sizes 1000 10000 100000] [--seed 11]

Each size is a seeded messy customer list from ``messy_customers.py`` (about 20 % of
people registered two or three times with realistic noise — half-width kana, spaces,
honorifics, itaiji, e-mail typos, phone notations, 〒 — plus households sharing a
landline and namesakes), written to a real .xlsx customer list with Japanese headers
and analysed by :func:`sheetcrm.pipeline.analyse` exactly as ``sheetcrm check`` would.

Pairwise figures over the rows (a pair = two rows of the list):

- automatic merges: precision and recall of "these two rows became one customer";
- review queue: precision of the candidate pairs, and the recall of merges and
  candidates together (a true pair is found when it was merged or is queued).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

HEADERS = {
    "customer_id": "顧客ID",
    "name": "氏名",
    "name_kana": "フリガナ",
    "email": "メール",
    "phone": "電話番号",
    "postal_code": "郵便番号",
    "address": "住所",
}


def write_workbook(raw, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False},
    )
    sheet = workbook.add_worksheet("顧客")
    sheet.write_row(0, 0, list(HEADERS.values()))
    for r, row in enumerate(raw[list(HEADERS)].itertuples(index=False, name=None), start=1):
        for c, value in enumerate(row):
            if value is not None and value == value:
                sheet.write_string(r, c, str(value))
    workbook.close()


def pairs_by(groups: dict[object, list[int]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for rows in groups.values():
        found.update(combinations(sorted(rows), 2))
    return found


def measure(rows: int, seed: int) -> dict[str, float]:
    from messy_customers import generate

    from sheetcrm.pipeline import analyse

    raw = generate(rows, seed=seed)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "customers.xlsx"
        write_workbook(raw, path)
        started = time.perf_counter()
        analysis = analyse(path, as_of=dt.date(2024, 12, 31))
        seconds = time.perf_counter() - started
    person_of_row = {r + 2: p for r, p in enumerate(raw["person"])}  # Excel row → person
    truth: dict[object, list[int]] = {}
    for row, person in person_of_row.items():
        truth.setdefault(person, []).append(row)
    true_pairs = pairs_by(truth)
    rows_of: dict[str, list[int]] = {}
    for cid, sources in zip(
        analysis.customers["customer_id"], analysis.customers["sources"], strict=True
    ):
        rows_of[cid] = [int(s.rsplit("!", 1)[1]) for s in sources]
    merged = pairs_by(rows_of)
    queued: set[tuple[int, int]] = set()
    for a, b in zip(
        analysis.resolution.candidates["customer_id_a"],
        analysis.resolution.candidates["customer_id_b"],
        strict=True,
    ):
        queued.update((min(x, y), max(x, y)) for x in rows_of[a] for y in rows_of[b])
    candidate_pairs = list(
        zip(
            analysis.resolution.candidates["customer_id_a"],
            analysis.resolution.candidates["customer_id_b"],
            strict=True,
        )
    )
    true_candidates = sum(
        person_of_row[rows_of[a][0]] == person_of_row[rows_of[b][0]] for a, b in candidate_pairs
    )
    found = merged | queued
    return {
        "rows": rows,
        "customers": len(analysis.customers),
        "true_pairs": len(true_pairs),
        "merge_precision": len(merged & true_pairs) / len(merged) if merged else 1.0,
        "merge_recall": len(merged & true_pairs) / len(true_pairs) if true_pairs else 1.0,
        "candidates": len(candidate_pairs),
        "candidate_precision": true_candidates / len(candidate_pairs) if candidate_pairs else 1.0,
        "merge_or_queue_recall": len(found & true_pairs) / len(true_pairs) if true_pairs else 1.0,
        "analyse_s": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(
        f"{'rows':>8} {'customers':>9} {'true pairs':>10} {'merge P':>8} {'merge R':>8} "
        f"{'queued':>7} {'queue P':>8} {'merge+queue R':>13} {'analyse s':>9} {'RSS MB':>7}"
    )
    for size in args.sizes:
        f = measure(size, args.seed)
        print(
            f"{f['rows']:>8,} {f['customers']:>9,} {f['true_pairs']:>10,} "
            f"{f['merge_precision']:>8.3f} {f['merge_recall']:>8.3f} {f['candidates']:>7,} "
            f"{f['candidate_precision']:>8.3f} {f['merge_or_queue_recall']:>13.3f} "
            f"{f['analyse_s']:>9} {f['peak_rss_mb']:>7}"
        )


if __name__ == "__main__":
    main()
