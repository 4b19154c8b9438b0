"""The few Google calls sheetcrm makes, each retried with back-off, counted and translated.

One :class:`SheetsApi` wraps a real ``gspread.Client`` (its ``HTTPClient`` builds the
URLs and raises ``APIError``).  Request bodies are serialised here, compactly and as
UTF-8 (``requests`` would escape every Japanese character to six bytes), so the size
checked against Google's payload limit is the size sent.  :class:`RequestStats` records
every HTTP request (retries included) so a sync can report, and tests can assert, how
many it took.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from sheetcrm.errors import AuthError, GoogleError
from sheetcrm.gsheets.auth import Account
from sheetcrm.gsheets.failures import api_failure, refused_sign_in, unavailable
from sheetcrm.gsheets.retry import RetryPolicy, Sleep

#: (connect, read) seconds: a large batchUpdate can take Google minutes to apply.
TIMEOUT = (15.0, 600.0)
_JSON = {"Content-Type": "application/json; charset=UTF-8"}


def compact_json(body: Any) -> bytes:
    """``body`` as compact UTF-8 JSON, the smallest form Google accepts."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class RequestStats:
    """What was sent: HTTP requests by call (retries included), retries, body bytes."""

    requests: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    bytes_sent: int = 0
    largest_body: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())


class SheetsApi:
    """Sheets v4 and Drive v3 calls on behalf of one :class:`Account`."""

    def __init__(
        self,
        client: Any,
        account: Account,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        from gspread import urls

        self.client = client
        self.http = client.http_client
        self.http.set_timeout(TIMEOUT)
        self.account = account
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.stats = RequestStats()
        self._urls = urls

    # --- calls ---------------------------------------------------------------------

    def get_spreadsheet(self, spreadsheet_id: str, *, fields: str, **params: Any) -> dict:
        """``spreadsheets.get`` projected to ``fields``."""
        url = self._urls.SPREADSHEET_URL % spreadsheet_id
        query = {"fields": fields, **params}
        return self._call("spreadsheets.get", "get", url, target=spreadsheet_id, params=query)

    def batch_get(
        self, spreadsheet_id: str, ranges: list[str], *, render: str = "UNFORMATTED_VALUE"
    ) -> list[dict]:
        """``values.batchGet`` of ``ranges``: one ValueRange each, in order."""
        if not ranges:
            return []
        url = self._urls.SPREADSHEET_VALUES_BATCH_URL % spreadsheet_id
        params = {
            "ranges": ranges,
            "valueRenderOption": render,
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        reply = self._call("values.batchGet", "get", url, target=spreadsheet_id, params=params)
        return reply.get("valueRanges", [])

    def batch_update(self, spreadsheet_id: str, body: bytes) -> dict:
        """``spreadsheets.batchUpdate`` of an already serialised body (applied all or nothing)."""
        url = self._urls.SPREADSHEET_BATCH_UPDATE_URL % spreadsheet_id
        return self._call(
            "spreadsheets.batchUpdate", "post", url, target=spreadsheet_id, body=body, write=True
        )

    def values_batch_update(self, spreadsheet_id: str, body: bytes) -> dict:
        """``values.batchUpdate`` of an already serialised body (RAW values)."""
        url = self._urls.SPREADSHEET_VALUES_BATCH_UPDATE_URL % spreadsheet_id
        return self._call(
            "values.batchUpdate", "post", url, target=spreadsheet_id, body=body, write=True
        )

    def create_spreadsheet(self, body: dict) -> dict:
        """``spreadsheets.create`` (tab titles and locale; cells come in a batchUpdate)."""
        url = self._urls.SPREADSHEETS_API_V4_BASE_URL
        return self._call(
            "spreadsheets.create", "post", url, target="(new)", body=compact_json(body), write=True
        )

    def share(self, file_id: str, email: str, *, role: str = "writer") -> dict:
        """Drive ``permissions.create``: give ``email`` access (Google e-mails them a link)."""
        url = f"{self._urls.DRIVE_FILES_API_V3_URL}/{file_id}/permissions"
        body = compact_json({"type": "user", "role": role, "emailAddress": email})
        params = {"supportsAllDrives": "true", "sendNotificationEmail": "true"}
        return self._call(
            "drive.permissions.create",
            "post",
            url,
            target=file_id,
            body=body,
            params=params,
            write=True,
        )

    # --- plumbing ------------------------------------------------------------------

    def _call(
        self,
        kind: str,
        method: str,
        url: str,
        *,
        target: str,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
        write: bool = False,
    ) -> dict:
        from google.auth.exceptions import GoogleAuthError, RefreshError
        from gspread.exceptions import APIError

        from sheetcrm.fakesheets.redirect import OutboundRequestRefused

        for attempt in range(self.policy.tries):
            self.stats.requests[kind] += 1
            if body is not None:
                self.stats.bytes_sent += len(body)
                self.stats.largest_body = max(self.stats.largest_body, len(body))
            try:
                response = self.http.request(
                    method, url, params=params, data=body, headers=_JSON if body else None
                )
            except APIError as error:
                status = error.response.status_code
                if self.policy.should_retry(status, attempt):
                    self._wait(attempt, error.response)
                    continue
                raise api_failure(
                    status,
                    dict(error.error),
                    self.account,
                    target=target,
                    tries=attempt + 1,
                    writing=write,
                ) from None
            except RefreshError as error:
                reason = str(error.args[0])[:200] if error.args else "no reason given"
                raise refused_sign_in(reason) from None
            except GoogleAuthError:
                # google-auth answers a 401 by refreshing the token and trying again; when
                # the credentials cannot be refreshed at all, that is Google's "no".
                raise api_failure(401, {}, self.account, target=target) from None
            except OutboundRequestRefused:
                raise AuthError(
                    "With SHEETCRM_SHEETS_API_ROOT set, Google sign-in is switched off: use "
                    '--credentials pointing at a file that holds {"type": "anonymous"}.',
                    message_ja="SHEETCRM_SHEETS_API_ROOT を設定しているときは Google への"
                    'ログインはできません。{"type": "anonymous"} と書いたファイルを '
                    "--credentials で指定してください。",
                ) from None
            except (requests.ConnectionError, requests.Timeout) as error:
                if self.policy.should_retry(None, attempt):
                    self._wait(attempt, None)
                    continue
                raise unavailable(type(error).__name__, attempt + 1) from None
            return response.json() if response.content else {}
        raise GoogleError("unreachable: the retry loop ended without an answer")

    def _wait(self, attempt: int, response: requests.Response | None) -> None:
        self.stats.retries += 1
        retry_after = None
        if response is not None:
            try:
                retry_after = float(response.headers.get("Retry-After", ""))
            except ValueError:
                retry_after = None
        self.sleep(self.policy.delay(attempt, retry_after))
