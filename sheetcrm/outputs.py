"""Describe the generated tabs (Summary, Customers, one per segment, Issues, Duplicates).

Builds the backend-neutral :class:`~sheetcrm.output_model.OutputWorkbook` from an
:class:`~sheetcrm.analysis.Analysis`; values are display-ready (segment names and
phone numbers in the seller's notation) but carry no formatting.
"""

from __future__ import annotations

import pandas as pd

from sheetcrm.analysis import Analysis
from sheetcrm.columns import map_distinct
from sheetcrm.decisions import VERDICTS, memory_sheet, verdict_label
from sheetcrm.insights.cohorts import month_label, month_number
from sheetcrm.insights.sheets import insight_sheets, summary_tables
from sheetcrm.labels import label
from sheetcrm.output_model import (
    FORBIDDEN_TITLE_CHARS,
    MAX_TITLE_LENGTH,
    Chart,
    Column,
    ColumnKind,
    OutputWorkbook,
    SheetModel,
    Table,
)
from sheetcrm.parse.choices import activity_type_label
from sheetcrm.parse.phones import format_phones
from sheetcrm.resources import load_table
from sheetcrm.segments import PROSPECTS, segment_by_key, segments
from sheetcrm.settings import settings_sheet

#: The review queue shows the strongest pairs first, at most this many (all are exported).
MAX_REVIEW_ROWS = 2_000
#: How many source rows a Customers cell lists before it says "+N more".
MAX_SOURCES_SHOWN = 20

CUSTOMER_TAB: list[tuple[str, ColumnKind]] = [
    ("customer_id", "text"),
    ("name", "text"),
    ("segment", "text"),
    ("days_since_last_purchase", "days"),
    ("last_purchase", "date"),
    ("next_purchase_expected", "date"),
    ("orders", "integer"),
    ("purchase_days", "integer"),
    ("total_spent", "money"),
    ("average_order_value", "money"),
    ("first_purchase", "date"),
    ("repeat_purchases", "integer"),
    ("tenure_days", "days"),
    ("customer_age_days", "days"),
    ("average_days_between_purchases", "number"),
    ("top_product", "text"),
    ("p_alive", "percent"),
    ("expected_purchases_90d", "number"),
    ("expected_revenue_90d", "money"),
    ("r_score", "integer"),
    ("f_score", "integer"),
    ("m_score", "integer"),
    ("email", "text"),
    ("phone", "text"),
    ("email_opt_in", "text"),
    ("last_response_date", "date"),
    ("last_response_type", "text"),
    ("activities", "integer"),
    ("source", "text"),
    ("prefecture", "text"),
    ("matched_by", "text"),
    ("sources", "text"),
]
#: A segment tab is a contact list: who, how recent, how valuable, how to reach them.
SEGMENT_TAB_KEYS = (
    "customer_id",
    "name",
    "days_since_last_purchase",
    "last_purchase",
    "next_purchase_expected",
    "orders",
    "total_spent",
    "top_product",
    "email",
    "phone",
    "email_opt_in",
    "last_response_date",
    "last_response_type",
)
SEGMENT_TAB: list[tuple[str, ColumnKind]] = [
    (key, kind) for key, kind in CUSTOMER_TAB if key in SEGMENT_TAB_KEYS
]
ISSUE_TAB: list[tuple[str, ColumnKind]] = [
    ("severity", "text"),
    ("cell", "text"),
    ("sheet", "text"),
    ("row", "integer"),
    ("column", "text"),
    ("header", "text"),
    ("value", "text"),
    ("message", "text"),
    ("code", "text"),
]
DUPLICATE_TAB: list[tuple[str, ColumnKind]] = [
    ("score", "percent"),
    ("evidence", "text"),
    ("customer_id_a", "text"),
    ("name_a", "text"),
    ("email_a", "text"),
    ("phone_a", "text"),
    ("sources_a", "text"),
    ("customer_id_b", "text"),
    ("name_b", "text"),
    ("email_b", "text"),
    ("phone_b", "text"),
    ("sources_b", "text"),
]


def _columns(spec: list[tuple[str, ColumnKind]], lang: str) -> tuple[Column, ...]:
    return tuple(Column(key, label("columns", key, lang), kind) for key, kind in spec)


def safe_title(title: str) -> str:
    """A valid Excel tab name: no ``[]:*?/\\``, at most 31 characters."""
    clean = "".join("_" if ch in FORBIDDEN_TITLE_CHARS else ch for ch in title).strip("'")
    return clean[:MAX_TITLE_LENGTH] or "sheetcrm"


