"""Progress stages: what `refresh` reports, in which order, and what the CLI shows for each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetcrm.cli import STAGES, main
from sheetcrm.forget import forget
from sheetcrm.pipeline import analyse, refresh

AS_OF = dt.date(2024, 12, 31)
REFRESH_STAGES = ["read", "recognise", "parse", "resolve", "metrics", "build", "render", "write"]


def shop_rows(orders: int = 40) -> dict[str, list[list[object]]]:
    """A small shop: a customer list and a sales log with real dates and a yen-text amount."""
    customers = [["顧客ID", "氏名", "メールアドレス", "電話番号"]]
    for i in range(8):
        customers.append([f"C{i:03d}", f"山田{i}郎", f"user{i}@example.jp", f"090-1111-{i:04d}"])
    log = [["注文番号", "購入日", "顧客ID", "商品", "金額"]]
    for i in range(orders):
        amount: object = "¥1,980" if i % 7 == 0 else 3300
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i * 5)
        log.append([f"A{i:04d}", day, f"C{i % 8:03d}", "無添加石けん", amount])
    return {"顧客": customers, "注文": log}


@pytest.fixture
def shop(make_workbook) -> Path:
    return make_workbook(shop_rows())


def test_refresh_reports_every_stage_once_in_pipeline_order(shop: Path) -> None:
    seen: list[str] = []
    refresh(shop, as_of=AS_OF, progress=seen.append)
    assert seen == REFRESH_STAGES


def test_the_cli_progress_bar_has_one_step_per_refresh_stage() -> None:
    assert list(STAGES) == REFRESH_STAGES
    assert all(en and ja and en != ja for en, ja in STAGES.values())


def test_a_dry_run_stops_after_building_the_tabs(shop: Path) -> None:
    seen: list[str] = []
    refresh(shop, as_of=AS_OF, dry_run=True, progress=seen.append)
    assert seen == REFRESH_STAGES[: REFRESH_STAGES.index("build") + 1]


def test_analyse_reports_the_stages_up_to_metrics(shop: Path) -> None:
    seen: list[str] = []
    analyse(shop, as_of=AS_OF, progress=seen.append)
    assert seen == REFRESH_STAGES[: REFRESH_STAGES.index("metrics") + 1]


def test_forget_reports_the_same_stages_as_refresh(shop: Path) -> None:
    seen: list[str] = []
    forget(shop, "user1@example.jp", as_of=AS_OF, backup=False, progress=seen.append)
    assert seen == REFRESH_STAGES


@pytest.mark.parametrize(("lang", "index"), [("en", 0), ("ja", 1)])
def test_the_progress_bar_names_the_last_stage_in_the_users_language(
    shop: Path, lang: str, index: int
) -> None:
    result = CliRunner().invoke(
        main,
        ["refresh", str(shop), "--as-of", "2024-12-31", "--no-backup", "--progress"],
        env={"LANG": "ja_JP.UTF-8" if lang == "ja" else "C", "LC_ALL": ""},
    )
    assert result.exit_code == 0, result.output
    assert STAGES["write"][index] in result.stderr
    assert STAGES["write"][index] not in result.stdout
