"""Point the real client stack (requests → google-auth → gspread) at a local root URL.

gspread builds absolute URLs from constants (``gspread.urls``:
``https://sheets.googleapis.com/v4/spreadsheets…`` and
``https://www.googleapis.com/drive/v3/files…``).  Rather than patching them, the
session's transport adapter rewrites those two hosts to ``root_url`` and *refuses*
every other URL, so code under test can never reach the internet — not even for an
OAuth token refresh, whose session is guarded the same way.  ``root_url`` itself must
be a loopback address.

This is also what ``SHEETCRM_SHEETS_API_ROOT`` will use to send sheetcrm's own
traffic to the fake.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

GOOGLE_API_HOSTS = frozenset({"sheets.googleapis.com", "www.googleapis.com"})


class OutboundRequestRefused(RuntimeError):
    """Raised when code under test tries to reach anything but the fake."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class RedirectingAdapter(HTTPAdapter):
    """Sends Google API URLs to ``root_url`` and refuses everything else."""

    def __init__(self, root_url: str, **kwargs: Any) -> None:
        parts = urlsplit(root_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) root URL: {root_url!r}")
        if not _is_loopback(parts.hostname):
            raise ValueError(f"the fake must be on a loopback address, not {parts.hostname!r}")
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._prefix = parts.path.rstrip("/")
        super().__init__(**kwargs)

    def target(self, url: str) -> str:
        """The URL actually requested for ``url`` (or :class:`OutboundRequestRefused`)."""
        parts = urlsplit(url)
        if parts.scheme == self._scheme and parts.netloc == self._netloc:
            return url
        if parts.scheme == "https" and parts.hostname in GOOGLE_API_HOSTS and not parts.port:
            path = self._prefix + parts.path
            return urlunsplit((self._scheme, self._netloc, path, parts.query, ""))
        raise OutboundRequestRefused(
            f"refusing to send a request to {parts.scheme}://{parts.netloc}: only the fake at "
            f"{self._scheme}://{self._netloc} may be reached"
        )

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        request.url = self.target(request.url or "")
        kwargs["proxies"] = {}  # a proxy would carry the request off the machine
        return super().send(request, **kwargs)


def _guard(session: requests.Session, adapter: HTTPAdapter) -> requests.Session:
    session.trust_env = False  # ignore HTTPS_PROXY and friends
    session.adapters.clear()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def redirecting_session(root_url: str, credentials: Any = None) -> requests.Session:
    """A google-auth ``AuthorizedSession`` whose every request goes to ``root_url``.

    ``credentials`` default to ``AnonymousCredentials`` (no token, nothing to refresh);
    any credentials' token requests are refused rather than sent to Google.
    """
    from google.auth.credentials import AnonymousCredentials
    from google.auth.transport.requests import AuthorizedSession, Request

    adapter = RedirectingAdapter(root_url)
    token_session = _guard(requests.Session(), adapter)
    session = AuthorizedSession(
        credentials or AnonymousCredentials(), auth_request=Request(token_session)
    )
    return _guard(session, adapter)


def client_for(root_url: str, credentials: Any = None) -> Any:
    """A real ``gspread.Client`` talking to the fake at ``root_url``."""
    import gspread
    from google.auth.credentials import AnonymousCredentials

    credentials = credentials or AnonymousCredentials()
    client = gspread.Client(credentials, session=redirecting_session(root_url, credentials))
    # gspread only sets .auth when it builds the session itself; Client.expiry reads it.
    client.http_client.auth = credentials
    return client
