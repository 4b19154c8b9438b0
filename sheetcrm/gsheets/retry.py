"""Exponential back-off with jitter for Google's 429 and 5xx answers.

Google asks clients to retry "too many requests" and server errors with truncated
exponential back-off (https://developers.google.com/sheets/api/limits#exponential):
wait ``min(2**n + random, maximum)`` seconds before try ``n + 1``.  The per-minute
quota is a sliding 60-second window, so the default waits (1, 2, 4, 8, 16, 32 s plus
jitter, about 66 s in all) outlast one full window before giving up.

The policy is pure (no clock, no sleeping) so tests can inject a fake ``sleep`` and a
seeded ``random``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

#: HTTP statuses worth another try: quota (429) and Google's own failures.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before trying a request again."""

    tries: int = 7  # the first try and six retries
    base_seconds: float = 1.0
    max_seconds: float = 64.0
    jitter_seconds: float = 1.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed try number ``attempt`` (0-based).

        A ``Retry-After`` from Google wins when it asks for longer.
        """
        backoff = min(self.max_seconds, self.base_seconds * 2**attempt)
        wait = backoff + self.rng.uniform(0, self.jitter_seconds)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_seconds + self.jitter_seconds)

    def should_retry(self, status: int | None, attempt: int) -> bool:
        """True when a failure with ``status`` (``None``: no answer at all) gets another try."""
        if attempt + 1 >= self.tries:
            return False
        return status is None or status in RETRYABLE_STATUSES


Sleep = Callable[[float], None]
