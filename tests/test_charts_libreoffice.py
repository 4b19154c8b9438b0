"""The generated charts are real charts: present in the package and read by LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from sheetcrm.pipeline import refresh
from sheetcrm.template import new_workbook

TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    path = new_workbook(tmp_path_factory.mktemp("c") / "demo.xlsx", sample=True, today=TODAY)
    refresh(path, as_of=TODAY, backup=False)
    return Path(path)


def _charts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {
            n: z.read(n).decode("utf-8")
            for n in z.namelist()
            if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
        }


def test_summary_and_insight_tabs_carry_native_charts(refreshed: Path) -> None:
    charts = _charts(refreshed)
    assert len(charts) >= 4
    kinds = {
        re.search(r"<c:(barChart|lineChart|pieChart)", xml).group(1) for xml in charts.values()
    }
    assert "barChart" in kinds


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_the_charts(refreshed: Path, tmp_path: Path) -> None:
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(refreshed)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = out / refreshed.name
    assert converted.exists()
    # LibreOffice wrote the charts back out: it parsed them as charts, not as opaque parts.
    assert len(_charts(converted)) == len(_charts(refreshed))
