"""From numbers to actions: who to contact, how, and what worked.

Pure functions over an :class:`~sheetcrm.analysis.Analysis` (or its DataFrames), one
module per job, and the tabs that show them::

    from sheetcrm.insights import find_actions, insight_sheets

    actions = find_actions(analysis.customers, analysis.resolution.activities,
                           as_of=analysis.as_of, settings=analysis.settings)
    sheets = insight_sheets(analysis)  # Action list, Campaigns & channels, Retention, Breakdowns

| module          | job                                                        |
|-----------------|------------------------------------------------------------|
| action_rules    | the rule table ``templates/actions.toml`` as records        |
| actions         | who to contact now, why, by which channel, by when         |
| action_text     | the Action list in the seller's language                   |
| channels        | how a customer can be reached; channel by value            |
| complaints      | who has an open complaint                                  |
| anniversaries   | birthdays, purchase anniversaries and ages (29 Feb safe)   |
| campaigns       | what each campaign brought                                 |
| acquisition     | which acquisition channels bring repeat buyers             |
| cohorts         | retention: cohorts, repeat rate, time to second purchase   |
| breakdowns      | customers and revenue by age band, gender, prefecture      |
| periods         | key figures against the period before (Summary)            |
| mailing         | mailing lists per segment for mail / LINE tools            |
| exports         | the ``actions`` and ``mailing`` export tables              |
| sheets          | the tabs (output model)                                    |
"""

from sheetcrm.insights.acquisition import CHANNEL_COLUMNS, acquisition_results
from sheetcrm.insights.action_text import describe_actions
from sheetcrm.insights.actions import ACTION_COLUMNS, actions_for, find_actions
from sheetcrm.insights.breakdowns import breakdowns
from sheetcrm.insights.campaigns import CAMPAIGN_COLUMNS, campaign_results
from sheetcrm.insights.cohorts import (
    Retention,
    cohort_activity,
    cohort_table,
    days_to_second_purchase,
    retention,
)
from sheetcrm.insights.complaints import has_open_complaint, open_complaints
from sheetcrm.insights.exports import (
    ACTION_EXPORT,
    INSIGHT_EXPORT_TABLES,
    action_export,
    insight_exports,
    mailing_export,
)
from sheetcrm.insights.mailing import MAILING_COLUMNS, mailing_list, segment_key_for
from sheetcrm.insights.periods import PERIOD_COLUMNS, period_comparison
from sheetcrm.insights.sheets import insight_sheets, summary_tables

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_EXPORT",
    "CAMPAIGN_COLUMNS",
    "CHANNEL_COLUMNS",
    "INSIGHT_EXPORT_TABLES",
    "MAILING_COLUMNS",
    "PERIOD_COLUMNS",
    "Retention",
    "acquisition_results",
    "action_export",
    "actions_for",
    "breakdowns",
    "campaign_results",
    "cohort_activity",
    "cohort_table",
    "days_to_second_purchase",
    "describe_actions",
    "find_actions",
    "has_open_complaint",
    "insight_exports",
    "insight_sheets",
    "mailing_export",
    "mailing_list",
    "open_complaints",
    "period_comparison",
    "retention",
    "segment_key_for",
    "summary_tables",
]
