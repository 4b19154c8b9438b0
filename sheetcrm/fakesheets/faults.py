"""Injected failures and the per-minute quota.

``fail_next`` queues errors for the next matching requests (a 500 on the next
batchUpdate, three 429s in a row).  The quota is a sliding 60-second window over Sheets
API requests, like Google's "requests per minute per user" limits
(https://developers.google.com/sheets/api/limits); refused requests do not count.  One
window covers reads and writes together (Google keeps one per kind); the 429 message
names the kind of the refused request.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sheetcrm.fakesheets.errors import ApiError, quota_message

WINDOW_SECONDS = 60.0


@dataclass
class _Fault:
    status: int
    remaining: int
    pattern: re.Pattern[str] | None
    method: str | None
    message: str | None


class FaultPlan:
    """Errors waiting to be returned, first matching rule first."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        status: int,
        times: int = 1,
        on: str | None = None,
        method: str | None = None,
        message: str | None = None,
    ) -> None:
        pattern = re.compile(on) if on else None
        with self._lock:
            self._faults.append(_Fault(status, times, pattern, method and method.upper(), message))

    def take(self, method: str, path: str) -> ApiError | None:
        """The error for this request, if a queued fault matches it (and use it up)."""
        with self._lock:
            for fault in self._faults:
                if fault.method and fault.method != method:
                    continue
                if fault.pattern and not fault.pattern.search(path):
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                message = fault.message
                if message is None and fault.status == 429:
                    message = quota_message("Read" if method == "GET" else "Write")
                return ApiError(fault.status, message)
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


class QuotaWindow:
    """At most ``per_minute`` admitted requests in any 60 seconds of ``clock`` time."""

    def __init__(
        self, per_minute: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._admitted: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self, method: str) -> ApiError | None:
        """``None`` when the request may go ahead, else Google's 429."""
        if self.per_minute is None:
            return None
        with self._lock:
            now = self.clock()
            while self._admitted and now - self._admitted[0] >= WINDOW_SECONDS:
                self._admitted.popleft()
            if len(self._admitted) >= self.per_minute:
                return ApiError(429, quota_message("Read" if method == "GET" else "Write"))
            self._admitted.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._admitted.clear()
