"""The insight tables ``sheetcrm export`` writes: the Action list and the mailing list.

Columns are stable snake_case names; codes (``reason``, ``channel``, ``priority``,
``segment_key``) stay keys so that programs can rely on them, and the sentences
(``reason_detail``, ``suggested_action``) are in the workbook's language for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from sheetcrm.insights.action_text import describe_actions
from sheetcrm.insights.actions import actions_for
from sheetcrm.insights.mailing import mailing_list

if TYPE_CHECKING:
    from sheetcrm.analysis import Analysis

ACTION_EXPORT = [
    "priority",
    "priority_score",
    "due_date",
    "customer_id",
    "name",
    "reason",
    "reason_detail",
    "suggested_action",
    "channel",
    "other_reasons",
    "segment",
    "m_score",
    "last_purchase",
    "total_spent",
    "email",
    "phone",
]
#: The tables :func:`insight_exports` offers, for ``export --table``.
INSIGHT_EXPORT_TABLES: tuple[str, ...] = ("actions", "mailing")


def action_export(analysis: Analysis) -> pd.DataFrame:
    """The Action list with :data:`ACTION_EXPORT` columns (``other_reasons``: a list of keys)."""
    described = describe_actions(actions_for(analysis), analysis.lang)
    described = described.rename(columns={"detail": "reason_detail", "action": "suggested_action"})
    return described.reindex(columns=ACTION_EXPORT)


def mailing_export(
    analysis: Analysis,
    segment_keys: Iterable[str] | None = None,
    *,
    require_opt_in: bool = False,
) -> pd.DataFrame:
    """The mailing list (see :mod:`sheetcrm.insights.mailing`) for ``segment_keys`` or all."""
    return mailing_list(
        analysis.customers,
        analysis.resolution.activities,
        lang=analysis.lang,
        segment_keys=segment_keys,
        require_opt_in=require_opt_in,
    )


def insight_exports(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Every insight export by table name: ``actions`` and ``mailing`` (all segments)."""
    return {"actions": action_export(analysis), "mailing": mailing_export(analysis)}
