"""`trendfeed serve`: gunicorn in-process, with the production settings."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

GUNICORN_SETTINGS: dict[str, Any] = {
    "worker_class": "gthread",
    "threads": 4,
    "keepalive": 5,
    "limit_request_line": 8190,  # the largest gunicorn allows; longer URLs get its 414
    "timeout": 30,
    "graceful_timeout": 10,
    "accesslog": "-",
    "errorlog": "-",
    "loglevel": "info",
}


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from .wsgi import app

        return app


def run(*, host: str, port: int, workers: int) -> int:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Gunicorn({**GUNICORN_SETTINGS, "bind": bind, "workers": workers}).run()
    return 0
