"""httpx's transport interface on the standard library's ``http.client``.

httpx stays the client (requests, responses, headers, content decoding, timeouts and its
exceptions); only the wire is done by ``http.client``, which costs about a third of the CPU time
of httpcore and h11 per request. That matters for a delivery-tool pull of 18,000 small requests
(one ``build/changes`` per Azure Pipelines deployment), which is bound by the client's CPU.

What this transport does itself, and no more:
- a pool of idle keep-alive connections per origin, at most ``max_connections`` in use at once;
- TLS through :func:`httpx.create_ssl_context`, so certificates are verified exactly as with
  httpx's own transport (``trust_env`` as given);
- one new try on a fresh connection when a reused keep-alive connection turns out closed by the
  server before any answer came (as httpcore does), never otherwise;
- errors mapped to httpx's exception classes (``ConnectError``, ``ConnectTimeout``,
  ``ReadTimeout``, ``WriteError``, ``RemoteProtocolError``, ``PoolTimeout``).
No proxies: the clients that use it are made with ``trust_env=False`` and none.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import socket
import ssl
import threading
from typing import Any, Final

import httpx

__all__ = ["NoCookies", "StdlibTransport"]

#: The failures of a reused connection that mean the server closed it while it was idle.
_STALE: Final = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)

Origin = tuple[str, str, int]


class NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing and sends nothing.

    The trackers and delivery tools are asked with a token on every request; a cookie a server
    sets (a session, a load balancer's) would only be carried from request to request, and
    keeping it costs httpx a cookie-policy walk per answer.
    """

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def add_cookie_header(self, request: Any) -> None:
        return None


class StdlibTransport(httpx.BaseTransport):
    """A keep-alive connection pool on ``http.client`` behind httpx's transport interface.

    Args:
        verify: As httpx's ``verify``: True (the default CA bundle), a CA file or an SSL context.
        trust_env: Whether ``SSL_CERT_FILE``/``SSL_CERT_DIR`` may choose the CA bundle.
        max_connections: Requests in flight at once; a further one waits up to the pool timeout.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = False,
        max_connections: int = 8,
    ) -> None:
        self._ssl = httpx.create_ssl_context(verify=verify, trust_env=trust_env)
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole answer (httpx decodes its content encoding)."""
        timeouts = request.extensions.get("timeout", {})
        pool_timeout = timeouts.get("pool")
        if not self._slots.acquire(timeout=-1 if pool_timeout is None else pool_timeout):
            raise httpx.PoolTimeout("no free connection in time", request=request)
        try:
            return self._send(request, timeouts)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close every idle connection; the transport takes no more requests."""
        with self._lock:
            self._closed = True
            idle = [c for conns in self._idle.values() for c in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()

    def _send(self, request: httpx.Request, timeouts: dict[str, float | None]) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}", request=request)
        port = url.port or (443 if scheme == "https" else 80)
        origin: Origin = (scheme, url.host, port)
        target = url.raw_path.decode("ascii")
        body = request.read()
        headers = request.headers.raw
        method = request.method
        for fresh_try in (False, True):
            conn, reused = self._connection(origin, fresh=fresh_try, timeouts=timeouts)
            try:
                conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                conn.endheaders(body or None)
                answer = conn.getresponse()
                content = answer.read()
            except _STALE as exc:
                conn.close()
                if reused and not fresh_try:
                    continue  # the server closed the idle connection: once more, on a new one
                raise httpx.RemoteProtocolError(
                    f"the server closed the connection: {exc}", request=request
                ) from exc
            except TimeoutError as exc:
                conn.close()
                raise httpx.ReadTimeout(f"no answer in time: {exc}", request=request) from exc
            except http.client.HTTPException as exc:
                conn.close()
                raise httpx.RemoteProtocolError(
                    f"malformed answer: {exc!r}", request=request
                ) from exc
            except OSError as exc:
                conn.close()
                raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
            if answer.will_close:
                conn.close()
            else:
                self._release(origin, conn)
            return httpx.Response(
                answer.status,
                headers=answer.getheaders(),
                stream=httpx.ByteStream(content),
                request=request,
                extensions={
                    "http_version": b"HTTP/1.1" if answer.version == 11 else b"HTTP/1.0",
                    "reason_phrase": answer.reason.encode("ascii", "replace"),
                },
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(
        self, origin: Origin, *, fresh: bool, timeouts: dict[str, float | None]
    ) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection to ``origin`` (reused: True), or a new one, connected."""
        read_timeout = timeouts.get("read")
        if not fresh:
            with self._lock:
                idle = self._idle.get(origin)
                conn = idle.pop() if idle else None
            if conn is not None:
                if conn.sock is not None:
                    conn.sock.settimeout(read_timeout)
                return conn, True
        scheme, host, port = origin
        connect_timeout = timeouts.get("connect")
        new: http.client.HTTPConnection
        if scheme == "https":
            new = http.client.HTTPSConnection(
                host, port, timeout=connect_timeout, context=self._ssl
            )
        else:
            new = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        try:
            new.connect()
        except TimeoutError as exc:
            new.close()
            raise httpx.ConnectTimeout(f"no connection in time: {exc}") from exc
        except (OSError, ssl.SSLError) as exc:
            new.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        if new.sock is not None:
            new.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            new.sock.settimeout(read_timeout)
        return new, False

    def _release(self, origin: Origin, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed:
                self._idle.setdefault(origin, []).append(conn)
                return
        conn.close()