def build_output(analysis: Analysis, *, with_settings_tab: bool = False) -> OutputWorkbook:
    """All generated tabs for ``analysis``, in display order.

    ``with_settings_tab`` adds a fresh Settings tab (the workbook has none yet).
    """
    lang = analysis.lang
    display = customer_display(analysis)
    # Action list first after the Summary: the tab that says what to do today.
    actions, *insights = insight_sheets(analysis)
    sheets = [
        _summary_sheet(analysis),
        actions,
        SheetModel(
            key="customers",
            title=safe_title(label("tabs", "customers", lang)),
            tables=(
                Table(
                    _columns(CUSTOMER_TAB, lang), display, recency_column="days_since_last_purchase"
                ),
            ),
            tab_color="#1F6F78",
        ),
    ]
    for segment in segments():
        members = display[display["_segment"] == segment.key]
        if members.empty:
            continue
        if segment.key == PROSPECTS:  # recent responders first, cold ones last
            members = members.sort_values(
                "last_response_date", ascending=False, na_position="last", kind="stable"
            )
        caption = f"{segment.label(lang)} ({len(members)}) — {segment.hint(lang)}"
        sheets.append(
            SheetModel(
                key=f"segment:{segment.key}",
                title=safe_title(segment.label(lang)),
                tables=(
                    Table(
                        _columns(SEGMENT_TAB, lang),
                        members[[key for key, _ in SEGMENT_TAB]].reset_index(drop=True),
                        caption=caption,
                        recency_column="days_since_last_purchase",
                    ),
                ),
                tab_color="#8FBC8F" if segment.key != PROSPECTS else "#C0C0C0",
            )
        )
    sheets.extend(insights)
    sheets.append(_issues_sheet(analysis))
    sheets.append(_duplicates_sheet(analysis, display))
    if with_settings_tab:
        sheets.append(settings_sheet(lang))
    if len(analysis.decisions):
        sheets.append(memory_sheet(analysis.decisions))
    return OutputWorkbook(lang=lang, sheets=tuple(sheets), currency=analysis.settings.currency)


def _sources_text(sources: object) -> str | None:
    if not isinstance(sources, list) or not sources:
        return None
    shown = "; ".join(sources[:MAX_SOURCES_SHOWN])
    more = len(sources) - MAX_SOURCES_SHOWN
    return f"{shown}; … (+{more})" if more > 0 else shown


def customer_display(analysis: Analysis) -> pd.DataFrame:
    """The Customers tab rows: sorted by segment, then recency, then spend."""
    lang = analysis.lang
    frame = analysis.customers.copy()
    order = {s.key: i for i, s in enumerate(segments())}
    frame["_segment_order"] = frame["segment"].map(order)
    frame = frame.sort_values(
        ["_segment_order", "days_since_last_purchase", "total_spent", "customer_id"],
        ascending=[True, True, False, True],
        na_position="last",
        kind="stable",
    )
    frame["segment_key"] = frame["segment"]
    frame["segment"] = map_distinct(frame["segment"], lambda k: segment_by_key(k).label(lang))
    frame["phone"] = format_phones(frame["phone"])
    yes, no = ("はい", "いいえ") if lang == "ja" else ("yes", "no")
    frame["email_opt_in"] = map_distinct(frame["email_opt_in"], lambda v: yes if v else no)
    frame["last_response_type"] = map_distinct(
        frame["last_response_type"],
        lambda t: activity_type_label(t, lang) if isinstance(t, str) else None,
    )
    frame["sources"] = frame["sources"].map(_sources_text)
    frame["_segment"] = frame["segment_key"]
    return frame[[key for key, _ in CUSTOMER_TAB] + ["_segment"]].reset_index(drop=True)


