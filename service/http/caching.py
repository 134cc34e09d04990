"""The one response cache for every feed and API GET, and its HTTP semantics (SPEC 7).

Rendered bodies (identity and gzip, compressed once) are kept in a cachetools LRU
bounded by total bytes and by entries, keyed by the route, the validated canonical
parameters and the data version. The data version is re-read at most every
TRENDFEED_VERSION_CHECK seconds; when it moves, the cache starts afresh. A second,
small map remembers which raw query string led to which canonical key, so a repeated
request is answered before any validation or query runs.

Conditional requests go through Werkzeug (`Response.make_conditional`): strong ETags
from the body, Last-Modified from the data, 304 for If-None-Match (lists, W/, *) and
If-Modified-Since (ignored when If-None-Match is present).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from flask import Flask, Response, current_app, g, request
from werkzeug.http import http_date

GZIP_LEVEL = 6
ENTRY_OVERHEAD = 600  # bytes of bookkeeping per entry, counted against the byte budget

# The query parameters each cached endpoint reads; others never reach a key.
CACHED_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "feeds.trending": ("q", "limit", "scope"),
    "feeds.keyword": ("limit", "scope"),
    "feeds.opml": ("q",),
    "api.papers": ("q", "scope", "sort", "limit", "cursor"),
    "api.paper": (),
    "api.snapshots": ("limit", "cursor"),
    "api.snapshot": (),
}


@dataclass(frozen=True)
class CachedBody:
    body: bytes
    gzip_body: bytes
    etag: str
    gzip_etag: str
    content_type: str
    last_modified: str  # an HTTP date
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip_body) + ENTRY_OVERHEAD


def make_entry(body: bytes, content_type: str, last_modified: dt.datetime,
               headers: tuple[tuple[str, str], ...] = ()) -> CachedBody:
    """Everything a response needs, computed once: the same bytes give the same ETags on
    every worker and host (gzip without a timestamp)."""
    digest = hashlib.sha256(body).hexdigest()[:32]
    return CachedBody(
        body=body,
        gzip_body=gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
        etag=digest,
        gzip_etag=f"{digest}-gz",
        content_type=content_type,
        last_modified=http_date(last_modified.replace(tzinfo=dt.UTC)),
        headers=headers,
    )


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    resets: int = 0


class _BoundedLRU(LRUCache):  # type: ignore[type-arg]
    """An LRU bounded by the sum of its values' sizes and by the number of entries."""

    def __init__(self, max_bytes: int, max_entries: int, stats: CacheStats,
                 getsizeof: Callable[[Any], int]) -> None:
        super().__init__(maxsize=max_bytes, getsizeof=getsizeof)
        self.max_entries = max_entries
        self.stats = stats

    def __setitem__(self, key: Any, value: Any, **kwargs: Any) -> None:
        while len(self) >= self.max_entries and key not in self:
            self.popitem()
        super().__setitem__(key, value, **kwargs)

    def popitem(self) -> tuple[Any, Any]:
        self.stats.evictions += 1
        return super().popitem()  # type: ignore[no-any-return]


@dataclass
class DataVersion:
    version: int
    modified: dt.datetime  # the latest snapshot's ingest time (the data's Last-Modified)
    checked_at: float = field(default=0.0)


