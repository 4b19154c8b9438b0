"""benchmarks/bench_refresh.py at a tiny size: every stage of both pipelines is measured."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_refresh.py"
ORDERS = 300


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_refresh", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict:
    """One run of the benchmark's command line: 300 orders, naive included, one profile."""
    keep = tmp_path_factory.mktemp("workbooks")
    command = [sys.executable, str(BENCH), "--orders", str(ORDERS), "--json"]
    command += ["--keep", str(keep), "--profile", "resolve"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    report["kept"] = sorted(p.name for p in keep.iterdir())
    return report


def _stage_names(run: dict) -> list[str]:
    return [stage["stage"] for stage in run["stages"]]


def test_ours_is_timed_at_every_refresh_stage_in_order(figures: dict) -> None:
    (size,) = figures["sizes"]
    assert size["orders"] == ORDERS
    assert _stage_names(size["ours"]) == bench.OURS_STAGES


def test_the_naive_pipeline_is_timed_at_each_of_its_stages(figures: dict) -> None:
    (size,) = figures["sizes"]
    assert _stage_names(size["naive"]) == bench.NAIVE_STAGES


def test_every_figure_is_positive_and_totals_add_up(figures: dict) -> None:
    (size,) = figures["sizes"]
    for run in (size["ours"], size["naive"]):
        assert all(stage["seconds"] > 0 and stage["peak_mb"] > 0 for stage in run["stages"])
        assert run["total_s"] == pytest.approx(sum(s["seconds"] for s in run["stages"]))
        assert run["peak_mb"] == max(s["peak_mb"] for s in run["stages"])
    assert size["ratio"] == pytest.approx(size["naive"]["total_s"] / size["ours"]["total_s"])


def test_both_pipelines_saw_every_customer_of_the_generated_workbook(figures: dict) -> None:
    (size,) = figures["sizes"]
    assert size["customers"] == ORDERS // 10
    assert size["ours"]["customers"] == size["naive"]["customers"] == ORDERS // 10


def test_the_profile_is_of_the_asked_stage_only(figures: dict) -> None:
    (size,) = figures["sizes"]
    assert size["profile_stage"] == "resolve"
    assert "cumulative" in size["profile"] and "(resolve)" in size["profile"]
    assert "(parse_tables)" not in size["profile"]


def test_keep_leaves_the_generated_workbook(figures: dict) -> None:
    assert figures["kept"] == [f"shop{ORDERS}.xlsx"]


def test_the_printed_tables_show_every_stage_totals_and_ratio(figures: dict) -> None:
    (size,) = figures["sizes"]
    table = bench.size_table(size)
    for stage in bench.STAGES:
        assert f"\n  {stage} " in table
    assert "\n  total " in table and "naive/ours:" in table
    summary = bench.summary_table(figures["sizes"]).splitlines()
    assert len(summary) == 2 and summary[1].split()[0] == f"{ORDERS:,}"


def test_without_naive_the_tables_leave_its_columns_empty(figures: dict) -> None:
    size = dict(figures["sizes"][0], naive=None, ratio=None)
    assert "naive/ours" not in bench.size_table(size)
    assert bench.summary_table([size]).splitlines()[1].split()[3] == "—"


def test_the_workbook_is_seeded_with_shared_strings_and_excel_dates(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    bench.generate(first, 50)
    bench.generate(second, 50)
    with zipfile.ZipFile(first) as package:
        assert "xl/sharedStrings.xml" in package.namelist()
        assert all(b"inlineStr" not in package.read(n) for n in package.namelist())
    values = [_values(first), _values(second)]
    assert values[0] == values[1]
    orders = values[0][bench.ORDER_SHEET]
    assert orders[0] == tuple(bench.ORDER_HEADERS) and len(orders) == 51
    assert all(type(row[1]).__name__ == "datetime" for row in orders[1:])
    assert isinstance(orders[1][5], str) and orders[1][5].startswith("¥")  # one in 97 as text


def _values(path: Path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {s.title: list(s.iter_rows(values_only=True)) for s in workbook.worksheets}
    finally:
        workbook.close()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc only")
def test_a_child_run_does_not_inherit_the_parents_peak_memory() -> None:
    held = bytearray(400 * 1024 * 1024)
    held[::4096] = b"\1" * len(held[::4096])  # touch every page: the parent's RSS peaks
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import bench_refresh as b; print(b.peak_mb())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(BENCH.parent)], capture_output=True, text=True, check=True
    )
    del held
    assert 0 < float(done.stdout) < 200