def _summary_sheet(analysis: Analysis) -> SheetModel:
    lang = analysis.lang
    customers = analysis.customers
    orders = analysis.orders
    buyers = customers["orders"].notna() & (customers["orders"] > 0)
    repeaters = customers["purchase_days"].fillna(0) >= 2
    revenue = float(orders["revenue"].sum()) if not orders.empty else 0.0
    order_count = (
        int(orders.loc[orders["is_purchase"].astype(bool), "order_key"].nunique())
        if not orders.empty
        else 0
    )
    as_of = pd.Timestamp(analysis.as_of)
    recent = _revenue_between(orders, as_of - pd.Timedelta(days=90), as_of)
    previous = _revenue_between(
        orders, as_of - pd.Timedelta(days=180), as_of - pd.Timedelta(days=90)
    )
    counts = analysis.issue_counts()
    figures: list[tuple[str, ColumnKind, object]] = [
        ("as_of", "date", as_of),
        ("customers", "integer", len(customers)),
        ("buyers", "integer", int(buyers.sum())),
        ("repeat_buyers", "integer", int(repeaters.sum())),
        ("repeat_rate", "percent", float(repeaters.sum() / buyers.sum()) if buyers.sum() else None),
        ("prospects", "integer", int((customers["segment"] == PROSPECTS).sum())),
        ("revenue", "money", revenue),
        ("orders", "integer", order_count),
        ("average_order_value", "money", revenue / order_count if order_count else None),
        ("revenue_90d", "money", recent),
        ("revenue_prev_90d", "money", previous),
        ("expected_revenue_90d", "money", _forecast_total(analysis)),
        ("forecast", "text", _forecast_text(analysis)),
        ("errors", "integer", counts["error"]),
        ("warnings", "integer", counts["warning"]),
    ]
    key_figures = Table(
        tuple(Column(key, label("figures", key, lang), kind) for key, kind, _ in figures),
        pd.DataFrame([{key: value for key, _, value in figures}]),
        caption=label("captions", "key_figures", lang),
        autofilter=False,
    )
    by_segment = _segment_table(analysis)
    monthly = _monthly_table(analysis)
    return SheetModel(
        key="summary",
        title=safe_title(label("tabs", "summary", lang)),
        tables=(key_figures, by_segment, monthly, *summary_tables(analysis)),
        charts=(
            Chart("bar", label("captions", "chart_segments", lang), 1, "segment", ("customers",)),
            Chart("column", label("captions", "chart_monthly", lang), 2, "month", ("revenue",)),
        ),
        freeze_header=False,
        tab_color="#1F6F78",
    )


def _forecast_total(analysis: Analysis) -> float | None:
    forecast = analysis.forecast
    if forecast is None or not forecast.reliable:
        return None
    return float(analysis.customers["expected_revenue_90d"].sum())


def _forecast_text(analysis: Analysis) -> str:
    """Either what the model was fitted on, or why no forecast is shown."""
    forecast = analysis.forecast
    if forecast is None:
        return ""
    if not forecast.reliable:
        return forecast.reason_for(analysis.lang) or ""
    return label("forecast", "fitted", analysis.lang).format(
        n=forecast.n_customers, repeaters=forecast.n_repeaters
    )


