"""Benchmark duplicate matching: pairwise precision / recall, time and peak memory.

Usage::

    python benchmarks/bench_matching.py [--sizes 1000 10000 100000] [--thresholds 0.3 0.35 0.5 0.8]
                                        [--towns N] [--cap-study] [--seed 11]

Each size is a seeded messy customer list from ``messy_customers.py`` (that many rows;
about 20 % of people registered two or three times, plus households and namesakes),
parsed and resolved by the exact identity rules as the pipeline would, then matched by
:func:`sheetcrm.matching.match_customers` in a fresh process.  Memory is the peak that
matching allocates (tracemalloc, which numpy reports its arrays to; a second run, as
tracing slows it) and the process's peak RSS.

A *true pair* is two resolved customers that are one person.  Precision and recall are
pairwise, at each threshold.  Traps are counted separately: ``household`` pairs (two
people of one address and landline) and ``namesake`` pairs (two people with one name)
that were listed, with their highest score.

``--towns 30`` makes a local shop (customers in 30 postal codes: large, capped blocks).
``--cap-study`` also matches each size with no block cap (``max_block`` = 10⁹) to show
what the cap costs and saves.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# messy_customers is a sibling module; benchmarks/ is not a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import messy_customers


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(path: Path, thresholds: list[float], max_block: int | None) -> dict:
    """In this process: load the prepared list, match it, score the result against the truth."""
    import dataclasses

    from sheetcrm.matching import default_rules, match_customers

    with path.open("rb") as handle:
        customers, truth = pickle.load(handle)
    rules = default_rules()
    if max_block is not None:
        rules = dataclasses.replace(rules, max_block=max_block)
    match_customers(customers.head(50), rules=rules)  # warm caches and imports
    baseline = peak_mb()
    started = time.perf_counter()
    result = match_customers(customers, threshold=min(thresholds), rules=rules)
    seconds = time.perf_counter() - started
    peak = peak_mb()
    # Peak of what matching itself allocates (numpy reports its buffers to tracemalloc);
    # a second run, because tracing slows the first.
    tracemalloc.start()
    match_customers(customers, threshold=min(thresholds), rules=rules)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    truth_pairs = messy_customers.true_pairs(truth)
    person = dict(zip(truth["customer_id"], truth["person"], strict=True))
    household = dict(zip(truth["customer_id"], truth["household"], strict=True))
    names = dict(zip(customers["customer_id"], customers["name_key"], strict=True))
    candidates = result.candidates
    rows = []
    for threshold in thresholds:
        listed = candidates[candidates["score"] >= threshold]
        pairs = list(zip(listed["customer_id_a"], listed["customer_id_b"], strict=True))
        scores = listed["score"].tolist()
        hits = sum(p in truth_pairs for p in pairs)
        homes = [
            s
            for (a, b), s in zip(pairs, scores, strict=True)
            if person[a] != person[b] and household[a] == household[b]
        ]
        namesakes = [
            s
            for (a, b), s in zip(pairs, scores, strict=True)
            if person[a] != person[b] and household[a] != household[b] and names[a] == names[b]
        ]
        rows.append(
            {
                "threshold": threshold,
                "listed": len(pairs),
                "precision": hits / len(pairs) if pairs else 1.0,
                "recall": hits / len(truth_pairs) if truth_pairs else 1.0,
                "households": len(homes),
                "household_max": max(homes, default=None),
                "namesakes": len(namesakes),
                "namesake_max": max(namesakes, default=None),
            }
        )
    stats = result.stats
    return {
        "customers": stats.customers,
        "true_pairs": len(truth_pairs),
        "comparisons": stats.comparisons,
        "generated": stats.generated,
        "capped_blocks": stats.capped_blocks,
        "capped_customers": stats.capped_customers,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak),
        "delta_mb": round(peak - baseline),
        "traced_mb": round(traced),
        "thresholds": rows,
    }


def _child(path: Path, thresholds: list[float], max_block: int | None) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--thresholds"]
    command += [str(t) for t in thresholds]
    if max_block is not None:
        command += ["--max-block", str(max_block)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print(rows: int, label: str, figures: dict, made: float) -> None:
    n = figures["customers"]
    print(
        f"\n{label} rows={rows:,}  customers after exact rules={n:,}  "
        f"true pairs={figures['true_pairs']:,}  (generated + parsed + resolved in {made:.1f} s)"
    )
    print(
        f"  comparisons {figures['comparisons']:,} ({figures['comparisons'] / max(n, 1):.1f} per "
        f"customer; all pairs would be {n * (n - 1) // 2:,})  capped blocks "
        f"{figures['capped_blocks']} ({figures['capped_customers']:,} customers)"
    )
    print(
        f"  time {figures['seconds']:.2f} s   peak allocated by matching "
        f"{figures['traced_mb']} MB   process peak RSS {figures['peak_mb']} MB "
        f"(+{figures['delta_mb']} MB over the loaded data)"
    )
    print("  threshold  listed  precision  recall  households (max)  namesakes (max)")
    for r in figures["thresholds"]:
        print(
            f"  {r['threshold']:>9.2f} {r['listed']:>7,} {r['precision']:>10.3f} "
            f"{r['recall']:>7.3f} {r['households']:>11,} ({r['household_max'] or '-'})"
            f" {r['namesakes']:>10,} ({r['namesake_max'] or '-'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.35, 0.5, 0.8])
    parser.add_argument("--towns", type=int, default=None, help="postal codes (default: rows/12)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--cap-study", action="store_true", help="also run without a block cap")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--max-block", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(Path(args.child), args.thresholds, args.max_block)))
        return
    for rows in args.sizes:
        started = time.perf_counter()
        raw = messy_customers.generate(rows, args.seed, towns=args.towns)
        prepared = messy_customers.prepare(raw)
        made = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "customers.pkl"
            with path.open("wb") as handle:
                pickle.dump(prepared, handle)
            _print(rows, "capped", _child(path, args.thresholds, None), made)
            if args.cap_study:
                _print(rows, "no cap", _child(path, args.thresholds, 10**9), made)


if __name__ == "__main__":
    main()
