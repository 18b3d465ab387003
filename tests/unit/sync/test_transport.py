"""The http.client transport under HttpClient, against real sockets: keep-alive, a connection the
server closed while idle, gzip, chunked answers, bodies, refusals, timeouts and TLS checks."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from relplan.errors import SyncError
from relplan.sync.http import HttpClient
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.transport import StdlibTransport

NO_RETRY = RetryPolicy(max_retries=0, base_delay_s=0.0, max_delay_s=0.0)


class Server(ThreadingHTTPServer):
    """Counts the connections it accepted and remembers what it was sent."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.connections = 0
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def get_request(self) -> tuple[socket.socket, Any]:
        self.connections += 1
        return super().get_request()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless an answer says otherwise
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(length))

    def _answer(self, body: bytes) -> None:
        self.server.seen.append((self.command, self.path, dict(self.headers.items()), body))
        payload = json.dumps({"path": self.path, "echo": body.decode()}).encode()
        if self.path.startswith("/gzip"):
            payload = gzip.compress(payload)
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
        elif self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (payload[:5], payload[5:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        elif self.path.startswith("/once"):  # keep-alive promised, then closed while idle
            self.send_response(200)
            self.close_connection = True
        elif self.path.startswith("/slow"):
            threading.Event().wait(0.5)
            self.send_response(200)
        elif self.path.startswith("/cookie"):
            self.send_response(200)
            self.send_header("Set-Cookie", "JSESSIONID=abc; Path=/")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


def test_requests_share_one_kept_alive_connection(server: Server) -> None:
    with HttpClient(_url(server), "Bearer t", policy=NO_RETRY) as http:
        for n in range(5):
            answer = http.get(f"api/{n}", params={"a": "b c"})
            assert answer == {"path": f"/api/{n}?a=b+c", "echo": ""}
    assert server.connections == 1
    method, path, headers, _ = server.seen[0]
    assert (method, path) == ("GET", "/api/0?a=b+c")
    assert headers["Authorization"] == "Bearer t"
    assert headers["Host"] == f"127.0.0.1:{server.server_address[1]}"


def test_a_connection_the_server_closed_while_idle_is_replaced_once(server: Server) -> None:
    with HttpClient(_url(server), "Bearer t", policy=NO_RETRY) as http:
        assert http.get("once/1")["path"] == "/once/1"
        # The kept connection is dead: the request goes again on a new one, not as a failure.
        assert http.get("once/2")["path"] == "/once/2"
        assert http.get("plain")["path"] == "/plain"
    assert [p for _, p, _, _ in server.seen] == ["/once/1", "/once/2", "/plain"]
    assert server.connections == 3


def test_gzip_and_chunked_answers_are_decoded(server: Server) -> None:
    with HttpClient(_url(server), "Bearer t", policy=NO_RETRY) as http:
        assert http.get("gzip/x") == {"path": "/gzip/x", "echo": ""}
        assert http.get("chunked/y") == {"path": "/chunked/y", "echo": ""}
        assert http.get("after") == {"path": "/after", "echo": ""}  # the stream stayed in step
    assert "gzip" in server.seen[0][2]["Accept-Encoding"]


def test_a_json_body_is_sent_with_its_length_and_type(server: Server) -> None:
    with HttpClient(_url(server), "Bearer t", policy=NO_RETRY) as http:
        answer = http.post("items", {"key": "PAY-1", "name": "Zahlung ü"})
    assert json.loads(answer["echo"]) == {"key": "PAY-1", "name": "Zahlung ü"}
    _, _, headers, body = server.seen[0]
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)


def test_a_refused_connection_is_a_network_error_naming_the_server() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    url = f"http://127.0.0.1:{port}"
    with HttpClient(url, "Bearer t", policy=NO_RETRY) as http, pytest.raises(SyncError) as caught:
        http.get("api")
    assert caught.value.kind == SyncError.NETWORK
    assert str(caught.value).startswith(f"cannot reach {url}: ")


def test_a_late_answer_is_a_timeout(server: Server) -> None:
    http = HttpClient(_url(server), "Bearer t", policy=NO_RETRY, timeout_s=0.1)
    with http, pytest.raises(SyncError) as caught:
        http.get("slow")
    assert caught.value.kind == SyncError.NETWORK
    assert "no answer in time (ReadTimeout)" in str(caught.value)


def test_the_pool_waits_for_a_free_connection(server: Server) -> None:
    transport = StdlibTransport(max_connections=1)
    with httpx.Client(transport=transport, timeout=httpx.Timeout(5.0, pool=0.05)) as client:
        slow = threading.Thread(target=lambda: client.get(f"{_url(server)}/slow"))
        slow.start()
        threading.Event().wait(0.1)
        with pytest.raises(httpx.PoolTimeout):
            client.get(f"{_url(server)}/x")
        slow.join()
        assert client.get(f"{_url(server)}/x").json()["path"] == "/x"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    cert, key = _self_signed(tmp_path)
    srv = Server(Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, cert
    srv.shutdown()
    srv.server_close()


def test_tls_certificates_are_verified(tls_server: tuple[Server, Path]) -> None:
    srv, cert = tls_server
    url = f"https://127.0.0.1:{srv.server_address[1]}"
    # An unknown issuer is refused before anything is sent.
    with HttpClient(url, "Bearer t", policy=NO_RETRY) as http, pytest.raises(SyncError) as caught:
        http.get("api")
    assert caught.value.kind == SyncError.NETWORK
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert srv.seen == []
    # Trusted, the same server answers over TLS.
    transport = StdlibTransport(verify=ssl.create_default_context(cafile=str(cert)))
    with httpx.Client(transport=transport) as client:
        assert client.get(f"{url}/api").json()["path"] == "/api"


def test_cookies_a_server_sets_are_never_sent_back(server: Server) -> None:
    with HttpClient(_url(server), "Bearer t", policy=NO_RETRY) as http:
        http.get("cookie")
        http.get("after")
    assert "Cookie" not in server.seen[1][2]
    assert server.seen[1][2]["Authorization"] == "Bearer t"  # the token alone says who asks
