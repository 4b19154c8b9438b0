"""The fake over HTTP on 127.0.0.1, in a background thread, with test controls.

::

    with FakeSheetsServer() as server:
        sid = server.create_spreadsheet("Shop", {"Customers": [["name"], ["Aiko"]]})
        gc = client_for(server.root_url)          # a real gspread.Client
        assert gc.open_by_key(sid).sheet1.get_all_values() == [["name"], ["Aiko"]]
        server.fail_next(500, on=r":batchUpdate$")  # the next batchUpdate fails
        server.deny(sid)                            # "share it with the service account"

Only the loopback address is ever bound.  Bodies larger than ``max_body_bytes``
(default 10 MiB, the limit Google reports as "Request payload size exceeds the limit:
10485760 bytes.") are refused with that 400 before anything is parsed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sheetcrm.fakesheets import persist
from sheetcrm.fakesheets.errors import ApiError
from sheetcrm.fakesheets.faults import FaultPlan, QuotaWindow
from sheetcrm.fakesheets.seed import Rows, read_xlsx, spreadsheet_from_rows
from sheetcrm.fakesheets.service import FakeSheetsService, Reply
from sheetcrm.fakesheets.state import SpreadsheetState, snapshot
from sheetcrm.fakesheets.store import IdMaker, Workspace, require_found

LOOPBACK = "127.0.0.1"
MAX_BODY_BYTES = 10 * 1024 * 1024
_DISCARD_CHUNK = 1 << 16


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake received (path percent-decoded, query as parsed)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body_size: int
    status: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY each keep-alive
    # request waits ~40 ms on the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""

    def _read_body(self, limit: int) -> tuple[bytes | None, int]:
        """The body, or ``None`` (after draining it) when it is over ``limit``."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, size = [], 0
            while True:
                length = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    self.rfile.readline()
                    break
                chunk = self.rfile.read(length)
                self.rfile.readline()
                size += length
                if size <= limit:
                    chunks.append(chunk)
            return (b"".join(chunks) if size <= limit else None), size
        length = int(self.headers.get("Content-Length") or 0)
        if length <= limit:
            return self.rfile.read(length), length
        remaining = length
        while remaining > 0:
            remaining -= len(self.rfile.read(min(_DISCARD_CHUNK, remaining)))
        return None, length

    def _serve(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        body, size = self._read_body(fake.max_body_bytes)
        if body is None:
            error = ApiError(
                400, f"Request payload size exceeds the limit: {fake.max_body_bytes} bytes."
            )
            reply = Reply(error.code, error.body())
        else:
            reply = fake._dispatch(self.command, parts.path, query, body)
        fake._record(LoggedRequest(self.command, unquote(parts.path), query, size, reply.status))
        payload = b"" if reply.body is None else json.dumps(reply.body, ensure_ascii=False).encode()
        self.send_response(reply.status)
        if reply.body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSheetsServer


class FakeSheetsServer:
    """A local stand-in for sheets.googleapis.com and the Drive calls gspread makes.

    ``port=0`` picks a free port.  ``quota_per_minute`` turns on the 429 sliding
    window (``clock`` lets a test move time).  ``state_path`` loads spreadsheets from
    a JSON file at start and saves after every change.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        quota_per_minute: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_body_bytes: int = MAX_BODY_BYTES,
        seed: int | None = None,
        state_path: Path | str | None = None,
        duplicate_copies_metadata: bool = False,
    ) -> None:
        self._port = port
        self.max_body_bytes = max_body_bytes
        self.state_path = Path(state_path) if state_path else None
        workspace = Workspace(ids=IdMaker(seed))
        if self.state_path and self.state_path.exists():
            persist.load(workspace, self.state_path)
        self.service = FakeSheetsService(
            workspace, duplicate_copies_metadata=duplicate_copies_metadata
        )
        self.faults = FaultPlan()
        self.quota = QuotaWindow(quota_per_minute, clock)
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeSheetsServer:
        """Bind 127.0.0.1 and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        httpd = _Server((LOOPBACK, self._port), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns promptly
            name="fakesheets",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeSheetsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake is not running; call start() or use it in a with block")
        return self._httpd.server_address[1]

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` — what stands in for ``https://sheets.googleapis.com``."""
        return f"http://{LOOPBACK}:{self.port}"

    # --- test controls ---------------------------------------------------------------

    def create_spreadsheet(
        self,
        title: str,
        sheets: Mapping[str, Rows] | None = None,
        *,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        value_input_option: str = "RAW",
    ) -> str:
        """Add a spreadsheet holding ``{sheet title: rows}``; returns its id."""
        with self.service.lock:
            spreadsheet = spreadsheet_from_rows(
                self.service.workspace.ids,
                title,
                sheets,
                locale=locale,
                time_zone=time_zone,
                value_input_option=value_input_option,
            )
            self.service.workspace.add(spreadsheet)
            self._save()
        return spreadsheet.spreadsheet_id

    def seed_xlsx(self, path: Path | str, title: str | None = None) -> str:
        """Add a spreadsheet with an xlsx workbook's sheets and values; returns its id."""
        path = Path(path)
        return self.create_spreadsheet(title or path.stem, read_xlsx(path))

    def spreadsheet(self, spreadsheet_id: str) -> SpreadsheetState:
        """A detached snapshot of a spreadsheet for assertions (``KeyError`` if unknown)."""
        with self.service.lock:
            found = self.service.workspace.spreadsheets.get(spreadsheet_id)
            if found is None:
                raise KeyError(spreadsheet_id)
            return snapshot(found)

    def spreadsheet_ids(self) -> list[str]:
        with self.service.lock:
            return list(self.service.workspace.spreadsheets)

    def deny(self, spreadsheet_id: str) -> None:
        """Act as if the spreadsheet was not shared with the caller (Sheets 403, Drive 404)."""
        with self.service.lock:
            require_found(self.service.workspace.spreadsheets.get(spreadsheet_id))
            self.service.workspace.denied.add(spreadsheet_id)
            self._save()

    def allow(self, spreadsheet_id: str) -> None:
        """Undo :meth:`deny` ("the seller shared the sheet")."""
        with self.service.lock:
            self.service.workspace.denied.discard(spreadsheet_id)
            self._save()

    def fail_next(
        self,
        status: int,
        times: int = 1,
        on: str | None = None,
        *,
        method: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests whose decoded path matches the regex ``on``
        (and ``method``, if given) with ``status`` and Google's error body."""
        self.faults.add(status, times, on, method, message)

    @property
    def quota_per_minute(self) -> int | None:
        return self.quota.per_minute

    @quota_per_minute.setter
    def quota_per_minute(self, value: int | None) -> None:
        self.quota.per_minute = value
        self.quota.reset()

    @property
    def request_log(self) -> list[LoggedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._log_lock:
            return list(self._log)

    def clear_request_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # --- plumbing --------------------------------------------------------------------

    def _record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._log.append(entry)

    def _dispatch(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Reply:
        fault = self.faults.take(method, unquote(path))
        if fault is not None:
            return Reply(fault.code, fault.body())
        if path.startswith("/v4/"):
            refused = self.quota.admit(method)
            if refused is not None:
                return Reply(refused.code, refused.body())
        reply = self.service.handle(method, path, query, body)
        if reply.changed:
            with self.service.lock:
                self._save()
        return reply

    def _save(self) -> None:
        if self.state_path is not None:
            persist.save(self.service.workspace, self.state_path)
