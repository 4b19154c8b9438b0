"""Benchmark `sheetcrm refresh` on generated shop workbooks; prints time and peak memory per stage.

Usage::

    python benchmarks/bench_refresh.py --orders 10000 100000 1000000 [--naive]

Each size gets a seeded workbook (a customer list with one customer per 10 orders and
a sales log with Japanese names and products, dates as real Excel dates, amounts as
numbers and a few as yen text), written with xlsxwriter in constant-memory mode into a
temporary folder.  Each size runs in a fresh process so peak RSS is per size.
``--naive`` also times what most Python tools do to write back — openpyxl load + save
of the same workbook — in its own process (slow: minutes and gigabytes at 1M rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
]
GIVEN = [
    "太郎",
    "花子",
    "一郎",
    "美咲",
    "健太",
    "陽子",
    "翔",
    "さくら",
    "大輔",
    "恵",
    "拓海",
    "結衣",
]
PRODUCTS = ["無添加石けん", "定期便 石けん3個", "ギフトセット", "保湿クリーム", "詰め替えパック"]


def generate(path: Path, orders: int, seed: int = 7) -> None:
    import xlsxwriter

    rng = random.Random(seed)
    customers = max(1, orders // 10)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_format = workbook.add_format({"num_format": "yyyy/mm/dd"})
    sheet = workbook.add_worksheet("顧客")
    sheet.write_row(0, 0, ["顧客ID", "氏名", "メールアドレス", "電話番号", "流入経路"])
    for i in range(customers):
        name = f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}"
        sheet.write_row(
            i + 1,
            0,
            [
                f"C{i:06d}",
                name,
                f"user{i}@example.jp",
                f"090-{1000 + i // 10000:04d}-{i % 10000:04d}",
                rng.choice(["Instagram", "紹介", "検索", "チラシ"]),
            ],
        )
    sheet = workbook.add_worksheet("注文")
    sheet.write_row(0, 0, ["注文番号", "購入日", "顧客ID", "商品", "数量", "金額(税込)"])
    start = dt.date(2022, 1, 1)
    for i in range(orders):
        row = i + 1
        sheet.write_string(row, 0, f"A{i:07d}")
        sheet.write_datetime(row, 1, start + dt.timedelta(days=rng.randrange(1060)), date_format)
        sheet.write_string(row, 2, f"C{int(rng.paretovariate(1.2) * 7) % customers:06d}")
        sheet.write_string(row, 3, rng.choice(PRODUCTS))
        sheet.write_number(row, 4, rng.choice([1, 1, 1, 2, 3]))
        amount = rng.choice([1980, 3300, 5500, 8800])
        if i % 97 == 0:
            sheet.write_string(row, 5, f"¥{amount:,}")
        else:
            sheet.write_number(row, 5, amount)
    workbook.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(path: Path) -> dict[str, float]:
    """Run every refresh stage on ``path`` in this process and time each."""
    from sheetcrm.analysis import analyse_tables
    from sheetcrm.outputs import build_output
    from sheetcrm.package import write_generated_sheets
    from sheetcrm.pipeline import find_tables
    from sheetcrm.render_xlsx import render_xlsx

    figures: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        figures[f"{stage}_s"] = round(now - clock, 2)
        figures[f"{stage}_peak_mb"] = round(peak_mb())
        clock = now

    total = time.perf_counter()
    tables = find_tables(path)
    lap("read+recognise")
    analysis = analyse_tables(tables, as_of=dt.date(2024, 12, 31))
    lap("parse+resolve+metrics")
    model = build_output(analysis)
    lap("build_tabs")
    with tempfile.TemporaryDirectory() as scratch:
        rendered = Path(scratch) / "g.xlsx"
        render_xlsx(model, rendered)
        lap("render")
        write_generated_sheets(path, rendered, [s.key for s in model.sheets], backup=False)
        lap("write")
    figures["total_s"] = round(time.perf_counter() - total, 2)
    figures["peak_mb"] = round(peak_mb())
    figures["customers"] = len(analysis.customers)
    return figures


def run_naive(path: Path) -> dict[str, float]:
    """The write-back most tools do: load the whole workbook with openpyxl and save it."""
    import openpyxl

    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path)
    loaded = time.perf_counter()
    workbook.create_sheet("Summary")
    workbook.save(path.with_name("naive.xlsx"))
    done = time.perf_counter()
    return {
        "openpyxl_load_s": round(loaded - started, 2),
        "openpyxl_save_s": round(done - loaded, 2),
        "openpyxl_total_s": round(done - started, 2),
        "openpyxl_peak_mb": round(peak_mb()),
    }


def _child(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, f"--{mode}-child", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--naive", action="store_true", help="also time openpyxl load+save of the same workbook"
    )
    parser.add_argument("--ours-child", help=argparse.SUPPRESS)
    parser.add_argument("--naive-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours_child:
        print(json.dumps(run_one(Path(args.ours_child))))
        return
    if args.naive_child:
        print(json.dumps(run_naive(Path(args.naive_child))))
        return
    for orders in args.orders:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "shop.xlsx"
            started = time.perf_counter()
            generate(path, orders)
            made = time.perf_counter() - started
            size_mb = path.stat().st_size / 1e6
            figures = _child("naive", path) if args.naive else {}
            figures |= _child("ours", path)
            print(f"orders={orders:>9,} file={size_mb:6.1f} MB (generated in {made:.1f} s)")
            for key, value in figures.items():
                print(f"  {key:32} {value}")


if __name__ == "__main__":
    main()
