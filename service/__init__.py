"""trendfeed: trending papers as keyword feeds, a REST API and a small web page.

`create_app()` is the application factory; `service.wsgi:app` is the one app built at
import time (the gunicorn target).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .config import Config


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` is a Config, or overrides of the TRENDFEED_* environment."""
    from . import observe
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
    from .store import open_store

    if not isinstance(config, Config):
        config = Config.from_env(**(config or {}))
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = MAX_INPUT_BYTES
    app.url_map.converters["fmt"] = FormatConverter
    app.url_map.converters["kw"] = KeywordConverter
    store = open_store(config.database_url)
    app.extensions["trendfeed"] = Services(config=config, store=store)
    fastpath.install(app, caching.ResponseCache(
        read_version=store.data_state, check_interval=config.version_check,
        max_bytes=config.cache_bytes, max_entries=config.cache_entries))
    observe.install(app)  # outside the cache's fast path, so it sees every request
    problems.register(app)
    for module in (feeds, api, pages, docs, ops, metrics):
        app.register_blueprint(module.bp)
    return app
