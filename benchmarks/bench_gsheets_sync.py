"""Count the requests (and bytes, and time) ``sheetcrm sync`` takes, against the local fake.

Usage::

    python benchmarks/bench_gsheets_sync.py --rows 100 5000 100000

Each size gets the messy Japanese sales log of the test suite (``tests/gsheets_helpers``:
title rows, four date notations, yen as text, phone numbers that lost their 0), in a
fresh :class:`~sheetcrm.fakesheets.FakeSheetsServer`, synced twice (the second sync
replaces the tabs in place).  Requests are counted by the client (retries included);
bodies are the exact bytes sent.  Times include the fake applying the requests, which
is far slower than Google for big writes (it copies the whole spreadsheet per request
to be all-or-nothing), so read the time columns as an upper bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from gsheets_helpers import api_for, messy_orders

from sheetcrm.fakesheets import FakeSheetsServer
from sheetcrm.gsheets import sync

AS_OF = dt.date(2024, 12, 31)


def run(rows: int) -> None:
    with FakeSheetsServer(seed=1) as server:
        sid = server.create_spreadsheet("Shop", {"注文": messy_orders(rows)}, locale="ja_JP")
        for label in ("first sync", "re-sync"):
            api = api_for(server)
            start = time.perf_counter()
            report = sync(sid, api=api, as_of=AS_OF)
            total = time.perf_counter() - start
            writes = report.write_requests
            print(
                f"{rows:>7} rows, {label}: {report.request_count} requests {report.requests}, "
                f"{writes} write request(s), {report.bytes_sent / 1e6:.1f} MB sent "
                f"(largest body {api.stats.largest_body / 1e6:.2f} MB), "
                f"{len(report.analysis.customers)} customers, {report.cells_after:,} cells, "
                f"{len(report.replaced)} tabs replaced in place, {len(report.released)} released, "
                f"{total:.1f} s",
                flush=True,
            )
            if report.split_reason:
                print(f"         split: {report.split_reason}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 5_000])
    for rows in parser.parse_args().rows:
        run(rows)


if __name__ == "__main__":
    main()
