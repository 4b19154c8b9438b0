"""Benchmark `sheetcrm refresh` against the naive pandas + openpyxl pipeline, stage by stage.

Usage::

    python benchmarks/bench_refresh.py                        # 10k and 100k orders
    python benchmarks/bench_refresh.py --orders 1000000 --no-naive
    python benchmarks/bench_refresh.py --orders 100000 --profile resolve
    python benchmarks/bench_refresh.py --orders 10000 --json > figures.json

Each size gets a seeded workbook as Excel writes it: a customer list (one customer per
ten orders) and a sales log, Japanese names and products in the shared-string table,
dates as real Excel dates, amounts as numbers and one in 97 as yen text.

Then two pipelines run, each in a fresh process on its own copy of the workbook, so a
peak RSS is that run's alone:

- ours: :func:`sheetcrm.pipeline.refresh` as the CLI runs it (with its backup), timed
  by a progress callback at each of its stage boundaries;
- naive: what a pandas script does — ``pandas.read_excel(engine="openpyxl")`` of both
  sheets, a groupby for recency / frequency / monetary per customer ID, then openpyxl
  ``load_workbook`` + a results sheet + ``save``.

Per size a table shows each stage's seconds and the RSS high-water mark at its end, the
totals and naive/ours; a summary across sizes shows whether time grows linearly with
rows.  ``--profile STAGE`` adds a cProfile run of ours and prints that stage's top 25
functions by cumulative time.  ``--no-naive`` skips the naive run (minutes at 1M rows).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = dt.date(2024, 12, 31)
SEED = 7
CUSTOMER_SHEET = "顧客"
ORDER_SHEET = "注文"
CUSTOMER_HEADERS = ["顧客ID", "氏名", "メールアドレス", "電話番号", "流入経路"]
ORDER_HEADERS = ["注文番号", "購入日", "顧客ID", "商品", "数量", "金額(税込)"]

#: Every stage either pipeline reports, in table order, with what it covers.
STAGES = {
    "import": "importing the libraries (pandas, …)",
    "check": "ours: is it a workbook, is it locked; fingerprint to detect a change",
    "read": "reading the sheets' cells (naive: pandas.read_excel, openpyxl engine)",
    "recognise": "ours: finding the header rows and tables",
    "parse": "ours: dates, amounts, names, phones, e-mails parsed; data issues",
    "resolve": "ours: rows that are the same customer merged",
    "metrics": "RFM per customer (ours: + value forecast + segments; naive: groupby)",
    "build": "ours: the generated tabs' tables assembled",
    "load": "naive: openpyxl.load_workbook of the whole workbook",
    "render": "ours: tabs rendered to xlsx; naive: results sheet filled cell by cell",
    "write": "ours: tabs grafted into the workbook after a backup; naive: openpyxl save",
}
OURS_STAGES = ["import", "check", "read", "recognise", "parse", "resolve", "metrics"]
OURS_STAGES += ["build", "render", "write"]
NAIVE_STAGES = ["import", "read", "metrics", "load", "render", "write"]

#: The issue's targets: orders → (seconds end to end, peak MB or None).
TARGETS = {100_000: (3.0, None), 1_000_000: (15.0, 1500.0)}

FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
FAMILY += ["吉田", "山田"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "さくら", "大輔", "恵"]
GIVEN += ["拓海", "結衣"]
PRODUCTS = ["無添加石けん", "定期便 石けん3個", "ギフトセット", "保湿クリーム", "詰め替えパック"]
CHANNELS = ["Instagram", "紹介", "検索", "チラシ"]


# --- the workbook -------------------------------------------------------------------


def generate(path: Path, orders: int, seed: int = SEED) -> None:
    """Write the seeded shop workbook: strings shared as Excel stores them, real dates.

    xlsxwriter's normal mode keeps every cell until ``close`` (about 1 GB at a million
    orders) but, unlike its constant-memory mode, writes a shared-string table.
    """
    import xlsxwriter

    rng = random.Random(seed)
    customers = max(1, orders // 10)
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    _write_customers(workbook.add_worksheet(CUSTOMER_SHEET), customers, rng)
    date_format = workbook.add_format({"num_format": "yyyy/mm/dd"})
    _write_orders(workbook.add_worksheet(ORDER_SHEET), orders, customers, rng, date_format)
    workbook.close()


def _write_customers(sheet, customers: int, rng: random.Random) -> None:
    sheet.write_row(0, 0, CUSTOMER_HEADERS)
    for i in range(customers):
        name = f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}"
        phone = f"090-{1000 + i // 10000:04d}-{i % 10000:04d}"
        row = [f"C{i:06d}", name, f"user{i}@example.jp", phone, rng.choice(CHANNELS)]
        sheet.write_row(i + 1, 0, row)


def _write_orders(sheet, orders: int, customers: int, rng: random.Random, date_format) -> None:
    sheet.write_row(0, 0, ORDER_HEADERS)
    start = dt.date(2022, 1, 1)
    for i in range(orders):
        row = i + 1
        sheet.write_string(row, 0, f"A{i:07d}")
        sheet.write_datetime(row, 1, start + dt.timedelta(days=rng.randrange(1060)), date_format)
        # Skewed like a real shop's list: the oldest customers order most (about 50 times
        # at the top), the newest about 5 times; fewer than 1 % never order.
        sheet.write_string(row, 2, f"C{int(customers * rng.random() ** 2):06d}")
        sheet.write_string(row, 3, rng.choice(PRODUCTS))
        sheet.write_number(row, 4, rng.choice([1, 1, 1, 2, 3]))
        amount = rng.choice([1980, 3300, 5500, 8800])
        if i % 97 == 0:
            sheet.write_string(row, 5, f"¥{amount:,}")
        else:
            sheet.write_number(row, 5, amount)


# --- measuring inside one run ---------------------------------------------------------


def peak_mb() -> float:
    """This process's RSS high-water mark so far, in MB.

    On Linux ``ru_maxrss`` starts at the *parent's* high-water mark (exec records the
    forked parent's, which here holds the generated workbook), so the process's own
    ``VmHWM`` is read instead.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


