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

from typing import TYPE_CHECKING

from .base import (
    CACHE_KEY,
    INGEST_OUTCOMES,
    METHODS,
    METRICS_CONTENT_TYPE,
    MULTIPROC_ENV,
    QUERY_BUCKETS,
    REFRESH_OUTCOMES,
    REFRESH_SUCCESSES,
    REQUEST_BUCKETS,
    REQUEST_ID_KEY,
    ROUTE_KEY,
    STATEMENTS,
    UNMATCHED,
    ingest_logger,
    logger,
    refresh_logger,
    request_logger,
)
from .logs import JsonFormatter, configure_logging, record_ingest, record_refresh, records_ingest
from .metrics import (
    Metrics,
    mark_process_dead,
    metrics,
    multiprocess_dir,
    render,
    stop_using_multiprocess_dir,
    use_multiprocess_dir,
)
from .requests import RequestObserver, _remember_route, time_queries

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "CACHE_KEY", "INGEST_OUTCOMES", "JsonFormatter", "METHODS", "METRICS_CONTENT_TYPE",
    "MULTIPROC_ENV", "Metrics", "QUERY_BUCKETS", "REFRESH_OUTCOMES",
    "REFRESH_SUCCESSES", "REQUEST_BUCKETS", "REQUEST_ID_KEY", "ROUTE_KEY",
    "RequestObserver", "STATEMENTS", "UNMATCHED", "configure_logging", "ingest_logger",
    "install", "logger", "mark_process_dead", "metrics", "multiprocess_dir",
    "record_ingest", "record_refresh", "records_ingest", "refresh_logger", "render",
    "request_logger", "stop_using_multiprocess_dir", "time_queries",
    "use_multiprocess_dir",
]


def install(app: Flask) -> None:
    """Observe `app`: the request layer outside everything else (call it after the
    cache's middleware is in place), the route of each request, the store's queries."""
    app.before_request(_remember_route)
    store = app.extensions["trendfeed"].store
    engine = getattr(store, "engine", None)
    if engine is not None:
        time_queries(engine)
    app.wsgi_app = RequestObserver(app.wsgi_app)  # type: ignore[method-assign]
