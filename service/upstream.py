"""Reading the upstream source: one conditional GET under one deadline for the whole
attempt (connect, headers and body together), with a body cap, validators that can
always be sent back, and the source's own clock (its Date header) for the refresher to
check its own against.

httpx's timeouts are per operation: a server that sends one byte a second never trips
a read timeout, and would hold an attempt (and the refresher's election) for as long as
it likes. Here every socket operation's timeout is cut to what is left of the attempt's
deadline, through a network backend handed to httpcore's connection pool, so the
deadline holds while the status line and headers arrive as well as the body.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from .health import MAX_RETRY_AFTER

FETCH_TIMEOUT = 20.0  # seconds, for any one socket operation
ATTEMPT_DEADLINE = 60.0  # seconds, for the whole fetch
# What can be sent back as If-None-Match / If-Modified-Since: printable ASCII, bounded.
# (httpx encodes header values as ASCII: a stored ETag with one byte over 0x7F made
# every later attempt raise UnicodeEncodeError, on every instance, forever.)
_SENDABLE = re.compile(r"[\x20-\x7e]{1,1024}")


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    server_date: dt.datetime | None = None  # the source's clock, naive UTC


class FetchError(Exception):
    """The source could not be read; `retry_after` when the upstream said how long,
    `server_date` when it answered with its clock."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None,
                 server_date: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after
        self.server_date = server_date


def sendable(value: str | None) -> str | None:
    """`value` when it can be sent back as a header; else None (forgotten: the next GET
    is unconditional, which costs bandwidth, never correctness)."""
    return value if value and _SENDABLE.fullmatch(value) else None


def _http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None)


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    when = _http_date(value)
    if when is None:
        return None
    return min(max((when - now).total_seconds(), 0.0), MAX_RETRY_AFTER)


def server_date(headers: httpx.Headers) -> dt.datetime | None:
    """When the source made this answer: Date, plus Age when a cache on the way held it."""
    when = _http_date(headers.get("Date"))
    age = headers.get("Age", "").strip()
    if when is not None and age.isascii() and age.isdigit() and len(age) < 10:
        when += dt.timedelta(seconds=int(age))
    return when


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() >= self.end

    def cut(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise error("the attempt's deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.cut(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname,
                                        self._deadline.cut(timeout, httpcore.ConnectTimeout))
        return _Stream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, deadline: _Deadline) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port,
                                           self._deadline.cut(timeout, httpcore.ConnectTimeout),
                                           local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, self._deadline.cut(timeout, httpcore.ConnectTimeout), socket_options)
        return _Stream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _Transport(httpx.HTTPTransport):
    def __init__(self, deadline: _Deadline, proxy: httpx.Proxy | None) -> None:
        super().__init__()
        # httpx takes no network backend; its pool is httpcore's public ConnectionPool
        # (or HTTPProxy), made again here with one: what HTTPTransport(proxy=proxy)
        # makes, but for the backend. tests/test_refresher_faults.py's trickling
        # upstream, direct and through a proxy, fails if this stops working.
        backend, context = _Backend(deadline), httpx.create_ssl_context()
        if proxy is None:
            self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=backend)
            return
        self._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(scheme=proxy.url.raw_scheme, host=proxy.url.raw_host,
                                   port=proxy.url.port, target=proxy.url.raw_path),
            proxy_auth=proxy.raw_auth, proxy_headers=proxy.headers.raw, ssl_context=context,
            proxy_ssl_context=proxy.ssl_context, network_backend=backend)


def environment_proxy(url: str) -> httpx.Proxy | None:
    """The proxy the environment names for `url` (`HTTPS_PROXY`, `HTTP_PROXY`,
    `ALL_PROXY`, either case, and `NO_PROXY`), as httpx would use it were its transport
    not ours; None to connect directly. An http(s) proxy only: httpx's SOCKS support
    needs an extra package this service does not install."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    found = proxies.get(parts.scheme) or proxies.get("all")
    if not found or not parts.hostname or urllib.request.proxy_bypass_environment(
            parts.hostname, proxies):
        return None
    try:  # (the messages never repeat the setting: it may hold a password)
        proxy = httpx.Proxy(found if "://" in found else f"http://{found}")
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError("network", f"the environment's proxy for {parts.scheme} URLs is "
                         "not an http:// or https:// URL") from None
    if proxy.url.scheme not in ("http", "https"):
        raise FetchError("network", f"the environment's proxy for {parts.scheme} URLs is "
                         f"a {proxy.url.scheme} proxy; only http and https proxies are "
                         "supported")
    return proxy


def fetch_source(url: str, etag: str | None, last_modified: str | None, *, timeout: float,
                 deadline: float = ATTEMPT_DEADLINE, max_bytes: int,
                 now: dt.datetime) -> Fetched:
    """GET the source, conditionally when given validators, all of it within `deadline`
    seconds. Raises FetchError for anything but 200, and 304 to a conditional request."""
    headers = {"User-Agent": "trendfeed (refresher)", "Accept": "application/json, text/plain"}
    etag, last_modified = sendable(etag), sendable(last_modified)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    limit = _Deadline(deadline)
    date = None
    try:
        transport = _Transport(limit, environment_proxy(url))
        with httpx.Client(transport=transport, timeout=min(timeout, deadline),
                          follow_redirects=True) as client, \
                client.stream("GET", url, headers=headers) as response:
            date = server_date(response.headers)
            if response.status_code == 304:
                if not (etag or last_modified):  # nothing was asked: not an answer
                    raise FetchError("http", "the source answered 304 Not Modified to a "
                                     "request that sent no validators", server_date=date)
                return Fetched(304, etag=etag, last_modified=last_modified, server_date=date)
            if response.status_code != 200:
                wait = retry_after_seconds(response.headers.get("Retry-After"), date or now)
                raise FetchError("http", f"the source answered HTTP {response.status_code}",
                                 wait if response.status_code in (429, 503) else None, date)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too-large", f"the body is over {max_bytes} bytes",
                                     server_date=date)
                chunks.append(chunk)
            return Fetched(200, b"".join(chunks), sendable(response.headers.get("ETag")),
                           sendable(response.headers.get("Last-Modified")), date)
    except httpx.TimeoutException:
        if limit.passed():
            raise FetchError("timeout", f"the whole fetch took over its {deadline:g} s "
                             "deadline", server_date=date) from None
        raise FetchError("timeout", f"no answer within {timeout:g} s",
                         server_date=date) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise FetchError("network", f"cannot fetch: {exc}", server_date=date) from None
