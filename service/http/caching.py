"""The one response cache for every feed and API GET, and its HTTP semantics (SPEC 7).

Rendered bodies (identity and gzip, compressed once) are kept in a cachetools LRU
bounded by total bytes and by entries, keyed by the route, the validated canonical
parameters, the base of the body's links (http/hosts.py), the store's identity and the
data version. The data version is re-read at most every
TRENDFEED_VERSION_CHECK seconds; when it moves, the cache starts afresh. A second,
bounded map remembers which exact path and query string led to which canonical key, so
a repeated request is answered by the fast path (`fastpath.py`) before Flask,
validation or a query.

Conditional requests are decided by Werkzeug (`is_resource_modified`): strong ETags
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
from flask import Response, current_app, request
from werkzeug.http import http_date, is_resource_modified

from ..model import DataState
from ..observe import CACHE_KEY
from .encoding import accepts_gzip
from .hosts import link_base

GZIP_LEVEL = 6
ENTRY_OVERHEAD = 600  # bytes of bookkeeping per entry, counted against the byte budget
# The fast path answers only paths with these prefixes and leaves every other one to
# Flask untouched (/livez above all: liveness must never touch the store). `/` itself is
# cached too, but through Flask: as a prefix it would match every path.
CACHED_PREFIXES = ("/feeds", "/api/v1/papers", "/api/v1/snapshots", "/papers/")

@dataclass(frozen=True)
class CachedBody:
    body: bytes
    gzip_body: bytes
    etag: str
    gzip_etag: str
    content_type: str
    last_modified: str  # an HTTP date
    modified: dt.datetime  # the same, aware, for Werkzeug's comparison
    headers: tuple[tuple[str, str], ...] = ()
    route: str = ""  # the route template that rendered it (a metrics label)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip_body) + ENTRY_OVERHEAD


def make_entry(body: bytes, content_type: str, last_modified: dt.datetime,
               headers: tuple[tuple[str, str], ...] = (), route: str = "") -> CachedBody:
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
        modified=last_modified.replace(tzinfo=dt.UTC, microsecond=0),
        headers=headers,
        route=route,
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
    version: tuple[int, int]  # (store identity, data version): what cache keys name
    modified: dt.datetime  # the latest snapshot's ingest time (the data's Last-Modified)
    checked_at: float = field(default=0.0)


class ResponseCache:
    """Thread-safe; one per app (so one per worker process)."""

    def __init__(self, *, read_version: Callable[[], DataState],
                 check_interval: float, max_bytes: int, max_entries: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read_version = read_version
        self._check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._rereading = threading.Lock()  # held by the one caller re-reading the version
        self._generation = 0  # moved by invalidate(): a read begun before it is not kept
        self.stats = CacheStats()
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._bodies, self._aliases = self._new_maps()
        self._data: DataVersion | None = None
        self._served: DataVersion | None = None  # the version the cached bodies belong to

    def _new_maps(self) -> tuple[_BoundedLRU, _BoundedLRU]:
        bodies = _BoundedLRU(self.max_bytes, self.max_entries, self.stats,
                             getsizeof=lambda entry: entry.size)
        # raw (version, path, query string) -> (entry key, size); bounded the same way
        aliases = _BoundedLRU(max(1, self.max_bytes // 8), self.max_entries * 4, CacheStats(),
                              getsizeof=lambda alias: alias[1])
        return bodies, aliases

    def data(self) -> DataVersion:
        """The current data version, re-read from the store at most every interval; while
        one caller re-reads it the others answer with the one it replaces (a hundred
        connections finding it due at once queued for the threads: a p99 of 0.75 s).
        Raises StoreError when the store cannot say."""
        now = self._clock()
        current = self._data
        if current is not None and now - current.checked_at < self._check_interval:
            return current
        if current is not None and not self._rereading.acquire(blocking=False):
            return current
        try:
            return self._reread(now)
        finally:
            if current is not None:
                self._rereading.release()

    def _reread(self, now: float) -> DataVersion:
        generation = self._generation
        state = self._read_version()
        version = (state.identity, state.version)
        with self._lock:
            if generation != self._generation:  # a write of this process during the read:
                return DataVersion(version, state.modified)  # it may predate it; keep none
            if self._served is None or self._served.version != version:
                if self._served is not None:
                    self.stats.resets += 1
                self._bodies, self._aliases = self._new_maps()  # not evictions: a new version
            self._data = self._served = DataVersion(version, state.modified, now)
            return self._data

    def last_served(self) -> DataVersion | None:
        """The cached bodies' version: served while the store is down (stale-if-error)."""
        return self._served

    def invalidate(self) -> None:
        """Re-read the version on the next request (this process just wrote)."""
        with self._lock:
            self._generation += 1
            self._data = None

    def by_alias(self, raw_key: Hashable) -> CachedBody | None:
        with self._lock:
            alias = self._aliases.get(raw_key)
            entry = self._bodies.get(alias[0]) if alias is not None else None
            if entry is not None:
                self.stats.hits += 1
            return entry

    def get_or_render(self, key: Hashable, raw_key: tuple[Any, ...] | None,
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
            size = sum(len(part) for part in raw_key if isinstance(part, str)) + 200
            with self._lock:
                self._aliases[raw_key] = (key, size)
        return entry

    def snapshot_stats(self) -> dict[str, int]:
        with self._lock:
            return {"hits": self.stats.hits, "misses": self.stats.misses,
                    "entries": len(self._bodies), "bytes": int(self._bodies.currsize),
                    "max_entries": self.max_entries, "max_bytes": self.max_bytes,
                    "evictions": self.stats.evictions, "resets": self.stats.resets}


# -- serving: one answer builder, used by the WSGI fast path and by the views -----------

def answer(entry: CachedBody, environ: dict[str, Any],
           cache_control: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status, headers, body) for a cached entry: 304 when the request's validators
    match (Werkzeug decides), else 200 with the identity or gzip body."""
    use_gzip = accepts_gzip(environ)
    etag = entry.gzip_etag if use_gzip else entry.etag
    headers = [("ETag", f'"{etag}"'), ("Cache-Control", cache_control),
               ("Vary", "Accept-Encoding")]
    if ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ) and \
            not is_resource_modified(environ, etag=etag, last_modified=entry.modified):
        return "304 Not Modified", headers, b""
    body = entry.gzip_body if use_gzip else entry.body
    headers += [("Content-Type", entry.content_type), ("Content-Length", str(len(body))),
                ("Last-Modified", entry.last_modified)]
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    headers += entry.headers
    return "200 OK", headers, body


def raw_key(version: tuple[int, int], base: str,
            environ: dict[str, Any]) -> tuple[tuple[int, int], str, str, str]:
    return (version, base, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))


def request_base() -> str:
    """The base URL of this request's absolute links (SPEC 8)."""
    return link_base(request.environ, current_app.extensions["trendfeed.bases"])


def cache() -> ResponseCache:
    found: ResponseCache = current_app.extensions["trendfeed.cache"]
    return found


Rendered = tuple[bytes, str] | tuple[bytes, str, tuple[tuple[str, str], ...]]


def cached(key: Hashable, render: Callable[[], Rendered]) -> Response:
    """The view's answer for its canonical `key`: from the cache, else rendered once.

    `render` returns (body, content type) or (body, content type, extra headers). The
    request's exact path and query string are remembered as an alias of `key`, for the
    fast path.
    """
    responses = cache()
    data = responses.data()
    route = request.url_rule.rule if request.url_rule is not None else ""
    request.environ[CACHE_KEY] = "hit"

    def build() -> CachedBody:
        request.environ[CACHE_KEY] = "miss"
        # Every read of the render, its Last-Modified included, sees one state of the
        # store: a body never mixes two ingests (a feed's items with the next list's
        # date), so one state gives one body and one ETag.
        store = current_app.extensions["trendfeed"].store
        with store.consistent():
            modified = store.data_state().modified
            body, content_type, *extra = render()
        return make_entry(body, content_type, modified, extra[0] if extra else (), route)

    base = request_base()
    entry = responses.get_or_render((data.version, base, request.endpoint, key),
                                    raw_key(data.version, base, request.environ), build)
    status, headers, body = answer(entry, request.environ,
                                   current_app.extensions["trendfeed"].config.cache_control)
    response = Response(body, status=status, headers=headers)
    if response.status_code == 304:
        del response.headers["Content-Type"]
    return response


def json_body(value: Any, headers: tuple[tuple[str, str], ...] = ()) -> Rendered:
    return current_app.json.dumps(value).encode() + b"\n", "application/json", headers