class StageClock:
    """A progress callback: stamps the time and the RSS high-water mark at each boundary.

    ``profiled`` names a stage to run under cProfile (only that stage's calls are kept).
    """

    def __init__(self, first: str, profiled: str | None = None) -> None:
        self.figures: list[dict[str, Any]] = []
        self.profiled = profiled
        self.profiler = cProfile.Profile() if profiled else None
        self._enter(first)

    def __call__(self, stage: str) -> None:
        self._leave()
        self._enter(stage)

    def finish(self) -> list[dict[str, Any]]:
        """Close the last stage; the figures, one dict per stage in the order run."""
        self._leave()
        return self.figures

    def _enter(self, stage: str) -> None:
        self.stage, self.started = stage, time.perf_counter()
        if self.profiler and stage == self.profiled:
            self.profiler.enable()

    def _leave(self) -> None:
        if self.profiler and self.stage == self.profiled:
            self.profiler.disable()
        seconds = time.perf_counter() - self.started
        self.figures.append({"stage": self.stage, "seconds": seconds, "peak_mb": peak_mb()})


def run_ours(path: Path, profiled: str | None = None, stats: Path | None = None) -> dict:
    """``sheetcrm.pipeline.refresh`` on ``path`` as the CLI runs it, with a backup."""
    clock = StageClock("import", profiled)
    from sheetcrm.pipeline import refresh

    clock("check")
    report = refresh(path, as_of=AS_OF, progress=clock)
    figures = {"stages": clock.finish(), "customers": len(report.analysis.customers)}
    if clock.profiler and stats:
        clock.profiler.dump_stats(stats)
    return figures


def run_naive(path: Path) -> dict:
    """The pipeline a pandas script would be: read_excel → groupby → openpyxl load + save."""
    clock = StageClock("import")
    import openpyxl
    import pandas as pd

    clock("read")
    frames = pd.read_excel(path, sheet_name=[CUSTOMER_SHEET, ORDER_SHEET], engine="openpyxl")
    clock("metrics")
    table = naive_rfm(frames[CUSTOMER_SHEET], frames[ORDER_SHEET])
    clock("load")
    workbook = openpyxl.load_workbook(path)
    clock("render")
    write_results_sheet(workbook, table)
    clock("write")
    workbook.save(path)
    return {"stages": clock.finish(), "customers": len(table)}


