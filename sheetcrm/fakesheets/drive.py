"""The few Drive v3 calls gspread makes: list/search, create, copy, get, delete,
permissions (share) and comments (read by ``Client.copy``).

Every file is a Google Sheet; there are no folders (a ``parents`` filter matches
nothing).  The ``q`` language is modelled for what gspread sends
(``mimeType="…" and name = "…"``) plus ``name contains`` and ``trashed``; ``or``,
``not`` and parentheses answer 501.  Shapes follow gspread's cassettes: a created file
is ``{"kind": "drive#file", "id", "name", "mimeType"}``; a list is
``{"kind": "drive#fileList", "files": [...]}``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from sheetcrm.fakesheets.errors import ApiError, unimplemented
from sheetcrm.fakesheets.store import Spreadsheet, Workspace, new_spreadsheet, now_rfc3339

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
_DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
_TERM = re.compile(
    r"""\s*(?:
        (?P<field>\w+)\s*(?P<op>!=|=|\bcontains\b)\s*(?P<value>'(?:\\.|[^'])*'|"(?:\\.|[^"])*"|true|false)
      | (?P<parent>'(?:\\.|[^'])*'|"(?:\\.|[^"])*")\s+in\s+parents
      | parents\s+in\s+(?P<parent2>'(?:\\.|[^'])*'|"(?:\\.|[^"])*")
    )\s*""",
    re.VERBOSE | re.IGNORECASE,
)
_KEYWORD = re.compile(r"\s+(and|or|not)\s+", re.IGNORECASE)


def _unquote(token: str) -> str | bool:
    if token.lower() in ("true", "false"):
        return token.lower() == "true"
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _split_terms(q: str) -> list[str]:
    """Split ``q`` at ``and`` outside quotes; ``or``/``not``/parentheses are not modelled."""
    terms, current, quote, i = [], [], "", 0
    while i < len(q):
        ch = q[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < len(q):
                current.append(q[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch in "()":
            raise unimplemented("Drive queries with parentheses")
        elif keyword := _KEYWORD.match(q, i):
            if keyword.group(1).lower() != "and":
                raise unimplemented("Drive queries with or/not")
            terms.append("".join(current))
            current = []
            i = keyword.end()
            continue
        else:
            current.append(ch)
        i += 1
    terms.append("".join(current))
    return terms


def _query_filter(q: str) -> list[tuple[str, str, Any]]:
    """Parse ``q`` into (field, op, value) terms joined by ``and``."""
    terms = []
    for part in _split_terms(q):
        match = _TERM.fullmatch(part)
        if not match:
            raise ApiError(400, f"Invalid Value: {q}", drive_reason="invalid")
        if match["parent"] or match["parent2"]:
            terms.append(("parents", "in", _unquote(match["parent"] or match["parent2"])))
        else:
            terms.append((match["field"], match["op"].lower(), _unquote(match["value"])))
    return terms


def _matches(spreadsheet: Spreadsheet, terms: list[tuple[str, str, Any]]) -> bool:
    facts = {"mimeType": SHEETS_MIME, "name": spreadsheet.title, "trashed": False}
    for name, op, value in terms:
        if name == "parents":
            return False  # no folders in the fake
        if name not in facts:
            raise unimplemented(f"Drive query on {name!r}")
        have = facts[name]
        if op == "contains":
            if not (isinstance(have, str) and str(value).lower() in have.lower()):
                return False
        elif (have == value) != (op == "="):
            return False
    return True


def file_resource(spreadsheet: Spreadsheet) -> dict[str, Any]:
    """Everything Drive would say about the file; callers project with ``fields``."""
    return {
        "kind": "drive#file",
        "id": spreadsheet.spreadsheet_id,
        "name": spreadsheet.title,
        "mimeType": SHEETS_MIME,
        "createdTime": spreadsheet.created_time,
        "modifiedTime": spreadsheet.modified_time,
    }


def _default_view(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: resource[key] for key in _DEFAULT_FIELDS}


def list_files(ws: Workspace, params: dict[str, str]) -> dict[str, Any]:
    """``files.list``: spreadsheets shared with the caller, oldest first."""
    terms = _query_filter(params["q"]) if params.get("q") else []
    files = [
        file_resource(s)
        for sid, s in ws.spreadsheets.items()
        if sid not in ws.denied and _matches(s, terms)
    ]
    if "fields" not in params:
        files = [_default_view(f) for f in files]
    return {"kind": "drive#fileList", "incompleteSearch": False, "files": files}


def create_file(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    """``files.create`` of a Google Sheet: one empty ``Sheet1``, as in the cassettes."""
    if body.get("mimeType") != SHEETS_MIME:
        raise unimplemented(f"Drive files of type {body.get('mimeType')!r}")
    spreadsheet = ws.add(new_spreadsheet(ws.ids, body.get("name") or "Untitled spreadsheet"))
    return file_resource(spreadsheet)


def copy_file(ws: Workspace, file_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``files.copy``: a new spreadsheet with the same sheets; named "Copy of …" by default."""
    source = ws.for_drive_api(file_id)
    duplicate = copy.deepcopy(source)
    duplicate.spreadsheet_id = ws.ids.spreadsheet_id()
    duplicate.properties["title"] = body.get("name") or f"Copy of {source.title}"
    duplicate.created_time = duplicate.modified_time = now_rfc3339()
    duplicate.permissions = []
    return file_resource(ws.add(duplicate))


def get_file(ws: Workspace, file_id: str) -> dict[str, Any]:
    """``files.get`` (the caller projects with ``fields``)."""
    return file_resource(ws.for_drive_api(file_id))


def delete_file(ws: Workspace, file_id: str) -> None:
    """``files.delete``."""
    ws.for_drive_api(file_id)
    del ws.spreadsheets[file_id]


def create_permission(ws: Workspace, file_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``permissions.create``: what ``Spreadsheet.share`` calls."""
    spreadsheet = ws.for_drive_api(file_id)
    kind, role = body.get("type"), body.get("role")
    if kind not in ("user", "group", "domain", "anyone"):
        raise ApiError(400, "The permission type field is required.", drive_reason="required")
    if role not in ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"):
        raise ApiError(400, "The permission role field is required.", drive_reason="required")
    permission: dict[str, Any] = {
        "kind": "drive#permission",
        "id": ws.ids.permission_id(),
        "type": kind,
        "role": role,
    }
    for key in ("emailAddress", "domain", "allowFileDiscovery"):
        if key in body:
            permission[key] = body[key]
    spreadsheet.permissions.append(permission)
    return {key: permission[key] for key in ("kind", "id", "type", "role")}


def list_permissions(ws: Workspace, file_id: str) -> dict[str, Any]:
    """``permissions.list``."""
    return {"permissions": copy.deepcopy(ws.for_drive_api(file_id).permissions)}


def delete_permission(ws: Workspace, file_id: str, permission_id: str) -> None:
    """``permissions.delete``."""
    spreadsheet = ws.for_drive_api(file_id)
    kept = [p for p in spreadsheet.permissions if p["id"] != permission_id]
    if len(kept) == len(spreadsheet.permissions):
        raise ApiError(404, f"Permission not found: {permission_id}.", drive_reason="notFound")
    spreadsheet.permissions = kept
