"""Requests that leave at the same moment, over a live server: how the calendar's guarantees
are proved under real concurrency (each request its own connection and transaction)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests


def race(key: str, calls: list[tuple[str, str, dict]]) -> list[requests.Response]:
    """Sends every ``(method, url, document)`` at once, authenticated with the API ``key``;
    the responses come back in the order of ``calls``."""
    headers = {
        "X-API-KEY": key,
        "Content-Type": "application/vnd.api+json",
        "Accept": "application/vnd.api+json",
    }
    start_line = threading.Barrier(len(calls))

    def send(call: tuple[str, str, dict]) -> requests.Response:
        method, url, document = call
        start_line.wait(timeout=30)
        return requests.request(method, url, json=document, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))
