"""Every request the server makes to a URL a client typed in (iCal feeds, webhooks).

It refuses addresses a client must not be able to reach through us (SSRF): loopback, private,
link-local, multicast, reserved and unspecified ranges, IPv4 and IPv6, and the IPv6 ranges that
carry an IPv4 address inside them (6to4, NAT64, Teredo, IPv4-compatible and -translated; an
IPv4-mapped address is judged by its IPv4 address). The name is resolved once per hop, every
address it resolves to is checked, and the connection goes to a checked address (no second
lookup an attacker's DNS could answer differently); the URL keeps its host name, so TLS
verifies the certificate for it (SNI) and the ``Host`` header is unchanged. Only http/https on
standard or configured ports. One deadline covers the whole request (connect, TLS, every read
and write, every redirect). Bodies are decompressed by us, in bounded steps, and counted as they
grow: a compressed bomb stops at the cap. ``OUTBOUND_ALLOW_PRIVATE_NETWORKS=true`` (development
and tests) lifts only the address check.
"""

from __future__ import annotations

import functools
import io
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings

USER_AGENT = "HolidayparkAPI/1.0 (+https://github.com/holidaypark-api; calendar and webhook client)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges whose addresses stand for (or tunnel to) an IPv4 address: a request to one of them
# can end up at a private IPv4 host, so they are refused whole.
_EMBEDDING_IPV4 = [
    ipaddress.ip_network(network)
    for network in (
        "::/96",  # IPv4-compatible (deprecated)
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64, well-known prefix
        "64:ff9b:1::/48",  # NAT64, local use
        "2001::/32",  # Teredo
        "2002::/16",  # 6to4
    )
]


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


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``, in order) for ``host``:``port``."""

    host: str
    port: int
    addresses: tuple[Address, ...]


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building a TLS context reads the CA bundle; once per process, not once per request.
    return ssl.create_default_context()


def _allowed_ports() -> set[int]:
    return {80, 443, *settings.OUTBOUND_ALLOWED_PORTS}


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return _is_public(address.ipv4_mapped)
        if any(address in network for network in _EMBEDDING_IPV4):
            return False
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
    """Raises OutboundRefused unless ``url`` may be fetched; returns (host, port).

    For validating input: with private networks allowed it does not look the name up.
    """
    host, port, _ = _parse(url)
    if settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS:
        return host, port
    target = resolve_checked(url)
    return target.host, target.port


def resolve_checked(url: str) -> Target:
    """Resolves ``url``'s host once and checks it; the request connects only to the result."""
    host, port, display = _parse(url)
    addresses = _resolve(host, port)
    if not settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS:
        for address in addresses:
            if not _is_public(address):
                raise OutboundRefused(
                    f"{display} resolves to {address}, a private or reserved address."
                )
    return Target(host, port, tuple(addresses))


def _parse(url: str) -> tuple[str, int, str]:
    """(host as it goes on the wire, port, host as written), or OutboundRefused."""
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
    if not settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS and port not in _allowed_ports():
        raise OutboundRefused(f"Port {port} is not allowed; use 80 or 443.")
    try:
        host = httpx.URL(url).raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise OutboundRefused(f"Not a valid URL: {exc}.") from None
    return host, port, parts.hostname


def _resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutboundRefused(f"The host {host} cannot be resolved ({reason}).") from None
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundRefused(f"The host {host} cannot be resolved (no addresses).")
    return addresses


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self, timeout: float | None, error: type[Exception]) -> float:
        """The time an operation may take: its own timeout, never past the deadline."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise error(f"deadline of {self.seconds:g} s passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline):
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        stream = self._stream.start_tls(
            ssl_context, server_hostname, self._deadline.left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.SyncBackend):
    """Connects a host name only to the addresses it was checked with, by the deadline."""

    def __init__(self, deadline: _Deadline):
        self.deadline = deadline
        self.targets: dict[tuple[str, int], Target] = {}

    def pin(self, target: Target) -> None:
        self.targets[(target.host, target.port)] = target

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        target = self.targets.get((host, port))
        if target is None:  # never happens: every hop is checked and pinned first
            raise httpcore.ConnectError(f"{host}:{port} was not checked")
        error: Exception | None = None
        for address in target.addresses:
            try:
                stream = super().connect_tcp(
                    str(address),
                    port,
                    self.deadline.left(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self.deadline)
        raise error or httpcore.ConnectError(f"{host} has no address")


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _PinnedBackend):
        super().__init__(verify=_tls(), trust_env=False, retries=0)
        # httpx builds its connection pool without a way to pass a network backend; this pool
        # is the one it would build (same TLS context, HTTP/1.1), connecting through ``backend``.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_tls(), http1=True, http2=False, retries=0, network_backend=backend
        )


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

    ``timeout`` is one deadline for everything (connect, TLS, every read, every redirect), not
    a limit per read. Raises OutboundRefused for a forbidden target and OutboundFailed for
    anything that went wrong on the way (timeouts, refused connections, oversized bodies,
    too many redirects).
    """
    sent_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **(headers or {})}
    redirects: list[str] = []
    deadline = _Deadline(timeout)
    backend = _PinnedBackend(deadline)
    limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    started = time.monotonic()
    with httpx.Client(
        transport=_PinnedTransport(backend), timeout=limits, follow_redirects=False
    ) as client:
        for _ in range(max_redirects + 1):
            backend.pin(resolve_checked(url))
            try:
                with client.stream(method, url, headers=sent_headers, content=content) as response:
                    location = response.headers.get("Location")
                    if response.is_redirect and location and max_redirects > 0:
                        redirects.append(url)
                        url = urljoin(url, location)
                        continue
                    body = _read(response, max_bytes, deadline)
                    elapsed_ms = int((time.monotonic() - started) * 1000)
                    return OutboundResponse(
                        response.status_code, response.headers, body, url, elapsed_ms, redirects
                    )
            except httpx.TimeoutException:
                raise OutboundFailed(f"No answer within {timeout:g} seconds.") from None
            except httpx.TransportError as exc:
                raise OutboundFailed(f"Could not connect: {exc}.") from None
    raise OutboundFailed(f"More than {max_redirects} redirects.")


def _decoder(response: httpx.Response):
    """A zlib decompressor for the response's Content-Encoding, or None for identity."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise OutboundFailed(f"The response uses an unsupported Content-Encoding ({encoding}).")


def _read(response: httpx.Response, max_bytes: int, deadline: _Deadline) -> bytes:
    """The body, decompressed in steps that never yield more than the bytes left under the
    cap, counted as it grows: at most ``max_bytes`` (+1) are ever held."""
    decoder = _decoder(response)
    body = io.BytesIO()

    def keep(data: bytes) -> None:
        if body.tell() + len(data) > max_bytes:
            raise OutboundFailed(f"The response is larger than {max_bytes // 1024} KB.")
        body.write(data)

    try:
        for chunk in response.iter_raw():
            if time.monotonic() > deadline.at:
                raise OutboundFailed(f"No answer within {deadline.seconds:g} seconds.")
            if decoder is None:
                keep(chunk)
                continue
            while chunk:
                keep(decoder.decompress(chunk, max_bytes - body.tell() + 1))
                chunk = decoder.unconsumed_tail
        if decoder is not None:
            keep(decoder.flush())
    except zlib.error as exc:
        raise OutboundFailed(f"The response could not be decompressed: {exc}.") from None
    return body.getvalue()
