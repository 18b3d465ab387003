"""The HTTP client every tracker client uses: JSON in and out, retries, typed errors.

Faults become :class:`~relplan.errors.SyncError`: 401/403, a 203 or an HTML page where JSON was
asked for (Azure's sign-in page) are ``AUTH`` ("credentials rejected"); 404 says what was not
found; 429 and 5xx are retried with back-off honouring ``Retry-After`` and become
``RATE_LIMITED`` or ``REMOTE`` when the retries run out; timeouts and connection errors are
retried and then become ``NETWORK``. The ``Authorization`` header is never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from relplan.domain.bounds import clip
from relplan.errors import SyncError
from relplan.sync.ratelimit import RetryPolicy, SlowDown, parse_retry_after
from relplan.sync.tracker import CancelToken, normalize_url
from relplan.sync.transport import NoCookies, StdlibTransport

log = logging.getLogger(__name__)

#: Headers whose values never reach a log line.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` safe to log: secret values are replaced.

    Examples:
        >>> redact({"Authorization": "Bearer abc", "Accept": "application/json"})
        {'Authorization': '<redacted>', 'Accept': 'application/json'}
    """
    return {k: ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def _error_text(response: httpx.Response) -> str:
    """The message of a Jira or Azure error body, or a short excerpt of the body."""
    text = response.content.decode("utf-8-sig", errors="replace")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        parts.extend(str(m) for m in body.get("errorMessages") or [])
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts.extend(f"{k}: {v}" for k, v in errors.items())
        for key in ("message", "errorMessage"):
            if isinstance(body.get(key), str):
                parts.append(body[key])
        value = body.get("value")
        if isinstance(value, dict) and isinstance(value.get("Message"), str):
            parts.append(value["Message"])
    elif "html" not in response.headers.get("content-type", ""):
        parts.append(" ".join(text.split())[:200])
    return clip("; ".join(p for p in parts if p), 300)


class HttpClient:
    """JSON requests against one tracker, safe to use from several threads at once.

    Args:
        base_url: the tracker's base URL (plain http only for loopback hosts).
        authorization: the ``Authorization`` header value.
        policy: the retry policy.
        cancel: checked before every try and during back-off waits.
        timeout_s: per-request connect/read timeout.
        headers: extra headers for every request.
        max_connections: the connection pool size (parallel requests).
    """

    def __init__(
        self,
        base_url: str,
        authorization: str,
        *,
        policy: RetryPolicy | None = None,
        cancel: CancelToken | None = None,
        timeout_s: float = 30.0,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 8,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.policy = policy or RetryPolicy()
        self.cancel = cancel or CancelToken()
        self._lock = threading.Lock()
        self._requests = 0
        self._random = random.Random()
        #: Shared by every thread using this client: one 429 slows them all.
        self.slow_down = SlowDown()
        self._client = httpx.Client(
            base_url=self.base_url + "/",
            headers={
                "Authorization": authorization,
                "Accept": "application/json",
                **(headers or {}),
            },
            timeout=httpx.Timeout(timeout_s),
            # The wire on http.client: a third of httpcore's CPU time a request (see the module).
            transport=StdlibTransport(max_connections=max_connections, trust_env=False),
            cookies=NoCookies(),
            follow_redirects=False,
            trust_env=False,
        )

    @property
    def requests(self) -> int:
        """How many HTTP requests were sent (retries included)."""
        return self._requests

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str, *, params: Mapping[str, Any] | None = None, what: str = "") -> Any:
        """GET ``path`` and return its JSON body (see :meth:`request`)."""
        return self.request("GET", path, params=params, what=what)

    def post(
        self,
        path: str,
        body: Any,
        *,
        params: Mapping[str, Any] | None = None,
        what: str = "",
    ) -> Any:
        """POST ``body`` as JSON to ``path`` and return the JSON answer (see :meth:`request`)."""
        return self.request("POST", path, params=params, body=body, what=what)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        what: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send a request, retrying where it may help, and return the parsed JSON body.

        Args:
            method: GET or POST.
            path: relative to the base URL.
            params: query parameters.
            body: a JSON body.
            what: what the request is about, for a 404 message ("project ABC").
            headers: more headers (Azure's ``application/json-patch+json``).

        Raises:
            SyncError: the request failed for good (see the module's description).
            Cancelled: the cancel token was set.
        """
        return self.exchange(method, path, params=params, body=body, what=what, headers=headers)[0]

    def get_page(
        self, path: str, *, params: Mapping[str, Any] | None = None, what: str = ""
    ) -> tuple[Any, httpx.Headers]:
        """GET ``path``: its JSON body and the response headers (paging links, tokens)."""
        return self.exchange("GET", path, params=params, what=what)

    def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        what: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, httpx.Headers]:
        """:meth:`request`, also giving the response headers (delivery tools page by headers)."""
        attempt = 0
        url = f"{self.base_url}/{path.lstrip('/')}"
        target, query = self._target(path, params)
        while True:
            self.cancel.raise_if_cancelled()
            pause = self.slow_down.remaining()
            if pause > 0:
                self.cancel.sleep(pause)
            started = time.monotonic()
            with self._lock:
                self._requests += 1
            try:
                response = self._client.request(
                    method, target, params=query, json=body, headers=headers
                )
            except httpx.TimeoutException as exc:
                wait = self._next_delay(attempt, None)
                if wait is None:
                    raise SyncError(
                        SyncError.NETWORK,
                        f"{url}: no answer in time ({type(exc).__name__})",
                        url=url,
                    ) from None
            except httpx.TransportError as exc:
                wait = self._next_delay(attempt, None)
                if wait is None:
                    raise SyncError(
                        SyncError.NETWORK, f"cannot reach {self.base_url}: {exc}", url=url
                    ) from None
            else:
                log.debug(
                    "%s %s -> %d (%.0f ms)",
                    method,
                    response.request.url,
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
                if not self.policy.should_retry(response.status_code):
                    return self._result(response, url, what), response.headers
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), dt.datetime.now(dt.UTC)
                )
                wait = self._next_delay(attempt, retry_after)
                if wait is None:
                    raise self._failure(response, url, what)
                if retry_after is not None:
                    # The server named a wait: every worker of this client honours it.
                    self.slow_down.hold(wait)
                log.info("%s %s: %d, retrying in %.1f s", method, url, response.status_code, wait)
            attempt += 1
            self.cancel.sleep(wait)

    def _target(
        self, path: str, params: Mapping[str, Any] | None
    ) -> tuple[str, Mapping[str, Any] | None]:
        """The URL to ask for and the params httpx should still add.

        Given a relative path and params, httpx parses the URL three times (base, params,
        request): about a tenth of the client's CPU time in a pull of 18,000 small requests.
        Built here, with httpx's own query encoding, it is parsed once. Absolute URLs (next
        links) and paths with a query of their own are left to httpx.
        """
        relative = path.lstrip("/")
        if params is None or "://" in path or "?" in path:
            return relative, params
        query = str(httpx.QueryParams(params))
        return f"{self.base_url}/{relative}" + (f"?{query}" if query else ""), None

    def _next_delay(self, attempt: int, retry_after: float | None) -> float | None:
        with self._lock:
            jitter = self._random.random()
        return self.policy.delay(attempt, retry_after, jitter)

    def _result(self, response: httpx.Response, url: str, what: str) -> Any:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        # Azure answers bad credentials with 203 and an HTML sign-in page instead of 401.
        if status == 203 or (200 <= status < 300 and "text/html" in content_type):
            raise SyncError(
                SyncError.AUTH,
                f"credentials rejected by {self.base_url} (sign-in page)",
                status=status,
                url=url,
            )
        if status >= 300:
            raise self._failure(response, url, what)
        if not response.content:
            return None
        try:
            return json.loads(response.content.decode("utf-8-sig"))
        except RecursionError:
            raise SyncError(
                SyncError.REMOTE, f"{url}: the answer is nested too deeply", status=status, url=url
            ) from None
        except ValueError:
            raise SyncError(
                SyncError.REMOTE, f"{url}: the answer is not JSON", status=status, url=url
            ) from None

    def _failure(self, response: httpx.Response, url: str, what: str) -> SyncError:
        status = response.status_code
        detail = _error_text(response)
        suffix = f": {detail}" if detail else ""
        if status == 403 and (
            response.headers.get("X-RateLimit-Remaining") == "0"
            or "Retry-After" in response.headers
        ):
            # GitHub answers a used-up (primary or secondary) rate limit with 403, not 429.
            reset = response.headers.get("X-RateLimit-Reset", "")
            until = ""
            if reset.isdigit():
                until = f" until {dt.datetime.fromtimestamp(int(reset), dt.UTC):%Y-%m-%d %H:%M} UTC"
            return SyncError(
                SyncError.RATE_LIMITED,
                f"{self.base_url} rate limit used up{until} (HTTP 403){suffix}",
                status=status,
                url=url,
            )
        if status in (401, 403):
            reason = response.headers.get("X-Authentication-Denied-Reason") or response.headers.get(
                "X-Seraph-LoginReason"
            )
            extra = f" ({reason})" if reason else ""
            return SyncError(
                SyncError.AUTH,
                f"credentials rejected by {self.base_url} (HTTP {status}){extra}",
                status=status,
                url=url,
            )
        if status == 404:
            return SyncError(
                SyncError.REMOTE,
                f"not found: {what or url} (HTTP 404){suffix}",
                status=status,
                url=url,
            )
        if status == 429 or (status == 503 and "Retry-After" in response.headers):
            return SyncError(
                SyncError.RATE_LIMITED,
                f"{self.base_url} kept refusing requests (HTTP {status}, rate limited){suffix}",
                status=status,
                url=url,
            )
        if status == 409:
            return SyncError(SyncError.CONFLICT, f"{url}: HTTP 409{suffix}", status=status, url=url)
        if 300 <= status < 400:
            location = response.headers.get("location", "?")
            return SyncError(
                SyncError.REMOTE,
                f"{url}: redirected to {location}; check the URL",
                status=status,
                url=url,
            )
        return SyncError(SyncError.REMOTE, f"{url}: HTTP {status}{suffix}", status=status, url=url)
