"""Observability: the Prometheus metrics behind /metrics, one JSON log line per request
and per ingest or refresh outcome, and the request id.

Metrics are made once per process, on first use. Under `trendfeed serve` they are
prometheus_client's multiprocess values (files in the instance's private folder named
by PROMETHEUS_MULTIPROC_DIR), so one scrape of any worker sums every worker; without
that variable (tests, a plain `create_app()`) they live in this process's own registry.
Labels are closed sets: a route template (never a raw path, a `q` or an id), a method,
a status, an outcome.

Log lines go to the "trendfeed" logger (`trendfeed.request`, `trendfeed.ingest`,
`trendfeed.refresh`); `configure_logging()` gives it the JSON formatter on stderr.
Only a serving process calls it (`trendfeed serve`), so the CLI's own output stays as
it is. The request id is the client's `X-Request-ID` when it is a sane token, else 32
random hex digits; every response echoes it.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ParamSpec

from .sources import SourceError
from .store import StoreError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from flask import Flask

    from .model import IngestResult

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# What a request leaves in its WSGI environ for the request observer: the route
# template (set by Flask's routing or by the cache's fast path), whether the response
# came from the cache, and the request id.
ROUTE_KEY = "trendfeed.route"
CACHE_KEY = "trendfeed.cache"
REQUEST_ID_KEY = "trendfeed.request_id"
UNMATCHED = "<unmatched>"  # the route of a request no rule matched (404, 405)

INGEST_OUTCOMES = ("new", "unchanged", "rejected", "failed")
# The refresher's outcomes (service/refresher.py): the three successes, then the kinds
# of failure. Anything else is counted as "other" (and logged as it was given).
REFRESH_SUCCESSES = ("new", "unchanged", "not-modified")
REFRESH_OUTCOMES = (*REFRESH_SUCCESSES, "http", "timeout", "network", "too-large",
                    "invalid", "shrunk", "store", "other")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0, 10.0)
QUERY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                 0.25, 0.5, 1.0, 2.5)
STATEMENTS = frozenset({"select", "insert", "update", "delete"})

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

logger = logging.getLogger("trendfeed")
logger.addHandler(logging.NullHandler())  # a library's default: silent until configured
request_logger = logging.getLogger("trendfeed.request")
ingest_logger = logging.getLogger("trendfeed.ingest")
refresh_logger = logging.getLogger("trendfeed.refresh")


# -- metrics --------------------------------------------------------------------------

def multiprocess_dir() -> str | None:
    """The folder of the multiprocess metric files, when this process uses one."""
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """Every metric of the service, made once per process (see `metrics()`)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        # In multiprocess mode the values are written to files and read back by a
        # MultiProcessCollector at scrape time; registering them would export this
        # process's share a second time.
        self.registry = None if multiprocess_dir() else CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "trendfeed_requests", "HTTP requests answered, by route template and status.",
            ("route", "method", "status"), registry=registry)
        self.request_duration = Histogram(
            "trendfeed_request_duration_seconds",
            "Time in the application per request, until the body is ready.",
            ("route",), buckets=REQUEST_BUCKETS, registry=registry)
        self.cache_hits = Counter(
            "trendfeed_cache_hits", "Responses served from the response cache.",
            ("route",), registry=registry)
        self.cache_misses = Counter(
            "trendfeed_cache_misses", "Cacheable responses rendered because not cached.",
            ("route",), registry=registry)
        self.store_query_duration = Histogram(
            "trendfeed_store_query_duration_seconds",
            "Time of one SQL statement against the store, by statement kind.",
            ("statement",), buckets=QUERY_BUCKETS, registry=registry)
        self.ingests = Counter(
            "trendfeed_ingests", "Lists offered to the store, by outcome.",
            ("outcome",), registry=registry)
        self.refreshes = Counter(
            "trendfeed_refreshes", "Refresher attempts, by outcome (a success or the "
            "kind of failure).", ("outcome",), registry=registry)
        self.refresh_last_success = Gauge(
            "trendfeed_refresh_last_success_timestamp_seconds",
            "Unix time of the refresher's last successful attempt.",
            registry=registry, multiprocess_mode="max")
        for outcome in INGEST_OUTCOMES:  # every outcome is a series from the start
            self.ingests.labels(outcome)
        for outcome in REFRESH_OUTCOMES:
            self.refreshes.labels(outcome)
        # (route, method, status, cache) -> the children one request moves; labels()
        # takes a lock and builds a key, this is one dict lookup.
        self._per_request: dict[tuple[str, str, str, str], tuple[Any, Any, Any]] = {}

    def count_request(self, route: str, method: str, status: str, cache: str,
                      seconds: float) -> None:
        key = (route, method, status, cache)
        children = self._per_request.get(key)
        if children is None:
            cached = self.cache_hits if cache == "hit" else \
                self.cache_misses if cache == "miss" else None
            children = (self.requests.labels(route, method, status),
                        self.request_duration.labels(route),
                        cached.labels(route) if cached is not None else None)
            if len(self._per_request) < 10_000:  # closed label sets: never reached
                self._per_request[key] = children
        requests, duration, cached_child = children
        requests.inc()
        duration.observe(seconds)
        if cached_child is not None:
            cached_child.inc()


