"""The outbound guard against a hostile network: DNS that changes its answer, IPv6 ranges that
carry private IPv4 addresses, servers that trickle, compressed bombs, TLS to a pinned address.
Every server here is a real one on 127.0.0.1."""

import gzip
import socket
import ssl
import subprocess
import threading
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from apps.core import outbound

REAL_GETADDRINFO = socket.getaddrinfo


def answers(monkeypatch, name, *addresses):
    """A resolver for ``name`` that gives the next of ``addresses`` on each lookup (the last
    one again once they run out), like a rebinding attacker's DNS with a zero TTL."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        address = addresses[min(len(calls), len(addresses) - 1)]
        calls.append(address)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_the_connection_goes_to_the_checked_address(httpserver, monkeypatch):
    # First answer: a public address (passes the check); every later one: this machine.
    httpserver.expect_request("/secret").respond_with_data("internal data")
    calls = answers(monkeypatch, "rebind.example", "192.88.99.1", "127.0.0.1")
    url = f"http://rebind.example:{httpserver.port}/secret"

    with (
        override_settings(
            OUTBOUND_ALLOW_PRIVATE_NETWORKS=False, OUTBOUND_ALLOWED_PORTS=[httpserver.port]
        ),
        pytest.raises(outbound.OutboundFailed),
    ):
        outbound.request("GET", url, timeout=1)

    assert calls == ["192.88.99.1"]  # looked up once, never again to connect
    assert httpserver.log == []  # the private server was never reached


def test_a_pinned_name_keeps_its_host_header(httpserver, monkeypatch):
    httpserver.expect_request("/feed.ics").respond_with_data("ok")
    answers(monkeypatch, "feeds.example", "127.0.0.1", "10.9.9.9")

    response = outbound.request("GET", f"http://feeds.example:{httpserver.port}/feed.ics")

    assert response.text == "ok"
    assert httpserver.log[0][0].headers["Host"] == f"feeds.example:{httpserver.port}"


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
        "::ffff:10.0.0.1",  # IPv4-mapped 10.0.0.1
    ],
)
def test_ipv6_ranges_carrying_ipv4_are_refused(address, monkeypatch):
    answers(monkeypatch, "tunnel.example", address)
    with override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False):
        for url in (f"http://[{address}]/feed.ics", "http://tunnel.example/feed.ics"):
            with pytest.raises(outbound.OutboundRefused, match="private or reserved"):
                outbound.check_url(url)


def test_public_addresses_still_pass(monkeypatch):
    answers(monkeypatch, "public.example", "2a00:1450:4001:82f::200e")
    with override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False):
        assert outbound.check_url("http://public.example/x") == ("public.example", 80)
        assert outbound.check_url("http://[::ffff:8.8.8.8]/x")[1] == 80


class Server:
    """A real HTTP server on 127.0.0.1 whose handler is a function of the request handler."""

    def __init__(self, handle):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                handle(self, outer)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.done = threading.Event()
        self.sent = 0

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def trickle(handler, server, seconds=30):
    """Headers at once, then one byte a second: every read is quick, the whole is not."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/calendar")
    handler.send_header("Content-Length", str(seconds))
    handler.end_headers()
    try:
        for _ in range(seconds):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            server.sent += 1
            server.done.wait(1)
    except OSError:
        pass
    server.done.set()


def test_one_deadline_for_the_whole_request():
    with Server(lambda handler, server: trickle(handler, server)) as server:
        with pytest.raises(outbound.OutboundFailed, match="within 2 seconds"):
            outbound.request("GET", server.url, timeout=2)
        server.done.set()  # let the handler finish at once
    # It gave up while the server still had bytes to send (a per-read timeout never fires).
    assert server.sent < 30


def gzip_bomb(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(compressor.compress(zeros) for _ in range(megabytes)) + compressor.flush()


def test_a_gzip_bomb_stops_at_the_cap_without_inflating(httpserver):
    bomb = gzip_bomb(200)  # 200 MB of zeros in about 200 KB
    httpserver.expect_request("/bomb.ics").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/calendar"
    )
    tracemalloc.start()
    try:
        with pytest.raises(outbound.OutboundFailed, match="larger than 1024 KB"):
            outbound.request("GET", httpserver.url_for("/bomb.ics"), max_bytes=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Never more than the cap and the buffers around it in memory, not a 64 KB read inflated.
    assert peak < 32 * 1024 * 1024  # was 148 MB when each read was inflated whole


def test_compressed_feeds_are_read(httpserver):
    body = b"BEGIN:VCALENDAR\r\n" * 1000
    httpserver.expect_request("/feed.ics").respond_with_data(
        gzip.compress(body), headers={"Content-Encoding": "gzip"}
    )
    response = outbound.request("GET", httpserver.url_for("/feed.ics"))
    assert response.content == body
    assert httpserver.log[0][0].headers["Accept-Encoding"] == "gzip, deflate"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A CA and a certificate for feeds.example it signed (openssl, as an operator would)."""
    folder = tmp_path_factory.mktemp("tls")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
        "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=feeds.example",
        "-keyout", "site.key", "-out", "site.csr")  # fmt: skip
    (folder / "ext.cnf").write_text("subjectAltName=DNS:feeds.example\n")
    run("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "site.pem")  # fmt: skip
    return folder


def test_tls_to_a_pinned_address_verifies_the_name(tls_files, monkeypatch):
    from pytest_httpserver import HTTPServer

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tls_files / "site.pem", tls_files / "site.key")
    client_context = ssl.create_default_context(cafile=str(tls_files / "ca.pem"))
    monkeypatch.setattr(outbound, "_tls", lambda: client_context)
    answers(monkeypatch, "feeds.example", "127.0.0.1")
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=server_context)
    server.expect_request("/feed.ics").respond_with_data("over tls")
    server.start()
    try:
        response = outbound.request("GET", f"https://feeds.example:{server.port}/feed.ics")
        with pytest.raises(outbound.OutboundFailed, match="CERTIFICATE_VERIFY_FAILED"):
            outbound.request("GET", f"https://127.0.0.1:{server.port}/feed.ics")
    finally:
        server.clear()
        server.stop()

    assert response.text == "over tls"
