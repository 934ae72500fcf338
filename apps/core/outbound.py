"""Every request the server makes to a URL a client typed in (iCal feeds, webhooks).

It refuses addresses a client must not be able to reach through us (SSRF): loopback, private,
link-local, multicast, reserved and unspecified ranges, IPv4 and IPv6, checked after resolving
the name (every address it resolves to) and again for each redirect. Only http/https on
standard or configured ports. Bodies stream with a size cap; connect and read time out.
``OUTBOUND_ALLOW_PRIVATE_NETWORKS=true`` (development and tests) lifts the address check.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

USER_AGENT = "HolidayparkAPI/1.0 (+https://github.com/holidaypark-api; calendar and webhook client)"


class OutboundRefused(Exception):
    """The URL may not be fetched (scheme, port or address); ``str()`` says why."""


class OutboundFailed(Exception):
    """The fetch was allowed but did not work (timeout, connection, size, redirects)."""


@dataclass
class OutboundResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    elapsed_ms: int
    redirects: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building a TLS context reads the CA bundle; once per process, not once per request.
    return ssl.create_default_context()


def _allowed_ports() -> set[int]:
    return {80, 443, *settings.OUTBOUND_ALLOWED_PORTS}


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_url(url: str) -> tuple[str, int]:
    """Raises OutboundRefused unless ``url`` may be fetched; returns (host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"Not a valid URL: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused("Only http and https URLs can be fetched.")
    if not parts.hostname:
        raise OutboundRefused("The URL has no host.")
    if parts.username or parts.password:
        raise OutboundRefused("URLs with credentials in them are not accepted.")
    port = port or (443 if parts.scheme == "https" else 80)
    if settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS:
        return parts.hostname, port
    if port not in _allowed_ports():
        raise OutboundRefused(f"Port {port} is not allowed; use 80 or 443.")
    for address in _resolve(parts.hostname, port):
        if not _is_public(address):
            raise OutboundRefused(
                f"{parts.hostname} resolves to {address}, a private or reserved address."
            )
    return parts.hostname, port


def _resolve(host: str, port: int) -> list:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OutboundRefused(f"The host {host} cannot be resolved ({exc.strerror}).") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    content: bytes | None = None,
    timeout: float = 10.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 0,
) -> OutboundResponse:
    """One outbound request, following at most ``max_redirects`` redirects (each checked).

    Raises OutboundRefused for a forbidden target and OutboundFailed for anything that went
    wrong on the way (timeouts, refused connections, oversized bodies, too many redirects).
    """
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    redirects: list[str] = []
    limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    started = time.monotonic()
    with httpx.Client(
        timeout=limits, follow_redirects=False, trust_env=False, verify=_tls()
    ) as client:
        for _ in range(max_redirects + 1):
            check_url(url)
            try:
                with client.stream(method, url, headers=sent_headers, content=content) as response:
                    location = response.headers.get("Location")
                    if response.is_redirect and location and max_redirects > 0:
                        redirects.append(url)
                        url = urljoin(url, location)
                        continue
                    body = _read(response, max_bytes)
                    elapsed_ms = int((time.monotonic() - started) * 1000)
                    return OutboundResponse(
                        response.status_code, response.headers, body, url, elapsed_ms, redirects
                    )
            except httpx.TimeoutException:
                raise OutboundFailed(f"No answer within {timeout:g} seconds.") from None
            except httpx.TransportError as exc:
                raise OutboundFailed(f"Could not connect: {exc}.") from None
    raise OutboundFailed(f"More than {max_redirects} redirects.")


def _read(response: httpx.Response, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise OutboundFailed(f"The response is larger than {max_bytes // 1024} KB.")
        chunks.append(chunk)
    return b"".join(chunks)