def naive_rfm(customers, orders):
    """Recency (days), frequency (orders) and monetary (yen) per customer ID, plainly."""
    import pandas as pd

    amounts = orders["金額(税込)"].astype(str).str.replace(r"[¥,]", "", regex=True)
    orders = orders.assign(amount=pd.to_numeric(amounts), date=pd.to_datetime(orders["購入日"]))
    grouped = orders.groupby("顧客ID")
    rfm = pd.DataFrame(
        {
            "recency_days": (pd.Timestamp(AS_OF) - grouped["date"].max()).dt.days,
            "frequency": grouped["注文番号"].nunique(),
            "monetary": grouped["amount"].sum(),
        }
    )
    return customers.set_index("顧客ID")[["氏名"]].join(rfm, how="left").reset_index()


def write_results_sheet(workbook, table) -> None:
    sheet = workbook.create_sheet("RFM")
    sheet.append(list(table.columns))
    cells = table.astype(object).where(table.notna(), None)  # NaN is not a valid cell
    for row in cells.itertuples(index=False, name=None):
        sheet.append(row)


# --- running sizes ----------------------------------------------------------------------


def measure(
    orders: int, *, naive: bool, workdir: Path, profile: str | None = None
) -> dict[str, Any]:
    """Generate the workbook for ``orders`` in ``workdir`` and run each pipeline on a copy."""
    source = workdir / f"shop{orders}.xlsx"
    started = time.perf_counter()
    generate(source, orders)
    result: dict[str, Any] = {
        "orders": orders,
        "customers": max(1, orders // 10),
        "file_mb": source.stat().st_size / 1e6,
        "generate_s": time.perf_counter() - started,
    }
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as scratch:
        result["ours"] = _summed(_child("ours", _copy(source, Path(scratch) / "ours")))
        result["naive"] = None
        if naive:
            result["naive"] = _summed(_child("naive", _copy(source, Path(scratch) / "naive")))
        if profile:
            result["profile_stage"] = profile
            result["profile"] = _profile(source, Path(scratch) / "profile", profile)
    result["ratio"] = _ratio(result)
    return result


def _copy(source: Path, folder: Path) -> Path:
    folder.mkdir()
    return Path(shutil.copy2(source, folder / source.name))


def _child(mode: str, path: Path, *extra: str) -> dict:
    """Run one pipeline in a fresh Python process; its figures (JSON on the last line)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(path), *extra]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the {mode} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summed(figures: dict) -> dict:
    figures["total_s"] = sum(stage["seconds"] for stage in figures["stages"])
    figures["peak_mb"] = max(stage["peak_mb"] for stage in figures["stages"])
    return figures


def _ratio(result: dict) -> float | None:
    if not result["naive"]:
        return None
    return result["naive"]["total_s"] / result["ours"]["total_s"]


def _profile(source: Path, folder: Path, stage: str) -> str:
    """Top 25 functions by cumulative time in ``stage`` of a profiled run of ours."""
    path = _copy(source, folder)
    stats_path = folder / "stage.prof"
    _child("ours", path, "--profile", stage, "--stats", str(stats_path))
    text = io.StringIO()
    stats = pstats.Stats(str(stats_path), stream=text)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    return text.getvalue()


# --- printing -------------------------------------------------------------------------

FIELDS = (("seconds", 2), ("peak_mb", 0))  # per-stage figure and its decimals


def _cell(figures: dict | None, stage: str, key: str, digits: int) -> str:
    if not figures:
        return "—"
    for row in figures["stages"]:
        if row["stage"] == stage:
            return f"{row[key]:,.{digits}f}"
    return "—"


def size_table(result: dict) -> str:
    """One size: seconds and RSS high-water mark per stage, for ours and naive, and totals."""
    ours, naive = result["ours"], result["naive"]
    lines = [
        f"{result['orders']:,} orders, {result['customers']:,} customers — "
        f"{result['file_mb']:.1f} MB workbook (generated in {result['generate_s']:.1f} s)",
        f"  {'stage':<10} {'ours s':>9} {'ours peak MB':>13} {'naive s':>9} {'naive peak MB':>14}",
    ]
    for stage in STAGES:
        cells = [_cell(f, stage, k, d) for f in (ours, naive) for k, d in FIELDS]
        lines.append(f"  {stage:<10} {cells[0]:>9} {cells[1]:>13} {cells[2]:>9} {cells[3]:>14}")
    totals = [_total(ours, "total_s", 2), _total(ours, "peak_mb", 0)]
    totals += [_total(naive, "total_s", 2), _total(naive, "peak_mb", 0)]
    lines.append(f"  {'total':<10} {totals[0]:>9} {totals[1]:>13} {totals[2]:>9} {totals[3]:>14}")
    if naive:
        memory = naive["peak_mb"] / ours["peak_mb"]
        lines.append(f"  naive/ours: {result['ratio']:.1f}× the time, {memory:.1f}× the peak RSS")
    return "\n".join(lines)


def _total(figures: dict | None, key: str, digits: int) -> str:
    return f"{figures[key]:,.{digits}f}" if figures else "—"


def summary_table(results: list[dict]) -> str:
    """Across sizes: totals, peaks, ratio and seconds per 100k orders (linear if flat)."""
    head = (
        f"{'orders':>10} {'ours s':>8} {'ours MB':>8} {'naive s':>8} {'naive MB':>9} "
        f"{'naive/ours':>10} {'s/100k':>7}  target"
    )
    lines = [head]
    for result in results:
        ours, naive = result["ours"], result["naive"]
        ratio = f"{result['ratio']:.1f}×" if result["ratio"] else "—"
        per_100k = ours["total_s"] / result["orders"] * 100_000
        lines.append(
            f"{result['orders']:>10,} {ours['total_s']:>8.2f} {ours['peak_mb']:>8,.0f} "
            f"{_total(naive, 'total_s', 2):>8} {_total(naive, 'peak_mb', 0):>9} "
            f"{ratio:>10} {per_100k:>7.2f}  {target_note(result)}"
        )
    return "\n".join(lines)


def target_note(result: dict) -> str:
    """The issue's target for this size, if it has one, and whether ours meets it."""
    if result["orders"] not in TARGETS:
        return ""
    seconds, megabytes = TARGETS[result["orders"]]
    ours = result["ours"]
    met = ours["total_s"] < seconds and (megabytes is None or ours["peak_mb"] < megabytes)
    wanted = f"< {seconds:g} s" + (f", < {megabytes:,.0f} MB" if megabytes else "")
    return f"{wanted}: {'met' if met else 'missed'}"


def legend() -> str:
    return "\n".join(f"  {stage:<10} {what}" for stage, what in STAGES.items())


def size_report(result: dict) -> str:
    """The size's table, then its profile when one was asked for."""
    text = size_table(result) + "\n"
    if "profile" in result:
        text += f"\nProfile of ours, stage '{result['profile_stage']}', {result['orders']:,} orders"
        text += f"\n{result['profile']}"
    return text


# --- command line -----------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pipeline")
    parser.add_argument("--keep", type=Path, help="keep the generated workbooks in this folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--profile",
        choices=OURS_STAGES,
        help="also profile ours and print this stage's top 25 functions by cumulative time",
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def _run_child(mode: str, path: Path, profile: str | None, stats: Path | None) -> None:
    figures = run_ours(path, profile, stats) if mode == "ours" else run_naive(path)
    print(json.dumps(figures))


def main() -> None:
    args = _arguments()
    if args.child:
        _run_child(args.child[0], Path(args.child[1]), args.profile, args.stats)
        return
    if not args.json:
        print(f"Stages (as of {AS_OF}, seed {SEED}):\n{legend()}\n", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-workbooks-") as scratch:
        workdir = args.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for orders in args.orders:
            result = measure(orders, naive=not args.no_naive, workdir=workdir, profile=args.profile)
            results.append(result)
            if not args.json:
                print(size_report(result), flush=True)
    if args.json:
        print(json.dumps({"as_of": str(AS_OF), "seed": SEED, "sizes": results}, indent=2))
    else:
        print(summary_table(results))


if __name__ == "__main__":
    main()
