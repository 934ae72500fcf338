"""What gunicorn answers before Django sees a request is a JSON:API document too."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.jsonapi import MEDIA_TYPE, assert_valid_document

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raw_request(port: int, request: bytes) -> tuple[int, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_overlong_request_line_is_a_jsonapi_414(server):
    path = "/v3/administrations?filter[name]=" + "x" * 6000

    status, headers, body = raw_request(server, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())

    assert status == 414
    assert headers["Content-Type"] == MEDIA_TYPE
    document = json.loads(body)
    assert_valid_document(document)
    assert document["errors"][0]["code"] == "URI_TOO_LONG"


def test_oversized_headers_are_a_jsonapi_431(server):
    request = b"GET /v3/administrations HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"

    status, headers, body = raw_request(server, request)

    assert status == 431
    assert headers["Content-Type"] == MEDIA_TYPE
    document = json.loads(body)
    assert_valid_document(document)
    assert document["errors"][0]["code"] == "HEADERS_TOO_LARGE"


def test_an_unparsable_request_is_a_jsonapi_400(server):
    status, headers, body = raw_request(server, b"GET /v3 HTTP/9\r\nHost: x\r\n\r\n")

    assert status == 400
    assert headers["Content-Type"] == MEDIA_TYPE
    assert_valid_document(json.loads(body))
