"""A local fake of the Google Sheets API v4 (and the Drive calls gspread makes).

Tests — and sellers trying ``sheetcrm sync`` offline — talk real HTTP to it through the
real client stack (gspread, google-auth, requests), so what runs against Google runs
here first::

    from sheetcrm.fakesheets import FakeSheetsServer, client_for

    with FakeSheetsServer() as server:
        sid = server.create_spreadsheet("Shop", {"Customers": [["name"], ["Aiko"]]})
        sheet = client_for(server.root_url).open_by_key(sid).worksheet("Customers")
        sheet.update([["=1+1"]], "B1", value_input_option="RAW")
        assert server.spreadsheet(sid).sheet("Customers").value("B1") == "=1+1"

Standalone: ``python -m sheetcrm.fakesheets --port 8765 --seed-xlsx shop.xlsx``.
"""

from sheetcrm.fakesheets.errors import ApiError
from sheetcrm.fakesheets.redirect import (
    OutboundRequestRefused,
    RedirectingAdapter,
    client_for,
    redirecting_session,
)
from sheetcrm.fakesheets.server import FakeSheetsServer, LoggedRequest
from sheetcrm.fakesheets.state import SheetState, SpreadsheetState

__all__ = [
    "ApiError",
    "FakeSheetsServer",
    "LoggedRequest",
    "OutboundRequestRefused",
    "RedirectingAdapter",
    "SheetState",
    "SpreadsheetState",
    "client_for",
    "redirecting_session",
]