_metrics: Metrics | None = None
_metrics_lock = threading.Lock()


def metrics() -> Metrics:
    """This process's metrics, made on first use."""
    global _metrics
    if _metrics is None:
        with _metrics_lock:
            if _metrics is None:
                _metrics = Metrics()
    return _metrics


def use_multiprocess_dir(folder: str) -> None:
    """Record metrics as files in `folder`, in this process and every process started
    from it (gunicorn's workers, the refresher), which inherit the variable.

    prometheus_client chooses between in-memory and file-backed values once, when it is
    imported; a process that already counted something (`trendfeed serve` loads the
    sample list before serving) gets the choice made again and its metrics made anew.
    """
    os.environ[MULTIPROC_ENV] = folder
    _reset_metrics()


def stop_using_multiprocess_dir() -> None:
    os.environ.pop(MULTIPROC_ENV, None)
    _reset_metrics()


def _reset_metrics() -> None:
    global _metrics
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]
    with _metrics_lock:
        _metrics = None


def mark_process_dead(pid: int) -> None:
    """gunicorn's child_exit: drop a dead worker's live-gauge files."""
    from prometheus_client import multiprocess

    folder = multiprocess_dir()
    if folder:
        multiprocess.mark_process_dead(pid, folder)


def render() -> bytes:
    """The Prometheus text exposition (format 0.0.4) of every process's metrics."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    current = metrics()  # every series exists (at 0) before the first scrape
    folder = multiprocess_dir()
    if folder:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, folder)
        return generate_latest(registry)
    assert current.registry is not None
    return generate_latest(current.registry)


# -- log lines --------------------------------------------------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # made once: json.dumps
# with options builds a new encoder per call, which was most of a request line's cost


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, milliseconds), level, event (the log message),
    then the record's `fields` (a dict: `extra={"fields": {...}}`).

    A record may also carry `fields_json`, the same fields already encoded as a JSON
    object by a producer that knows their types (the request line: a few microseconds
    less per request than encoding the dict)."""

    _second = -1
    _second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        encoded: str | None = getattr(record, "fields_json", None)
        if encoded is not None and not record.exc_info:
            return (f'{{"ts": "{self._timestamp(record.created)}", "level": '
                    f'"{record.levelname.lower()}", "event": {_encode(record.getMessage())}, '
                    f'{encoded[1:]}')
        line: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return _encode(line)

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # one strftime per second, not per line
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}Z"


class _JsonStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    pass


