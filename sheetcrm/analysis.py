"""The pipeline's pure middle: recognised tables → parsed rows → customers → metrics → segments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from sheetcrm.clv import ValueForecast, predict_customer_value
from sheetcrm.decisions import Decisions
from sheetcrm.identity import Resolution, resolve
from sheetcrm.issues import Issue, sort_issues
from sheetcrm.metrics import customer_metrics
from sheetcrm.parse.choices import RESPONSE_TYPES
from sheetcrm.records import ParsedData, parse_tables
from sheetcrm.segments import assign_segments
from sheetcrm.settings import Settings
from sheetcrm.tables import RecognisedTable

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything computed from one workbook, ready to be rendered or exported.

    ``customers`` is one row per resolved customer: the attributes from
    :mod:`sheetcrm.identity`, the metrics from :mod:`sheetcrm.metrics`, ``segment``,
    ``last_response_date`` / ``last_response_type`` (latest customer-initiated
    activity) and ``activities`` (count).
    """

    lang: str
    as_of: dt.date
    tables: list[RecognisedTable]
    parsed: ParsedData
    resolution: Resolution
    customers: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    decisions: Decisions = field(default_factory=Decisions)
    forecast: ValueForecast | None = None  # BG/NBD + Gamma-Gamma; see .reliable / .reason

    @property
    def orders(self) -> pd.DataFrame:
        """Resolved order lines (``customer_id`` is the resolved ID)."""
        return self.resolution.orders

    @cached_property
    def purchase_days(self) -> pd.DataFrame:
        """Distinct (customer, purchase day) pairs, shared by the retention tables."""
        from sheetcrm.insights.cohorts import purchase_days  # only building tabs needs it

        return purchase_days(self.orders)

    def rows_read(self) -> dict[str, int]:
        """Data rows found per table role (before anything was left out)."""
        counts = {"customers": 0, "orders": 0, "activities": 0}
        for table in self.tables:
            counts[table.role] += len(table.data)
        return counts

    def issue_counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for issue in self.issues:
            counts[issue.severity] += 1
        return counts

    def segment_counts(self) -> dict[str, int]:
        return self.customers["segment"].value_counts().to_dict()


def detect_language(tables: list[RecognisedTable]) -> str:
    """``ja`` when most recognised headers are Japanese, else ``en``."""
    japanese = sum(t.japanese_headers for t in tables)
    english = sum(t.english_headers for t in tables)
    return "ja" if japanese >= english and japanese > 0 else "en"


def analyse_tables(
    tables: list[RecognisedTable],
    *,
    as_of: dt.date,
    lang: str | None = None,
    keep_identical_rows: bool | None = None,
    settings: Settings | None = None,
    extra_issues: list[Issue] | None = None,
    decisions: Decisions | None = None,
    progress: Progress = _silent,
) -> Analysis:
    """Run the whole analysis on tables already found in a workbook or a Google Sheet.

    ``lang`` and ``keep_identical_rows`` win over ``settings`` when given.  ``progress``
    is told each stage as it starts: ``parse``, ``resolve``, then ``metrics`` (metrics,
    the value forecast and segments).
    """
    settings = (settings or Settings()).with_overrides(
        lang=lang, keep_identical_rows=keep_identical_rows
    )
    progress("parse")
    parsed = parse_tables(
        tables,
        as_of=as_of,
        keep_identical_rows=settings.keep_identical_rows,
        phone_region=settings.phone_region,
    )
    progress("resolve")
    resolution = resolve(parsed, decisions)
    progress("metrics")
    metrics = customer_metrics(resolution.orders, as_of)
    forecast = predict_customer_value(metrics)
    customers = (
        resolution.customers.set_index("customer_id")
        .join(metrics, how="left")
        .join(forecast.customers, how="left")
    )
    customers["segment"] = assign_segments(
        customers["r_score"], customers["f_score"], settings.segment_rules
    )
    customers = customers.join(_response_summary(resolution.activities), how="left")
    customers["activities"] = customers["activities"].fillna(0).astype("int64")
    customers = customers.reset_index()
    issues = sort_issues(parsed.issues + resolution.issues + list(extra_issues or []))
    return Analysis(
        lang=settings.lang or detect_language(tables),
        as_of=as_of,
        tables=tables,
        parsed=parsed,
        resolution=resolution,
        customers=customers,
        issues=issues,
        settings=settings,
        decisions=decisions or Decisions(),
        forecast=forecast,
    )


def _response_summary(activities: pd.DataFrame) -> pd.DataFrame:
    """Per customer: latest response (customer-initiated activity) and activity count."""
    columns = ["last_response_date", "last_response_type", "activities"]
    if activities.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="customer_id"))
    counts = activities.groupby("customer_id").size().rename("activities")
    responses = activities[activities["type"].isin(RESPONSE_TYPES)]
    latest = (
        responses.sort_values(["customer_id", "date"], kind="stable")
        .drop_duplicates("customer_id", keep="last")
        .set_index("customer_id")
    )
    summary = pd.DataFrame({"activities": counts})
    summary["last_response_date"] = latest["date"].reindex(summary.index)
    summary["last_response_type"] = latest["type"].reindex(summary.index)
    return summary[columns]
