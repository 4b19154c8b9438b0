"""The API itself, without HTTP: a request (method, path, query, body) in, a reply out.

Routing mirrors the URL templates gspread builds (``gspread/urls.py``) and the API
reference.  Every write runs on a deep copy of the spreadsheet that is swapped in only
on success, so a refused write — a bad range in the third ``data`` entry of a
``values:batchUpdate``, a missing sheet in a ``batchUpdate`` — leaves nothing behind.
The ``fields`` parameter is honoured on every JSON reply.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sheetcrm.fakesheets import drive, metadata, values_api
from sheetcrm.fakesheets.errors import (
    CELL_LIMIT_MESSAGE,
    MAX_CELLS,
    ApiError,
    invalid,
    unimplemented,
)
from sheetcrm.fakesheets.fieldmask import MaskError, parse_mask, project, touches
from sheetcrm.fakesheets.requests_batch import apply_batch
from sheetcrm.fakesheets.store import (
    Spreadsheet,
    Workspace,
    new_sheet,
    new_spreadsheet,
    now_rfc3339,
)

Query = dict[str, list[str]]


@dataclass(frozen=True)
class Reply:
    """What the HTTP layer sends: a status and a JSON body (``None``: no body)."""

    status: int
    body: dict[str, Any] | None
    changed: bool = False


@dataclass(frozen=True)
class Call:
    """One request, decoded."""

    method: str
    path: str
    query: Query
    body: dict[str, Any]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def params(self) -> dict[str, str]:
        return {name: values[0] for name, values in self.query.items() if values}


def _drop_nulls(node: Any) -> Any:
    """A JSON ``null`` field is an unset field (gspread sends ``"newSheetId": null``);
    nulls inside lists stay, since there they mean "skip this cell"."""
    if isinstance(node, dict):
        return {k: _drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_drop_nulls(item) for item in node]
    return node


_SS = r"/v4/spreadsheets/(?P<sid>[^/:]+)"
_FILE = r"/drive/v3/files/(?P<fid>[^/]+)"


class FakeSheetsService:
    """Holds the workspace and answers API calls; thread-safe behind one lock."""

    def __init__(
        self, workspace: Workspace | None = None, *, duplicate_copies_metadata: bool = False
    ) -> None:
        self.workspace = workspace or Workspace()
        self.duplicate_copies_metadata = duplicate_copies_metadata
        self.lock = threading.RLock()
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = [
            ("POST", re.compile(r"/v4/spreadsheets"), self._create),
            ("GET", re.compile(_SS), self._get),
            ("POST", re.compile(_SS + ":batchUpdate"), self._batch_update),
            ("GET", re.compile(_SS + "/values:batchGet"), self._values_batch_get),
            ("POST", re.compile(_SS + "/values:batchUpdate"), self._values_batch_update),
            ("POST", re.compile(_SS + "/values:batchClear"), self._values_batch_clear),
            ("POST", re.compile(_SS + "/values/(?P<range>.+):append"), self._values_append),
            ("POST", re.compile(_SS + "/values/(?P<range>.+):clear"), self._values_clear),
            ("GET", re.compile(_SS + "/values/(?P<range>.+)"), self._values_get),
            ("PUT", re.compile(_SS + "/values/(?P<range>.+)"), self._values_update),
            ("POST", re.compile(_SS + "/developerMetadata:search"), self._metadata_search),
            ("GET", re.compile(_SS + r"/developerMetadata/(?P<mid>\d+)"), self._metadata_get),
            ("POST", re.compile(_SS + r"/sheets/(?P<sheet>\d+):copyTo"), self._copy_to),
            ("GET", re.compile(r"/drive/v3/files"), self._drive_list),
            ("POST", re.compile(r"/drive/v3/files"), self._drive_create),
            ("GET", re.compile(_FILE), self._drive_get),
            ("DELETE", re.compile(_FILE), self._drive_delete),
            ("POST", re.compile(_FILE + "/copy"), self._drive_copy),
            ("GET", re.compile(_FILE + "/permissions"), self._drive_permissions),
            ("POST", re.compile(_FILE + "/permissions"), self._drive_share),
            ("DELETE", re.compile(_FILE + "/permissions/(?P<pid>[^/]+)"), self._drive_unshare),
            ("GET", re.compile(_FILE + "/comments"), self._drive_comments),
            ("POST", re.compile(_FILE + "/comments"), self._drive_comment),
        ]

    # --- entry point -------------------------------------------------------------

    def handle(self, method: str, raw_path: str, query: Query, raw_body: bytes) -> Reply:
        """Answer one request; every refusal comes back as Google's error body."""
        try:
            body = self._decode(raw_body)
            for route_method, pattern, handler in self._routes:
                match = pattern.fullmatch(raw_path)
                if match and route_method == method:
                    groups = {k: unquote(v) for k, v in match.groupdict().items()}
                    call = Call(method, raw_path, query, body)
                    with self.lock:
                        reply = handler(call, **groups)
                    return self._project(reply, call.param("fields"))
            if any(p.fullmatch(raw_path) for _, p, _ in self._routes):
                raise ApiError(404, f"fakesheets: {method} is not supported on {raw_path}")
            raise unimplemented(f"the endpoint {method} {unquote(raw_path)}")
        except ApiError as error:
            return Reply(error.code, error.body())

    @staticmethod
    def _decode(raw_body: bytes) -> dict[str, Any]:
        if not raw_body.strip():
            return {}
        try:
            body = json.loads(raw_body)
        except ValueError as error:
            raise invalid(f"Invalid JSON payload received. {error}") from None
        if not isinstance(body, dict):
            raise invalid("Invalid JSON payload received. Expected an object.")
        return _drop_nulls(body)

    @staticmethod
    def _project(reply: Reply, fields: str | None) -> Reply:
        if not fields or reply.body is None or reply.status >= 400:
            return reply
        try:
            mask = parse_mask(fields)
        except MaskError:
            raise invalid(f"Invalid field selection {fields}") from None
        return Reply(reply.status, project(reply.body, mask), reply.changed)

    def _commit(
        self, spreadsheet_id: str, change: Callable[[Spreadsheet], dict[str, Any]]
    ) -> Reply:
        """Apply ``change`` to a copy of the spreadsheet and keep it only if it succeeds."""
        current = self.workspace.for_sheets_api(spreadsheet_id)
        working = copy.deepcopy(current)
        body = change(working)
        if working.cell_count() > max(MAX_CELLS, current.cell_count()):
            raise invalid(CELL_LIMIT_MESSAGE)  # e.g. an append growing the grid
        working.modified_time = now_rfc3339()
        self.workspace.spreadsheets[spreadsheet_id] = working
        return Reply(200, body, changed=True)

    # --- spreadsheets ---------------------------------------------------------------

    def _create(self, call: Call) -> Reply:
        props = call.body.get("properties") or {}
        sheets = call.body.get("sheets") or [{}]
        if any("data" in s for s in sheets) or call.body.get("developerMetadata"):
            raise unimplemented("spreadsheets.create with grid data or developer metadata")
        ws = self.workspace
        spreadsheet = new_spreadsheet(
            ws.ids,
            props.get("title") or "Untitled spreadsheet",
            [],
            locale=props.get("locale", "en_US"),
            time_zone=props.get("timeZone", "Etc/GMT"),
        )
        for index, sheet in enumerate(sheets):
            sp = sheet.get("properties") or {}
            grid = sp.get("gridProperties") or {}
            taken = [s.sheet_id for s in spreadsheet.sheets]
            sheet_id = sp.get("sheetId", 0 if index == 0 else ws.ids.small_id(taken))
            title = sp.get("title") or f"Sheet{index + 1}"
            if sheet_id in taken or spreadsheet.sheet_by_title(title):
                raise invalid(f'A sheet with the name "{title}" or id {sheet_id} already exists.')
            spreadsheet.sheets.append(
                new_sheet(
                    sheet_id,
                    title,
                    index,
                    grid.get("rowCount", 1000),
                    grid.get("columnCount", 26),
                )
            )
        if spreadsheet.cell_count() > MAX_CELLS:
            raise invalid(CELL_LIMIT_MESSAGE)
        ws.add(spreadsheet)
        return Reply(200, spreadsheet.to_resource(), changed=True)

    def _get(self, call: Call, sid: str) -> Reply:
        spreadsheet = self.workspace.for_sheets_api(sid)
        fields = call.param("fields")
        if fields:
            try:
                include_grid = touches(parse_mask(fields), ("sheets", "data"))
            except MaskError:
                raise invalid(f"Invalid field selection {fields}") from None
        else:
            include_grid = (call.param("includeGridData") or "").lower() == "true"
        resource = spreadsheet.to_resource(
            include_grid=include_grid, ranges=call.query.get("ranges")
        )
        return Reply(200, resource)

    def _batch_update(self, call: Call, sid: str) -> Reply:
        current = self.workspace.for_sheets_api(sid)
        updated, response = apply_batch(
            current,
            call.body,
            self.workspace.ids,
            duplicate_copies_metadata=self.duplicate_copies_metadata,
        )
        self.workspace.spreadsheets[sid] = updated
        return Reply(200, response, changed=True)

    def _copy_to(self, call: Call, sid: str, sheet: str) -> Reply:
        source = self.workspace.for_sheets_api(sid)
        original = source.require_sheet(int(sheet))
        target_id = call.body.get("destinationSpreadsheetId") or ""

        def change(target: Spreadsheet) -> dict[str, Any]:
            copied = copy.deepcopy(original)
            title, n = f"Copy of {original.title}", 2
            while target.sheet_by_title(title):
                title, n = f"Copy of {original.title} {n}", n + 1
            new_id = self.workspace.ids.small_id(s.sheet_id for s in target.sheets)
            copied.properties.update(sheetId=new_id, title=title, index=len(target.sheets))
            copied.charts = []
            target.sheets.append(copied)
            return copy.deepcopy(copied.properties)

        return self._commit(target_id, change)

    # --- values ---------------------------------------------------------------------

    def _values_get(self, call: Call, sid: str, range: str) -> Reply:
        spreadsheet = self.workspace.for_sheets_api(sid)
        return Reply(200, values_api.get(spreadsheet, range, call.params()))

    def _values_batch_get(self, call: Call, sid: str) -> Reply:
        spreadsheet = self.workspace.for_sheets_api(sid)
        ranges = call.query.get("ranges") or []
        return Reply(200, values_api.batch_get(spreadsheet, ranges, call.params()))

    def _values_update(self, call: Call, sid: str, range: str) -> Reply:
        return self._commit(sid, lambda ss: values_api.update(ss, range, call.body, call.params()))

    def _values_batch_update(self, call: Call, sid: str) -> Reply:
        return self._commit(sid, lambda ss: values_api.batch_update(ss, call.body))

    def _values_append(self, call: Call, sid: str, range: str) -> Reply:
        return self._commit(sid, lambda ss: values_api.append(ss, range, call.body, call.params()))

    def _values_clear(self, call: Call, sid: str, range: str) -> Reply:
        return self._commit(sid, lambda ss: values_api.clear(ss, range))

    def _values_batch_clear(self, call: Call, sid: str) -> Reply:
        ranges = call.body.get("ranges") or []
        return self._commit(sid, lambda ss: values_api.batch_clear(ss, ranges))

    # --- developer metadata -----------------------------------------------------------

    def _metadata_search(self, call: Call, sid: str) -> Reply:
        spreadsheet = self.workspace.for_sheets_api(sid)
        return Reply(200, metadata.search(spreadsheet, call.body.get("dataFilters") or []))

    def _metadata_get(self, call: Call, sid: str, mid: str) -> Reply:
        spreadsheet = self.workspace.for_sheets_api(sid)
        return Reply(200, metadata.get(spreadsheet, int(mid)))

    # --- drive ------------------------------------------------------------------------

    def _drive_list(self, call: Call) -> Reply:
        return Reply(200, drive.list_files(self.workspace, call.params()))

    def _drive_create(self, call: Call) -> Reply:
        resource = drive.create_file(self.workspace, call.body)
        return Reply(200, self._drive_view(resource, call), changed=True)

    def _drive_get(self, call: Call, fid: str) -> Reply:
        return Reply(200, self._drive_view(drive.get_file(self.workspace, fid), call))

    def _drive_delete(self, call: Call, fid: str) -> Reply:
        drive.delete_file(self.workspace, fid)
        return Reply(204, None, changed=True)

    def _drive_copy(self, call: Call, fid: str) -> Reply:
        resource = drive.copy_file(self.workspace, fid, call.body)
        return Reply(200, self._drive_view(resource, call), changed=True)

    def _drive_permissions(self, call: Call, fid: str) -> Reply:
        return Reply(200, drive.list_permissions(self.workspace, fid))

    def _drive_share(self, call: Call, fid: str) -> Reply:
        return Reply(200, drive.create_permission(self.workspace, fid, call.body), changed=True)

    def _drive_unshare(self, call: Call, fid: str, pid: str) -> Reply:
        drive.delete_permission(self.workspace, fid, pid)
        return Reply(204, None, changed=True)

    def _drive_comments(self, call: Call, fid: str) -> Reply:
        self.workspace.for_drive_api(fid)
        return Reply(200, {"comments": []})

    def _drive_comment(self, call: Call, fid: str) -> Reply:
        self.workspace.for_drive_api(fid)
        return Reply(200, {"id": self.workspace.ids.permission_id()})

    @staticmethod
    def _drive_view(resource: dict[str, Any], call: Call) -> dict[str, Any]:
        """Drive answers with kind/id/name/mimeType unless ``fields`` asks for more."""
        if call.param("fields"):
            return resource
        return {key: resource[key] for key in ("kind", "id", "name", "mimeType")}