def configure_logging(stream: Any = None) -> None:
    """Write the trendfeed log lines (level INFO and up) as JSON to stderr, once per
    process; they no longer propagate to the root logger, so nothing is written twice."""
    if any(isinstance(h, _JsonStderrHandler) for h in logger.handlers):
        return
    handler = _JsonStderrHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _log(target: logging.Logger, level: int, event: str, fields: dict[str, Any],
         fields_json: str | None = None) -> None:
    if target.isEnabledFor(level):
        # makeRecord + handle: logger.info would also walk the stack for the caller's
        # file and line, which no line here shows.
        record = target.makeRecord(target.name, level, "", 0, event, (), None)
        record.fields = fields
        record.fields_json = fields_json
        target.handle(record)


def record_ingest(outcome: str, reason: str, **fields: Any) -> None:
    """Count one ingest (`outcome`: new, unchanged, rejected or failed) and log it with
    its reason and `fields` (source, format, snapshot, ...)."""
    if outcome not in INGEST_OUTCOMES:
        raise ValueError(f"unknown ingest outcome {outcome!r}")
    metrics().ingests.labels(outcome).inc()
    level = logging.INFO if outcome in ("new", "unchanged") else logging.WARNING
    _log(ingest_logger, level, "ingest", {"outcome": outcome, "reason": reason, **fields})


def record_refresh(outcome: str, reason: str, **fields: Any) -> None:
    """Count one refresher attempt and log it with its reason and `fields`.

    `outcome` is a success ("new", "unchanged", "not-modified": the source is current;
    sets trendfeed_refresh_last_success_timestamp_seconds to now) or the kind of
    failure ("http", "timeout", "network", "too-large", "invalid", "shrunk", "store").
    Any other word is counted as "other" and logged as given. Never raises for an
    unknown outcome: a refresher must not stop over its own bookkeeping.
    """
    label = outcome if outcome in REFRESH_OUTCOMES else "other"
    current = metrics()
    current.refreshes.labels(label).inc()
    success = outcome in REFRESH_SUCCESSES
    if success:
        current.refresh_last_success.set(time.time())
    _log(refresh_logger, logging.INFO if success else logging.WARNING, "refresh",
         {"outcome": outcome, "reason": reason, **fields})


P = ParamSpec("P")


def records_ingest(func: Callable[P, IngestResult]) -> Callable[P, IngestResult]:
    """Decorate the ingest function: every call is counted and logged by outcome
    (SourceError: rejected; StoreError or anything else: failed)."""

    @functools.wraps(func)
    def ingest(*args: P.args, **kwargs: P.kwargs) -> IngestResult:
        where = {"source": kwargs.get("source"), "format": kwargs.get("format", "auto")}
        try:
            result = func(*args, **kwargs)
        except SourceError as exc:
            record_ingest("rejected", str(exc), **where)
            raise
        except StoreError as exc:
            record_ingest("failed", str(exc), **where)
            raise
        except Exception as exc:
            record_ingest("failed", f"{type(exc).__name__}: {exc}", **where)
            raise
        snapshot = result.snapshot
        record_ingest("unchanged" if result.unchanged else "new", result.summary(),
                      **where, snapshot=snapshot.id, papers=snapshot.paper_count,
                      new=0 if result.unchanged else snapshot.new_count)
        return result

    return ingest


# -- requests -------------------------------------------------------------------------

