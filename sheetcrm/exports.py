"""Machine-readable exports of the computed tables (CSV or JSON, stable snake_case columns)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import IO, Literal

import pandas as pd

from sheetcrm.analysis import Analysis
from sheetcrm.clv import FORECAST_COLUMNS
from sheetcrm.identity import ATTRIBUTES
from sheetcrm.metrics import METRIC_COLUMNS
from sheetcrm.privacy import mask_email, mask_phone, mask_text, mask_value, neutralise

ExportTable = Literal["customers", "orders", "issues", "duplicates", "actions", "mailing"]
EXPORT_TABLES: tuple[str, ...] = (
    "customers",
    "orders",
    "issues",
    "duplicates",
    "actions",
    "mailing",
)

CUSTOMER_EXPORT = [
    "customer_id",
    *ATTRIBUTES,
    *METRIC_COLUMNS,
    *FORECAST_COLUMNS,
    "segment",
    "last_response_date",
    "last_response_type",
    "activities",
    "listed",
    "matched_by",
    "sources",
]
ORDER_EXPORT = [
    "source",
    "customer_id",
    "order_id",
    "order_date",
    "product",
    "quantity",
    "amount",
    "status",
    "revenue",
    "is_purchase",
]
ISSUE_EXPORT = ["sheet", "row", "column", "header", "value", "code", "severity", "message"]
DUPLICATE_EXPORT = ["customer_id_a", "customer_id_b", "score", "evidence"]


#: Customer columns holding personal data, masked by ``export --mask``.
PERSONAL_COLUMNS = (
    "name",
    "name_kana",
    "email",
    "phone",
    "postal_code",
    "address",
    "birthday",
    "notes",
)


def export_frame(
    analysis: Analysis,
    table: str,
    *,
    mask: bool = False,
    segments: list[str] | None = None,
    opted_in_only: bool = False,
) -> pd.DataFrame:
    """The rows of one computed table, with the documented column names.

    ``mask`` hides personal data (``t***@example.com``) for sharing or support.
    ``segments`` (keys) and ``opted_in_only`` narrow the ``mailing`` list, which never
    includes customers who opted out.
    """
    if table == "mailing":
        from sheetcrm.insights.exports import mailing_export

        frame = mailing_export(analysis, segments or None, require_opt_in=opted_in_only)
    else:
        frame = _export_frame(analysis, table)
    if mask:
        frame = _masked(frame)
    return frame


def _masked(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    maskers = {"email": mask_email, "phone": mask_phone}
    for column in PERSONAL_COLUMNS:
        if column in frame:
            masker = maskers.get(column, mask_text)
            frame[column] = frame[column].map(
                lambda v, m=masker: m(str(v)) if isinstance(v, str) or not pd.isna(v) else v
            )
    if "value" in frame:  # issues: the offending cell's text may be an e-mail or a phone
        frame["value"] = frame["value"].map(lambda v: mask_value(v) if isinstance(v, str) else v)
    return frame


def _export_frame(analysis: Analysis, table: str) -> pd.DataFrame:
    if table == "customers":
        return analysis.customers.reindex(columns=CUSTOMER_EXPORT)
    if table == "orders":
        orders = analysis.orders.copy()
        orders["source"] = orders["source_sheet"] + "!" + orders["source_row"].astype(str)
        return orders.reindex(columns=ORDER_EXPORT)
    if table == "issues":
        return pd.DataFrame(
            [
                {
                    "sheet": i.sheet,
                    "row": i.row,
                    "column": i.column,
                    "header": i.header,
                    "value": i.value,
                    "code": i.code,
                    "severity": i.severity,
                    "message": i.message(analysis.lang),
                }
                for i in analysis.issues
            ],
            columns=ISSUE_EXPORT,
        )
    if table == "duplicates":
        return analysis.resolution.candidates.reindex(columns=DUPLICATE_EXPORT)
    if table == "actions":
        from sheetcrm.insights.exports import insight_exports

        return insight_exports(analysis)["actions"]
    raise ValueError(f"unknown table {table!r}")


def _plain(value: object) -> object:
    """A JSON-ready scalar: dates as ISO text, NaN/NA as null, numpy types unwrapped."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    columns = list(frame.columns)
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def write_export(
    frame: pd.DataFrame, fmt: Literal["csv", "json"], stream: IO[str], *, raw: bool = False
) -> None:
    """Write ``frame`` as CSV (lists joined with '; ') or as a JSON array of objects.

    CSV text that a spreadsheet would run as a formula is neutralised (see
    :mod:`sheetcrm.privacy`) unless ``raw``; JSON is for programs and is written as is.
    """
    rows = records(frame)
    if fmt == "json":
        json.dump(rows, stream, ensure_ascii=False, indent=1)
        stream.write("\n")
        return
    import csv

    writer = csv.DictWriter(stream, fieldnames=list(frame.columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {
            k: "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
            for k, v in row.items()
        }
        if not raw:
            cells = {k: neutralise(v) if isinstance(v, str) else v for k, v in cells.items()}
        writer.writerow(cells)


def export_to_path(
    frame: pd.DataFrame, fmt: Literal["csv", "json"], path: Path, *, raw: bool = False
) -> None:
    """Write an export file (UTF-8 with BOM for CSV, so Excel shows Japanese correctly).

    A new file is created owner-only (0600): it holds customers' personal data.
    """
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding=encoding, newline="") as stream:
        write_export(frame, fmt, stream, raw=raw)
