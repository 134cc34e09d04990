"""The cache's fast path: a WSGI middleware in front of Flask that answers a GET or HEAD
whose exact path and query string were answered from the cache before, without a
request context, routing, validation or a query (service/http/caching.py keeps the
entries and builds the answers)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..observe import CACHE_KEY, ROUTE_KEY
from ..store import StoreError
from .caching import CACHED_PREFIXES, DataVersion, ResponseCache, answer, raw_key
from .hosts import LinkBases, link_base


class CacheMiddleware:
    """In front of Flask: a GET or HEAD whose exact path and query string were answered
    from the cache before is answered again without a request context, routing,
    validation or a query. Anything else (and any trouble) goes on to Flask."""

    def __init__(self, wsgi_app: Any, responses: ResponseCache, cache_control: str,
                 bases: LinkBases) -> None:
        self.wsgi_app = wsgi_app
        self.responses = responses
        self.cache_control = cache_control
        self.bases = bases

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method = environ.get("REQUEST_METHOD")
        if (method == "GET" or method == "HEAD") and \
                environ.get("PATH_INFO", "").startswith(CACHED_PREFIXES):
            try:
                data: DataVersion | None = self.responses.data()
            except StoreError:  # the store is down: serve what we have (stale-if-error)
                data = self.responses.last_served()
            if data is None:
                return self.wsgi_app(environ, start_response)  # Flask answers 503
            entry = self.responses.by_alias(
                raw_key(data.version, link_base(environ, self.bases), environ))
            if entry is not None:
                environ[ROUTE_KEY] = entry.route  # for the request log and metrics
                environ[CACHE_KEY] = "hit"
                status, headers, body = answer(entry, environ, self.cache_control)
                start_response(status, headers)
                return [b"" if method == "HEAD" else body]
        return self.wsgi_app(environ, start_response)


def install(app: Flask, responses: ResponseCache) -> None:
    app.extensions["trendfeed.cache"] = responses
    config = app.extensions["trendfeed"].config
    bases = app.extensions["trendfeed.bases"] = LinkBases(config)
    app.wsgi_app = CacheMiddleware(app.wsgi_app, responses,  # type: ignore[method-assign]
                                   config.cache_control, bases)
