"""trendfeed: trending papers as keyword feeds, a REST API and a small web page.

`create_app()` is the application factory; `service.wsgi:app` is the one app built at
import time (the gunicorn target). Building the app touches no database: the store is
opened when a request first needs it (service/store/ondemand.py), so a worker boots, and
answers 503, while the store is down.
"""

from __future__ import annotations

import time
from typing import Any, cast

from flask import Flask

from .config import Config


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` is a Config, or overrides of the TRENDFEED_* environment."""
    from . import blocking, observe
    from .http import caching, fastpath, problems
    from .ingest import MAX_INPUT_BYTES
    from .routes import (
        FormatConverter,
        KeywordConverter,
        Services,
        api,
        docs,
        feeds,
        metrics,
        ops,
        pages,
    )
    from .store import Store
    from .store.ondemand import OnDemandStore

    if not isinstance(config, Config):
        config = Config.from_env(**(config or {}))
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = MAX_INPUT_BYTES
    app.url_map.converters["fmt"] = FormatConverter
    app.url_map.converters["kw"] = KeywordConverter
    store = cast(Store, OnDemandStore(
        config.database_url, on_open=lambda opened: observe.time_queries(opened.engine)))
    app.extensions["trendfeed"] = Services(config=config, store=store)
    # Under `trendfeed serve`, Flask runs in the worker's threads and what is in front of
    # it (the request observer, the cache's fast path) on its event loop, where a store
    # call (the version check) is handed to a thread too (service/blocking.py).
    app.wsgi_app = blocking.InThreads(app.wsgi_app)  # type: ignore[method-assign]
    version = blocking.SharedRead(lambda: store.data_state())

    def read_version() -> Any:
        asked = time.monotonic()
        return blocking.call(lambda: version(asked))

    fastpath.install(app, caching.ResponseCache(
        read_version=read_version,
        check_interval=config.version_check,
        max_bytes=config.cache_bytes, max_entries=config.cache_entries))
    observe.install(app)  # outside the cache's fast path, so it sees every request
    problems.register(app)
    for module in (feeds, api, pages, docs, ops, metrics):
        app.register_blueprint(module.bp)
    return app
