"""`trendfeed serve`: gunicorn in-process, with the production settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

GUNICORN_SETTINGS: dict[str, Any] = {
    "worker_class": "gthread",
    "threads": 4,
    # Open connections per worker. Without a cap, a burst of new connections can all land
    # on the worker that wakes first, leaving the others idle (seen in the benchmark: a
    # third of the throughput); with it, the excess waits for the next worker.
    "worker_connections": 100,
    "keepalive": 5,
    "limit_request_line": 8190,  # the largest gunicorn allows; longer URLs get its 414
    "timeout": 30,
    "graceful_timeout": 10,
    "accesslog": "-",
    "errorlog": "-",
    "loglevel": "info",
}


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], load_app: Callable[[], Any]) -> None:
        self.options = options
        self.load_app = load_app
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.load_app()


def _load_service() -> Any:
    from .wsgi import app

    return app


def run(*, host: str, port: int, workers: int,
        load_app: Callable[[], Any] = _load_service, **overrides: Any) -> int:
    """Serve `load_app()` (the service by default; the benchmark's ceiling app too) under
    the production settings."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {**GUNICORN_SETTINGS, "bind": bind, "workers": workers, **overrides}
    _Gunicorn(options, load_app).run()
    return 0
