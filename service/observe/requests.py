"""The request observer (route, status, duration, cache, bytes, request id) and the
store's query timing."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

from .base import (
    _REQUEST_ID,
    CACHE_KEY,
    METHODS,
    REQUEST_ID_KEY,
    ROUTE_KEY,
    STATEMENTS,
    UNMATCHED,
    request_logger,
)
from .logs import _encode, _log
from .metrics import metrics

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
