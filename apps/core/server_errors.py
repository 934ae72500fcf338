"""Errors gunicorn answers itself, before Django sees the request, as JSON:API documents.

A request line over ``limit_request_line`` (414), headers over their limits (431) or a request
gunicorn cannot parse (400) never reach a view; gunicorn writes a small HTML page for them.
Every answer under /v3 is a JSON:API document, so when the application runs under gunicorn
its error writer is replaced by one that writes the same status with an error document.
"""

from __future__ import annotations

import json
import sys

from apps.core.errors import CODES, JSONAPI_MEDIA_TYPE, TITLES


def error_bytes(status: int, reason: str, message: str) -> bytes:
    document = {
        "errors": [
            {
                "status": str(status),
                "code": CODES.get(status, "FORBIDDEN_INPUT" if status < 500 else "ERROR"),
                "title": TITLES.get(status, reason),
                "detail": message[:200] or reason,
            }
        ]
    }
    body = json.dumps(document).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {JSONAPI_MEDIA_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def install() -> bool:
    """Swaps gunicorn's error writer when this process runs under gunicorn; True if it did."""
    util = sys.modules.get("gunicorn.util")
    if util is None or getattr(util.write_error, "jsonapi", False):
        return False

    def write_error(sock, status_int, reason, mesg):
        util.write_nonblock(sock, error_bytes(int(status_int), str(reason), str(mesg)))

    write_error.jsonapi = True
    util.write_error = write_error
    return True