def _revenue_between(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    if orders.empty:
        return 0.0
    window = (orders["order_date"] > start) & (orders["order_date"] <= end)
    return float(orders.loc[window, "revenue"].sum())


def _segment_table(analysis: Analysis) -> Table:
    lang = analysis.lang
    customers = analysis.customers
    total = float(customers["total_spent"].fillna(0).sum())
    rows = []
    for segment in segments():
        members = customers[customers["segment"] == segment.key]
        spent = float(members["total_spent"].fillna(0).sum())
        rows.append(
            {
                "segment": segment.label(lang),
                "customers": len(members),
                "revenue": spent,
                "share": spent / total if total else None,
                "segment_hint": segment.hint(lang),
            }
        )
    spec: list[tuple[str, ColumnKind]] = [
        ("segment", "text"),
        ("customers", "integer"),
        ("revenue", "money"),
        ("share", "percent"),
        ("segment_hint", "text"),
    ]
    return Table(
        _columns(spec, lang),
        pd.DataFrame(rows),
        caption=label("captions", "segments", lang),
        autofilter=False,
    )


def _monthly_table(analysis: Analysis, months: int = 24) -> Table:
    lang = analysis.lang
    spec: list[tuple[str, ColumnKind]] = [
        ("month", "text"),
        ("revenue", "money"),
        ("orders", "integer"),
        ("buyers", "integer"),
    ]
    orders = analysis.orders
    if orders.empty:
        frame = pd.DataFrame(columns=[k for k, _ in spec])
    else:
        # Grouped by month number; only the shown months are spelled out (strftime on a
        # million dates takes a third of a second).
        month = month_number(orders["order_date"])
        purchases = orders["is_purchase"].astype(bool)
        frame = pd.DataFrame(
            {
                "revenue": orders.groupby(month)["revenue"].sum(),
                "orders": orders[purchases].groupby(month[purchases])["order_key"].nunique(),
                "buyers": orders[purchases].groupby(month[purchases])["customer_id"].nunique(),
            }
        ).fillna(0)
        frame = frame.sort_index().tail(months)
        frame.index = [month_label(int(n)) for n in frame.index]
        frame.index.name = "month"
        frame = frame.reset_index()
        frame[["orders", "buyers"]] = frame[["orders", "buyers"]].astype("int64")
    return Table(
        _columns(spec, lang), frame, caption=label("captions", "monthly", lang), autofilter=False
    )


def _issues_sheet(analysis: Analysis) -> SheetModel:
    lang = analysis.lang
    rows = [
        {
            "severity": label("severities", issue.severity, lang),
            "cell": issue.cell,
            "sheet": issue.sheet,
            "row": issue.row,
            "column": issue.column,
            "header": issue.header,
            "value": issue.value,
            "message": issue.message(lang),
            "code": issue.code,
        }
        for issue in analysis.issues
    ]
    frame = pd.DataFrame(rows, columns=[k for k, _ in ISSUE_TAB])
    return SheetModel(
        key="issues",
        title=safe_title(label("tabs", "issues", lang)),
        tables=(Table(_columns(ISSUE_TAB, lang), frame),),
        tab_color="#C0504D",
    )


def _duplicates_sheet(analysis: Analysis, display: pd.DataFrame) -> SheetModel:
    """The review queue: open candidates, automatic ID merges, remembered decisions."""
    lang = analysis.lang
    choices = tuple(verdict_label(v, lang) for v in VERDICTS)
    shown = ("name", "email", "phone", "sources", "matched_by")
    candidates = analysis.resolution.candidates
    reviewed = candidates.head(MAX_REVIEW_ROWS)
    decisions = analysis.decisions.by_pair.values()
    named = {*reviewed["customer_id_a"], *reviewed["customer_id_b"]}
    named |= set(analysis.resolution.id_merges.values())
    named |= {cid for decision in decisions for cid in (decision.a, decision.b)}
    # A plain dict of just the people shown: candidates can number in the thousands, the
    # customers in the hundreds of thousands.
    listed = display.loc[display["customer_id"].isin(named)]
    people = dict(
        zip(listed["customer_id"], zip(*(listed[k] for k in shown), strict=True), strict=True)
    )
    columns = (
        Column("decision", label("columns", "decision", lang), choices=choices),
        *_columns(DUPLICATE_TAB, lang),
    )

    def person_columns(row: dict, side: str, cid: str) -> None:
        person = people.get(cid)
        row[f"customer_id_{side}"] = cid
        for i, key in enumerate(shown[:4]):
            row[f"{key}_{side}"] = None if person is None else person[i]

    def evidence_text(fields: list[str]) -> str:
        return ", ".join(label("columns", f, lang) if _has_label(f) else f for f in fields)

    open_rows = []
    for candidate in reviewed.itertuples(index=False):
        row = {
            "decision": None,
            "score": candidate.score,
            "evidence": evidence_text(list(candidate.evidence)),
        }
        person_columns(row, "a", candidate.customer_id_a)
        person_columns(row, "b", candidate.customer_id_b)
        open_rows.append(row)
    merged_rows = []
    for secondary, primary in sorted(analysis.resolution.id_merges.items()):
        row = {
            "decision": None,
            "score": None,
            "evidence": people[primary][4] if primary in people else None,
        }
        person_columns(row, "a", primary)
        row["customer_id_b"] = secondary
        merged_rows.append(row)
    remembered_rows = []
    for decision in decisions:
        row = {
            "decision": verdict_label(decision.verdict, lang),
            "score": None,
            "evidence": str(decision.decided_on or ""),
        }
        person_columns(row, "a", decision.a)
        person_columns(row, "b", decision.b)
        remembered_rows.append(row)
    keys = [c.key for c in columns]
    more = len(candidates) - MAX_REVIEW_ROWS
    suffix = label("captions", "more_candidates", lang).format(n=more) if more > 0 else ""
    tables = [
        Table(
            columns,
            pd.DataFrame(rows, columns=keys),
            caption=label("captions", caption, lang) + (suffix if first else ""),
            autofilter=first,
        )
        for rows, caption, first in (
            (open_rows, "candidates", True),
            (merged_rows, "auto_merged", False),
            (remembered_rows, "remembered", False),
        )
    ]
    return SheetModel(
        key="duplicates",
        title=safe_title(label("tabs", "duplicates", lang)),
        tables=tuple(tables),
        tab_color="#F79646",
    )


def _has_label(key: str) -> bool:
    return key in load_table("labels")["columns"]