class ResponseCache:
    """Thread-safe; one per app (so one per worker process)."""

    def __init__(self, *, read_version: Callable[[], tuple[int, dt.datetime]],
                 check_interval: float, max_bytes: int, max_entries: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read_version = read_version
        self._check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self.stats = CacheStats()
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._bodies = _BoundedLRU(max_bytes, max_entries, self.stats,
                                   getsizeof=lambda entry: entry.size)
        self._aliases = _BoundedLRU(max_entries * 4, max_entries * 4, CacheStats(),
                                    getsizeof=lambda _: 1)
        self._data: DataVersion | None = None

    # -- the data version ---------------------------------------------------------

    def data(self) -> DataVersion:
        """The current data version, re-read from the store at most every interval."""
        now = self._clock()
        current = self._data
        if current is not None and now - current.checked_at < self._check_interval:
            return current
        version, modified = self._read_version()
        with self._lock:
            if self._data is None or self._data.version != version:
                if self._data is not None:
                    self.stats.resets += 1
                self._bodies.clear()
                self._aliases.clear()
            self._data = DataVersion(version, modified, now)
            return self._data

    def invalidate(self) -> None:
        """Re-read the version on the next request (this process just wrote)."""
        self._data = None

    # -- entries --------------------------------------------------------------------

    def by_alias(self, raw_key: Hashable) -> CachedBody | None:
        with self._lock:
            key = self._aliases.get(raw_key)
            entry = self._bodies.get(key) if key is not None else None
            if entry is not None:
                self.stats.hits += 1
            return entry

    def get_or_render(self, key: Hashable, raw_key: Hashable | None,
                      render: Callable[[], CachedBody]) -> CachedBody:
        with self._lock:
            entry = self._bodies.get(key)
        if entry is None:
            entry = render()  # outside the lock: rendering may take milliseconds
            with self._lock:
                self.stats.misses += 1
                if entry.size <= self.max_bytes:
                    self._bodies[key] = entry
        else:
            with self._lock:
                self.stats.hits += 1
        if raw_key is not None:
            with self._lock:
                self._aliases[raw_key] = key
        return entry

    def snapshot_stats(self) -> dict[str, int]:
        with self._lock:
            return {"hits": self.stats.hits, "misses": self.stats.misses,
                    "entries": len(self._bodies), "bytes": int(self._bodies.currsize),
                    "max_entries": self.max_entries, "max_bytes": self.max_bytes,
                    "evictions": self.stats.evictions, "resets": self.stats.resets}


# -- Flask integration ----------------------------------------------------------------


def cache() -> ResponseCache:
    found: ResponseCache = current_app.extensions["trendfeed.cache"]
    return found


def _raw_key(version: int) -> Hashable | None:
    names = CACHED_ENDPOINTS.get(request.endpoint or "")
    if names is None:
        return None
    args = request.args
    return (version, request.path, tuple(tuple(args.getlist(n)) for n in names))


def serve_from_cache() -> Response | None:
    """before_request: answer a request seen before without running the view."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return None
    responses = cache()
    data = responses.data()
    raw_key = _raw_key(data.version)
    g.trendfeed_cache = (data, raw_key)
    entry = responses.by_alias(raw_key)
    return respond(entry) if entry is not None else None


Rendered = tuple[bytes, str] | tuple[bytes, str, tuple[tuple[str, str], ...]]


def cached(key: Hashable, render: Callable[[], Rendered]) -> Response:
    """The view's answer for its canonical `key`: from the cache, else rendered once.

    `render` returns (body, content type) or (body, content type, extra headers).
    """
    responses = cache()
    data, raw_key = g.get("trendfeed_cache") or (responses.data(), None)

    def build() -> CachedBody:
        body, content_type, *extra = render()
        return make_entry(body, content_type, data.modified, extra[0] if extra else ())

    entry = responses.get_or_render((data.version, request.endpoint, key), raw_key, build)
    return respond(entry)


def json_body(value: Any, headers: tuple[tuple[str, str], ...] = ()) -> Rendered:
    return current_app.json.dumps(value).encode() + b"\n", "application/json", headers


def respond(entry: CachedBody) -> Response:
    """A 200 (identity or gzip, by Accept-Encoding) or a 304, with the cache headers."""
    config = current_app.extensions["trendfeed"].config
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "") and \
        request.accept_encodings["gzip"] > 0
    response = Response(entry.gzip_body if use_gzip else entry.body,
                        content_type=entry.content_type)
    headers = response.headers
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    headers["ETag"] = f'"{entry.gzip_etag if use_gzip else entry.etag}"'
    headers["Last-Modified"] = entry.last_modified
    headers["Cache-Control"] = config.cache_control
    headers["Vary"] = "Accept-Encoding"
    for name, value in entry.headers:
        headers[name] = value
    if "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in request.environ:
        response.make_conditional(request)
        if response.status_code == 304:
            del headers["Content-Encoding"]
        del headers["Date"]  # the HTTP server adds its own; two would be one too many
    return response


def install(app: Flask, responses: ResponseCache) -> None:
    app.extensions["trendfeed.cache"] = responses
    app.before_request(serve_from_cache)
