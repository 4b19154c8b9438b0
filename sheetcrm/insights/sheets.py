"""Describe the insight tabs: Action list, Campaigns & channels, Retention, Breakdowns.

Like :mod:`sheetcrm.outputs`, this builds backend-neutral
:class:`~sheetcrm.output_model.SheetModel` objects with display-ready values (names of
segments, reasons and channels in the workbook's language) and no formatting: column
kinds say what each column holds, the renderers decide how it looks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sheetcrm.columns import map_distinct
from sheetcrm.insights.acquisition import acquisition_results
from sheetcrm.insights.action_text import describe_actions
from sheetcrm.insights.actions import actions_for
from sheetcrm.insights.breakdowns import DIMENSIONS, UNKNOWN, breakdowns
from sheetcrm.insights.campaigns import campaign_results
from sheetcrm.insights.cohorts import cohort_table, month_column, retention
from sheetcrm.insights.periods import period_comparison
from sheetcrm.labels import label
from sheetcrm.output_model import Chart, ChartKind, Column, ColumnKind, SheetModel, Table
from sheetcrm.parse.phones import format_phones
from sheetcrm.segments import segment_by_key

if TYPE_CHECKING:
    from sheetcrm.analysis import Analysis

Spec = list[tuple[str, ColumnKind]]

ACTION_TAB: Spec = [
    ("priority", "text"),
    ("priority_score", "integer"),
    ("due_date", "date"),
    ("name", "text"),
    ("reason", "text"),
    ("detail", "text"),
    ("action", "text"),
    ("channel", "text"),
    ("other_reasons", "text"),
    ("segment", "text"),
    ("phone", "text"),
    ("email", "text"),
    ("last_purchase", "date"),
    ("total_spent", "money"),
    ("m_score", "integer"),
    ("customer_id", "text"),
]
CAMPAIGN_TAB: Spec = [
    ("campaign", "text"),
    ("first_contact", "date"),
    ("last_contact", "date"),
    ("window_end", "date"),
    ("reached", "integer"),
    ("responders", "integer"),
    ("response_rate", "percent"),
    ("buyers", "integer"),
    ("conversion_rate", "percent"),
    ("revenue", "money"),
]
CHANNEL_TAB: Spec = [
    ("source", "text"),
    ("customers", "integer"),
    ("buyers", "integer"),
    ("repeat_buyers", "integer"),
    ("repeat_rate", "percent"),
    ("revenue", "money"),
    ("revenue_per_customer", "money"),
]
REPEAT_FIGURES: Spec = [
    ("buyers", "integer"),
    ("repeat_buyers", "integer"),
    ("repeat_rate", "percent"),
    ("median_days_to_second", "days"),
]
DISTRIBUTION_TAB: Spec = [
    ("days_to_second", "text"),
    ("customers", "integer"),
    ("customer_share", "percent"),
]
BREAKDOWN_VALUES: Spec = [
    ("customers", "integer"),
    ("customer_share", "percent"),
    ("buyers", "integer"),
    ("revenue", "money"),
    ("share", "percent"),
    ("revenue_per_customer", "money"),
]
PERIOD_TAB: Spec = [
    ("period", "text"),
    ("start", "date"),
    ("end", "date"),
    ("revenue", "money"),
    ("revenue_change", "percent"),
    ("orders", "integer"),
    ("orders_change", "percent"),
    ("buyers", "integer"),
    ("buyers_change", "percent"),
    ("new_customers", "integer"),
    ("new_customers_change", "percent"),
    ("average_order_value", "money"),
]
#: Charts per breakdown: (kind, value column, caption key).
BREAKDOWN_CHARTS: dict[str, tuple[ChartKind, str, str]] = {
    "age_band": ("column", "revenue", "chart_age_band"),
    "prefecture": ("bar", "customers", "chart_prefecture"),
}


def _columns(spec: Spec, lang: str) -> tuple[Column, ...]:
    return tuple(Column(key, label("columns", key, lang), kind) for key, kind in spec)


def _table(spec: Spec, rows: pd.DataFrame, lang: str, caption: str) -> Table:
    frame = rows.reindex(columns=[key for key, _ in spec]).reset_index(drop=True)
    return Table(_columns(spec, lang), frame, caption=caption, autofilter=False)


def _tab_title(key: str, lang: str) -> str:
    # Imported here: sheetcrm.outputs may import this module to add the insight tabs.
    from sheetcrm.outputs import safe_title

    return safe_title(label("tabs", key, lang))


def insight_sheets(analysis: Analysis) -> list[SheetModel]:
    """The insight tabs in display order; Breakdowns only when some attribute has data."""
    sheets = [action_sheet(analysis), campaign_sheet(analysis), retention_sheet(analysis)]
    breakdown = breakdown_sheet(analysis)
    if breakdown is not None:
        sheets.append(breakdown)
    return sheets


# -- Action list ----------------------------------------------------------------------


def action_rows(analysis: Analysis) -> pd.DataFrame:
    """The Action list as the tab shows it (ACTION_TAB columns, words in the tab's language)."""
    lang = analysis.lang
    described = describe_actions(actions_for(analysis), lang)
    rows = pd.DataFrame(
        {
            "priority": described["priority_label"],
            "priority_score": described["priority_score"],
            "due_date": described["due_date"],
            "name": described["name"],
            "reason": described["reason_label"],
            "detail": described["detail"],
            "action": described["action"],
            "channel": described["channel_label"],
            "other_reasons": described["others"],
            "segment": map_distinct(
                described["segment"],
                lambda k: segment_by_key(k).label(lang) if isinstance(k, str) else None,
            ),
            "phone": format_phones(described["phone"]),
            "email": described["email"],
            "last_purchase": described["last_purchase"],
            "total_spent": described["total_spent"],
            "m_score": described["m_score"],
            "customer_id": described["customer_id"],
        }
    )
    return rows[[key for key, _ in ACTION_TAB]]


def action_sheet(analysis: Analysis) -> SheetModel:
    lang = analysis.lang
    rows = action_rows(analysis)
    table = Table(
        _columns(ACTION_TAB, lang),
        rows,
        caption=label("captions", "actions", lang).format(n=len(rows)),
    )
    return SheetModel(
        key="actions",
        title=_tab_title("actions", lang),
        tables=(table,),
        tab_color="#FFC000",
    )


# -- Campaigns & channels -------------------------------------------------------------


def campaign_sheet(analysis: Analysis) -> SheetModel:
    lang = analysis.lang
    window = analysis.settings.campaign_window_days
    campaigns = campaign_results(
        analysis.resolution.activities, analysis.orders, window_days=window
    )
    caption = (
        label("captions", "campaigns", lang).format(days=window)
        if not campaigns.empty
        else label("captions", "no_campaigns", lang)
    )
    channels = acquisition_results(analysis.customers)
    channels["source"] = channels["source"].where(
        channels["source"].notna(), label("unknown", "source", lang)
    )
    channel_caption = label("captions", "channels" if not channels.empty else "no_channels", lang)
    return SheetModel(
        key="campaigns",
        title=_tab_title("campaigns", lang),
        tables=(
            _table(CAMPAIGN_TAB, campaigns, lang, caption),
            _table(CHANNEL_TAB, channels, lang, channel_caption),
        ),
        charts=(
            Chart(
                "bar",
                label("captions", "chart_conversion", lang),
                0,
                "campaign",
                ("conversion_rate",),
            ),
            Chart(
                "bar",
                label("captions", "chart_channel_repeat", lang),
                1,
                "source",
                ("repeat_rate",),
            ),
        ),
        freeze_header=False,
        tab_color="#4F81BD",
    )


# -- Retention ------------------------------------------------------------------------


def _month_title(k: int, lang: str) -> str:
    if k == 0:
        return label("cohort_months", "first", lang)
    return label("cohort_months", "later", lang).format(n=k)


def cohort_model(analysis: Analysis, *, cohorts: int = 24, months: int = 12) -> Table:
    """The cohort table (share of each first-purchase month buying k months later).

    Its ``month_*`` columns are the cells a colour scale should shade as one block.
    """
    lang = analysis.lang
    frame = cohort_table(
        analysis.orders,
        analysis.as_of,
        cohorts=cohorts,
        months=months,
        days=analysis.purchase_days,
    )
    columns = (
        *_columns([("cohort", "text"), ("customers", "integer"), ("repeat_rate", "percent")], lang),
        *(Column(month_column(k), _month_title(k, lang), "percent") for k in range(months + 1)),
    )
    return Table(
        columns,
        frame,
        caption=label("captions", "cohorts", lang),
        autofilter=False,
        heat_columns=tuple(month_column(k) for k in range(months + 1)),
    )


def _band_text(low: int, high: int | None, lang: str) -> str:
    if high is None:
        return label("day_bands", "open", lang).format(low=low)
    return label("day_bands", "closed", lang).format(low=low, high=high)


def retention_sheet(analysis: Analysis) -> SheetModel:
    lang = analysis.lang
    summary = retention(analysis.orders, days=analysis.purchase_days)
    figures = pd.DataFrame(
        [
            {
                "buyers": summary.buyers,
                "repeat_buyers": summary.repeat_buyers,
                "repeat_rate": summary.repeat_rate,
                "median_days_to_second": summary.median_days_to_second,
            }
        ]
    )
    distribution = summary.distribution.assign(
        days_to_second=[
            _band_text(low, None if pd.isna(high) else int(high), lang)
            for low, high in zip(
                summary.distribution["low"], summary.distribution["high"], strict=True
            )
        ],
        customer_share=summary.distribution["share"],
    )
    return SheetModel(
        key="retention",
        title=_tab_title("retention", lang),
        tables=(
            _table(REPEAT_FIGURES, figures, lang, label("captions", "repeat_figures", lang)),
            cohort_model(analysis),
            _table(DISTRIBUTION_TAB, distribution, lang, label("captions", "days_to_second", lang)),
        ),
        charts=(
            Chart(
                "column",
                label("captions", "chart_days_to_second", lang),
                2,
                "days_to_second",
                ("customers",),
            ),
        ),
        freeze_header=False,
        tab_color="#9BBB59",
    )


# -- Breakdowns -----------------------------------------------------------------------


def _group_names(dimension: str, keys: pd.Series, lang: str) -> pd.Series:
    if dimension == "prefecture":
        return keys.map(lambda k: label("unknown", "value", lang) if k == UNKNOWN else k)
    section = {"age_band": "age_bands", "gender": "genders"}[dimension]
    return keys.map(lambda k: label(section, k, lang))


def breakdown_sheet(analysis: Analysis) -> SheetModel | None:
    """Customers and revenue by age band, gender and prefecture; ``None`` without data."""
    lang = analysis.lang
    found = breakdowns(analysis.customers, analysis.as_of)
    if not found:
        return None
    tables, charts = [], []
    for dimension in DIMENSIONS:
        if dimension not in found:
            continue
        frame = found[dimension].copy()
        frame[dimension] = _group_names(dimension, frame[dimension], lang)
        spec: Spec = [(dimension, "text"), *BREAKDOWN_VALUES]
        tables.append(_table(spec, frame, lang, label("captions", dimension, lang)))
        if dimension in BREAKDOWN_CHARTS:
            kind, value, caption = BREAKDOWN_CHARTS[dimension]
            charts.append(
                Chart(kind, label("captions", caption, lang), len(tables) - 1, dimension, (value,))
            )
    return SheetModel(
        key="breakdowns",
        title=_tab_title("breakdowns", lang),
        tables=tuple(tables),
        charts=tuple(charts),
        freeze_header=False,
        tab_color="#8064A2",
    )


# -- Summary --------------------------------------------------------------------------


def period_model(analysis: Analysis) -> Table:
    """Revenue, orders, buyers and new customers: last 30/90 days against the days before."""
    lang = analysis.lang
    frame = period_comparison(analysis.orders, analysis.as_of)
    frame["period"] = [
        label("periods", "last" if p.startswith("last") else "prev", lang).format(n=n)
        for p, n in zip(frame["period"], frame["days"], strict=True)
    ]
    return _table(PERIOD_TAB, frame, lang, label("captions", "period_comparison", lang))


def summary_tables(analysis: Analysis) -> tuple[Table, ...]:
    """Tables for the Summary tab: the period comparison and a compact cohort table."""
    return (period_model(analysis), cohort_model(analysis, cohorts=12, months=6))
