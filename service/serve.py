"""`trendfeed serve`: gunicorn in-process, with the production settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import gunicorn.util
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


def _write_problem(sock: Any, status: int, reason: str, message: str) -> None:
    """gunicorn answers requests it cannot parse (a request line over 8190 bytes, bad
    headers) itself, before the app; this makes those answers problem+json too."""
    detail = message or reason
    if status == 414:
        detail = ("the request line is over 8190 bytes: shorten the URL (q, the keyword or "
                  "the cursor)")
    body = json.dumps({"type": "about:blank", "title": reason, "status": status,
                       "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], load_app: Callable[[], Any]) -> None:
        self.options = options
        self.load_app = load_app
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        gunicorn.util.write_error = _write_problem  # inherited by every worker

    def load(self) -> Any:
        return self.load_app()


def run(*, host: str, port: int, workers: int, load_app: Callable[[], Any],
        **overrides: Any) -> int:
    """Serve the WSGI app that `load_app()` makes in each worker (the service, from the
    Config that `trendfeed serve` built; the benchmark's ceiling app) under the
    production settings."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {**GUNICORN_SETTINGS, "bind": bind, "workers": workers, **overrides}
    _Gunicorn(options, load_app).run()
    return 0
