"""Google Sheets: ``sync`` (refresh a shared spreadsheet), ``pull``/``push``, ``new --google``.

::

    from sheetcrm.gsheets import sync

    report = sync("https://docs.google.com/spreadsheets/d/1AbC…/edit",
                  credentials=Path("service-account.json"))

Modules, one job each: :mod:`~sheetcrm.gsheets.auth` (credentials),
:mod:`~sheetcrm.gsheets.connect` (a client, or the local fake), :mod:`~sheetcrm.gsheets.api`
(calls with back-off), :mod:`~sheetcrm.gsheets.read` (two requests in),
:mod:`~sheetcrm.gsheets.render` (output model → requests), :mod:`~sheetcrm.gsheets.markers`
(which tabs are ours), :mod:`~sheetcrm.gsheets.plan` and :mod:`~sheetcrm.gsheets.write`
(one atomic batchUpdate out), :mod:`~sheetcrm.gsheets.sync` and
:mod:`~sheetcrm.gsheets.transfer` (the commands' library calls).
"""

from sheetcrm.gsheets.sync import Notice, SyncReport, sync

__all__ = ["Notice", "SyncReport", "sync"]
