"""The Prometheus metrics, per process or multiprocess across gunicorn workers."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    pass
from .base import INGEST_OUTCOMES, MULTIPROC_ENV, QUERY_BUCKETS, REFRESH_OUTCOMES, REQUEST_BUCKETS

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
