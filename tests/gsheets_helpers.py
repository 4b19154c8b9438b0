"""Shared pieces for the Google Sheets tests: a messy Japanese shop, and clients on the fake.

Everything talks to :class:`sheetcrm.fakesheets.FakeSheetsServer` through the real
gspread / google-auth / requests stack; the redirecting session refuses any other host,
so no test can reach the internet.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

from sheetcrm.fakesheets import FakeSheetsServer, client_for
from sheetcrm.gsheets.api import SheetsApi
from sheetcrm.gsheets.auth import Account
from sheetcrm.gsheets.retry import RetryPolicy

AS_OF = dt.date(2024, 12, 31)
SA_EMAIL = "shop-sync@sheetcrm-test.iam.gserviceaccount.com"
ORDERS = "注文"
NOTES = "メモ"

_FAMILY = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田"  # noqa: E501
_GIVEN = "花子 太郎 美咲 健太 陽子 翔 さくら 大輔 恵 結衣 一郎 誠 裕子 直樹 明美 拓也 由美 和也 真由美 達也 智子 哲也 京子 雄一 久美子 浩二 洋子 修 幸子 大樹 彩 蓮 陽菜 湊 凛 悠真 葵 大和 結菜"  # noqa: E501
_PRODUCTS = ["無添加石けん", "定期便 石けん3個", "ギフトセット", "保湿クリーム"]


def no_sleep(_: float) -> None:
    """Retries in tests never wait."""


def fast_policy(tries: int = 3) -> RetryPolicy:
    return RetryPolicy(tries=tries, rng=random.Random(0))


def api_for(
    server: FakeSheetsServer,
    *,
    account: Account | None = None,
    policy: RetryPolicy | None = None,
    sleep: Any = no_sleep,
) -> SheetsApi:
    """A SheetsApi on the fake (anonymous credentials unless ``account`` says otherwise)."""
    return SheetsApi(
        client_for(server.root_url),
        account or Account("anonymous", "test"),
        policy=policy or fast_policy(),
        sleep=sleep,
    )


def service_account() -> Account:
    return Account("service_account", "key.json", email=SA_EMAIL, project_id="sheetcrm-test")


def _date_text(day: dt.date, style: int) -> Any:
    """One purchase date as sellers type it: a real date, 2024/1/5, 和暦, 8 digits…"""
    if style == 0:
        return day  # a real date cell (serial number with a date format)
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 2:
        return f"令和{day.year - 2018}年{day.month}月{day.day}日"
    return f"{day:%Y%m%d}"


def _amount(value: int, style: int) -> Any:
    return [value, f"¥{value:,}", f"{value:,}円", str(value)][style]


def messy_orders(count: int, seed: int = 7) -> list[list[Any]]:
    """A sales log as a Japanese shop keeps it: title rows above the header, dates in
    four notations, yen as text or numbers, phone numbers that lost their leading 0,
    names with 様 and spaces, and the same customers again and again."""
    rng = random.Random(seed)
    people = []
    pairs = [(f, g) for f in _FAMILY.split() for g in _GIVEN.split()]
    rng.shuffle(pairs)
    for i in range(max(count // 3, 1)):
        family, given = pairs[i % len(pairs)]
        if i >= len(pairs):  # more customers than name pairs: tell them apart
            given += "一二三四五六七八九十"[(i // len(pairs)) % 10] * (1 + i // (10 * len(pairs)))
        people.append(
            {
                "name": f"{family}{given}",
                "email": f"{family.encode().hex()[:6]}{i}@example.jp",
                "phone": 9000000000 + i,  # 090-xxxx: an integer without its 0
            }
        )
    rows: list[list[Any]] = [["2024年 売上台帳（手入力）"], ["※ 金額は税込"], []]
    rows.append(["注文番号", "注文日", "お名前", "メールアドレス", "電話番号", "商品", "金額"])
    start = dt.date(2023, 1, 1)
    for n in range(count):
        person = people[rng.randrange(len(people))]
        day = start + dt.timedelta(days=rng.randrange(700))
        name = person["name"]
        if rng.random() < 0.2:
            name = f"{name[:2]} {name[2:]} 様"
        email = person["email"].upper() if rng.random() < 0.1 else person["email"]
        rows.append(
            [
                f"A{10000 + n}",
                _date_text(day, rng.randrange(4)),
                name,
                email,
                person["phone"],
                rng.choice(_PRODUCTS),
                _amount(rng.choice([1200, 2400, 3600, 980]), rng.randrange(4)),
            ]
        )
    return rows


def shop(server: FakeSheetsServer, count: int = 100, *, extra: dict | None = None) -> str:
    """A spreadsheet with the messy sales log and a notes tab of the seller's."""
    orders = messy_orders(count)
    orders.append(["A99990", "3月頃", "佐藤花子", "hanako@example.jp", None, "石けん", 1200])
    orders.append(
        [
            "A99991",
            "2024/5/5",
            '=IMPORTXML("http://evil.example","//a")',
            "x@example.jp",
            None,
            "石けん",
            "¥1,000",
        ]
    )
    orders.append(
        [
            "A99992",
            "2024/5/6",
            '=HYPERLINK("http://evil.example","click")',
            "y@example.jp",
            None,
            "石けん",
            800,
        ]
    )
    orders.append(["A99993", "2024/5/7", "+1", "plus@example.jp", None, "石けん", 500])
    orders.append(["A99994", "2024/5/8", "@SUM(1)", "at@example.jp", None, "石けん", 700])
    sheets = {ORDERS: orders, NOTES: [["メモ"], ["仕入れ先に電話する"], ["=1+1", 42]]}
    sheets.update(extra or {})
    return server.create_spreadsheet("ショップ", sheets, locale="ja_JP")


def tab_state(state: Any) -> dict[str, Any]:
    """A comparable view of a tab: everything but ids Google assigns (charts, metadata)."""
    charts = []
    for chart in state.charts:
        chart = copy.deepcopy(chart)
        chart.pop("chartId", None)
        charts.append(chart)
    metadata = sorted(
        (md["metadataKey"], md.get("metadataValue")) for md in state.developer_metadata
    )
    return {
        "properties": state.properties,
        "cells": state.cells,
        "rows": state.row_properties,
        "columns": state.column_properties,
        "filter": state.basic_filter,
        "rules": state.conditional_formats,
        "charts": charts,
        "metadata": metadata,
    }


def marked(state: Any) -> dict[str, str]:
    """{title: key} of the tabs carrying sheetcrm's key mark."""
    out = {}
    for sheet in state.sheets:
        for md in sheet.developer_metadata:
            if md["metadataKey"] == "sheetcrm.key":
                out[sheet.title] = md.get("metadataValue")
    return out
