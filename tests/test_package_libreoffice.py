"""LibreOffice as an independent reader and re-saver of grafted workbooks (skipped if absent)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import python_calamine
from test_package_support import make_rendered, make_seller

from sheetcrm.package import generated_sheets, write_generated_sheets


def test_libreoffice_reads_our_tab(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: no independent reader available")
    book = make_seller(tmp_path / "shop.xlsx")
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), ["customers", "summary"])
    out = tmp_path / "csv"
    # The filter's 12th token -1 writes one CSV per sheet (LibreOffice 7.2 and later).
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out),
            str(book),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    sheets = {
        p.stem.removeprefix("shop-"): p.read_text(encoding="utf-8") for p in out.glob("*.csv")
    }
    if set(sheets) == {"shop"}:
        pytest.skip("this LibreOffice converts only the first sheet (needs 7.2 or later)")
    assert sorted(sheets) == ["Customers", "Notes", "Orders", "Summary"]
    assert sheets["Orders"].splitlines() == ["order,customer,amount", "1,Alice,1200"]
    assert sheets["Customers"].splitlines() == [
        "顧客,Amount,Days",
        "青木 花子,12000,5",
        "Bob,3400,40",
        "Chloé,880,200",
        "大和,56000,12",
    ]


def test_our_tabs_survive_a_libreoffice_save(tmp_path: Path) -> None:
    """LibreOffice keeps our marker names (not their code names): a refresh still replaces."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: no independent writer available")
    book = make_seller(tmp_path / "shop.xlsx")
    keys = ["customers", "summary"]
    write_generated_sheets(book, make_rendered(tmp_path / "r.xlsx"), keys)
    saved = tmp_path / "saved"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(saved),
            str(book),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    resaved = saved / "shop.xlsx"
    assert generated_sheets(resaved) == {"Customers": "customers", "Summary": "summary"}

    result = write_generated_sheets(resaved, make_rendered(tmp_path / "r2.xlsx"), keys)

    assert [r.title for r in result.replaced] == ["Customers", "Summary"] and not result.added
    assert python_calamine.CalamineWorkbook.from_path(str(resaved)).sheet_names == [
        "Orders",
        "Notes",
        "Customers",
        "Summary",
    ]