class RequestObserver:
    """The outermost WSGI layer: gives every request an id (echoed as X-Request-ID),
    then counts it and logs one line once the application has answered. The route and
    the cache result are what the inner layers left in the environ."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app
        self.metrics = metrics()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()
        request_id = environ.get("HTTP_X_REQUEST_ID")
        if request_id is None or not _REQUEST_ID.fullmatch(request_id):
            request_id = os.urandom(16).hex()  # as random as uuid4().hex, 5x cheaper
        environ[REQUEST_ID_KEY] = request_id
        answered: list[Any] = []

        def observed_start_response(status: str, headers: list[tuple[str, str]],
                                    exc_info: Any = None) -> Any:
            headers.append(("X-Request-ID", request_id))
            answered[:] = (status, headers)
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, observed_start_response)
        except BaseException:
            self._done(environ, request_id, "500", started, 0)
            raise
        status, headers = answered or ("500", ())
        if type(body) is list:  # the fast path: the bytes are known
            self._done(environ, request_id, status, started, sum(map(len, body)))
            return body
        length = _content_length(headers)
        if length is not None:
            head = environ.get("REQUEST_METHOD") == "HEAD" or status[:3] in ("204", "304")
            self._done(environ, request_id, status, started, 0 if head else length)
            return body
        return _CountedBody(body, lambda sent: self._done(environ, request_id, status,
                                                          started, sent))

    def _done(self, environ: dict[str, Any], request_id: str, status: str, started: float,
              sent: int) -> None:
        seconds = time.perf_counter() - started
        method = environ.get("REQUEST_METHOD", "")
        if method not in METHODS:
            method = "other"
        route = environ.get(ROUTE_KEY, UNMATCHED)
        cache = environ.get(CACHE_KEY, "none")
        code = status[:3]
        self.metrics.count_request(route, method, code, cache, seconds)
        if request_logger.isEnabledFor(logging.INFO):
            status_code, duration_ms = int(code), round(seconds * 1000, 3)
            route_json = _ROUTES_JSON.get(route)
            if route_json is None:
                route_json = _ROUTES_JSON[route] = _encode(route)
            # request_id, method and cache are tokens from closed character sets
            _log(request_logger, logging.INFO, "request", {
                "request_id": request_id, "method": method, "route": route,
                "status": status_code, "duration_ms": duration_ms, "cache": cache,
                "bytes": sent}, f'{{"request_id": "{request_id}", "method": "{method}", '
                f'"route": {route_json}, "status": {status_code}, '
                f'"duration_ms": {duration_ms}, "cache": "{cache}", "bytes": {sent}}}')


_ROUTES_JSON: dict[str, str] = {}  # route template -> its JSON string (a closed set)


def _content_length(headers: Iterable[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if len(name) == 14 and name.lower() == "content-length":
            return int(value) if value.isdigit() else None
    return None


class _CountedBody:
    """A streamed body: its bytes are counted as they go, the request is logged at close."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.body = body
        self.done: Callable[[int], None] | None = done
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            done, self.done = self.done, None
            if done is not None:
                done(self.sent)


def _remember_route() -> None:
    from flask import request

    rule = request.url_rule
    if rule is not None:
        request.environ[ROUTE_KEY] = rule.rule


# -- store queries ----------------------------------------------------------------------

def time_queries(engine: sa.Engine) -> None:
    """Observe every statement's duration on `engine` (once per engine)."""
    from sqlalchemy import event

    if event.contains(engine, "before_cursor_execute", _query_started):
        return
    event.listen(engine, "before_cursor_execute", _query_started)
    event.listen(engine, "after_cursor_execute", _query_finished)


def _query_started(conn: Any, _cursor: Any, _statement: str, _parameters: Any,
                   _context: Any, _executemany: bool) -> None:
    conn.info["trendfeed.query_started"] = time.perf_counter()


def _query_finished(conn: Any, _cursor: Any, statement: str, _parameters: Any,
                    _context: Any, _executemany: bool) -> None:
    started = conn.info.pop("trendfeed.query_started", None)
    if started is None:
        return
    kind = statement.lstrip()[:6].lower()
    metrics().store_query_duration.labels(kind if kind in STATEMENTS else "other").observe(
        time.perf_counter() - started)


# -- the app ----------------------------------------------------------------------------

def install(app: Flask) -> None:
    """Observe `app`: the request layer outside everything else (call it after the
    cache's middleware is in place), the route of each request, the store's queries."""
    app.before_request(_remember_route)
    store = app.extensions["trendfeed"].store
    engine = getattr(store, "engine", None)
    if engine is not None:
        time_queries(engine)
    app.wsgi_app = RequestObserver(app.wsgi_app)  # type: ignore[method-assign]
