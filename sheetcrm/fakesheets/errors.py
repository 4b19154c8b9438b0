"""The one exception the fake raises for every refusal, rendered as Google's error body.

Google's JSON APIs answer failures with ``{"error": {"code", "message", "status"}}``
(https://cloud.google.com/apis/design/errors); Drive v3 adds an ``errors`` list with a
``domain`` and ``reason``, which gspread's BackOffHTTPClient looks at.  Messages below
copy the wording real clients have logged (quoted in the report) so that code matching
on them behaves the same against the fake.
"""

from __future__ import annotations

from typing import Any

# google.rpc.Code name for each HTTP status the fake returns.
STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# What Google says when a status is injected without a message of its own.
DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per "
        "minute per user' of service 'sheets.googleapis.com' for consumer "
        "'project_number:000000000000'."
    ),
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The service is currently unavailable.",
}

MAX_CELLS = 10_000_000
MAX_CELL_CHARS = 50_000
CELL_LIMIT_MESSAGE = (
    f"This action would increase the number of cells in the workbook above the limit of "
    f"{MAX_CELLS} cells."
)
CELL_CHARS_MESSAGE = (
    f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell."
)


def quota_message(kind: str) -> str:
    """Google's 429 text for a ``"Read"`` or ``"Write"`` request."""
    return (
        f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per "
        f"minute per user' of service 'sheets.googleapis.com' for consumer "
        f"'project_number:000000000000'."
    )


class ApiError(Exception):
    """Raised inside the fake whenever Google would answer with an error status."""

    def __init__(
        self, code: int, message: str | None = None, *, drive_reason: str | None = None
    ) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, "Error")
        self.drive_reason = drive_reason
        super().__init__(f"{code}: {self.message}")

    def body(self) -> dict[str, Any]:
        """The JSON body Google sends with this status."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.drive_reason:
            error["errors"] = [
                {"domain": "global", "reason": self.drive_reason, "message": self.message}
            ]
        else:
            error["status"] = STATUS_NAMES.get(self.code, "UNKNOWN")
        return {"error": error}


def invalid(message: str) -> ApiError:
    """A 400 INVALID_ARGUMENT."""
    return ApiError(400, message)


def unparsable_range(text: str) -> ApiError:
    """Google's answer for a range it cannot resolve (bad syntax or unknown sheet)."""
    return ApiError(400, f"Unable to parse range: {text}")


def unimplemented(what: str) -> ApiError:
    """A 501 for API surface the fake does not model, so a test fails loudly, not subtly."""
    return ApiError(501, f"fakesheets does not implement {what}.")
