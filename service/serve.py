"""`trendfeed serve`: gunicorn in-process, with the production settings.

Each server instance gets a private folder (`instance()`, made with mkdtemp, removed
at exit): prometheus_client's multiprocess files, so that /metrics sums every worker,
and gunicorn's control socket, so that two instances on one machine never share one.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gunicorn.util
from gunicorn.app.base import BaseApplication
from gunicorn.config import KNOWN_SETTINGS

from . import observe

GUNICORN_SETTINGS: dict[str, Any] = {
    # Connections on a gevent event loop, Flask in threads (service/worker.py): the server
    # faces clients directly, and an idle or slow client must cost no thread.
    "worker_class": "service.worker.Worker",
    "threads": 4,  # per worker, for the requests that reach Flask (cache misses, writes)
    # Open connections per worker: one worker alone holds 1,000 idle clients and still
    # takes new ones (the kernel may hand most connections to one worker).
    "worker_connections": 2000,
    # Seconds a kept-alive connection may stay idle, and also how long a client has to
    # send a whole request head: the gevent worker closes a connection whose request has
    # not arrived by then.
    "keepalive": 5,
    "limit_request_line": 8190,  # the largest gunicorn allows; longer URLs get its 414
    "timeout": 30,
    "graceful_timeout": 10,
    "accesslog": None,  # each request gets one JSON line from service/observe.py instead
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


@contextmanager
def instance() -> Iterator[Path]:
    """A new private folder for one server instance, removed afterwards. While it
    exists, this process and every process it starts (gunicorn's workers; the
    refresher, when started inside the block) record metrics as files in its
    `metrics/`, which /metrics reads."""
    folder = Path(tempfile.mkdtemp(prefix="trendfeed-"))
    owner = os.getpid()
    try:
        (folder / "metrics").mkdir()
        observe.use_multiprocess_dir(str(folder / "metrics"))
        yield folder
    finally:
        # gunicorn forks its workers inside this block: a worker that exits unwinds
        # through here too, and must leave the live server's folder alone (removing it
        # made every replacement worker fail to boot, and gunicorn halted the server).
        if os.getpid() == owner:
            observe.stop_using_multiprocess_dir()
            shutil.rmtree(folder, ignore_errors=True)


def _child_exit(_server: Any, worker: Any) -> None:
    observe.mark_process_dead(worker.pid)


MAX_SOCKET_PATH = 100  # bytes; AF_UNIX allows 107 on Linux, 103 on macOS


def control_socket(folder: Path) -> dict[str, Any]:
    """gunicorn's settings for its control socket (`gunicornc -s PATH`, gunicorn >= 25.1):
    in the instance's folder, never the shared default (~/.gunicorn/gunicorn.ctl, which a
    second instance would take over and the first would delete on exit); off when that
    path is too long for a Unix socket."""
    names = {setting.name for setting in KNOWN_SETTINGS}
    if "control_socket" not in names:
        return {}
    path = folder / "gunicorn.ctl"
    if len(str(path).encode()) > MAX_SOCKET_PATH:
        return {"control_socket_disable": True}
    return {"control_socket": str(path)}


FILES_BESIDE_CONNECTIONS = 64  # a worker's other descriptors: logs, store, metrics files


def allow_open_files(connections: int) -> int:
    """Raise this process's soft limit on open files (the workers inherit it) so that a
    worker can hold `connections` connections, as far as the hard limit allows (the soft
    limit is often 1,024); returns how many connections a worker can then hold."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + FILES_BESIDE_CONNECTIONS
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return connections
    allowed = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if allowed > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (allowed, hard))
    else:
        allowed = soft
    return max(1, min(connections, allowed - FILES_BESIDE_CONNECTIONS))


def run(*, host: str, port: int, workers: int, load_app: Callable[[], Any],
        folder: Path | None = None, **overrides: Any) -> int:
    """Serve the WSGI app that `load_app()` makes in each worker (the service, from the
    Config that `trendfeed serve` built; the benchmark's ceiling app) under the
    production settings, in `folder` (from `instance()`; a new one when None)."""
    if folder is None:
        with instance() as new_folder:
            return run(host=host, port=port, workers=workers, load_app=load_app,
                       folder=new_folder, **overrides)
    observe.configure_logging()  # before the fork: every worker writes JSON lines
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    socket = control_socket(folder)
    options = {**GUNICORN_SETTINGS, "bind": bind, "workers": workers,
               "child_exit": _child_exit, **socket, **overrides}
    connections = allow_open_files(options["worker_connections"])
    if connections < options["worker_connections"]:
        # Past the limit, accept() would fail; below it, a full worker leaves new
        # connections to the others.
        print(f"open files: the hard limit allows {connections} connections per worker "
              f"(of {options['worker_connections']}); raise it with ulimit -Hn",
              file=sys.stderr)
        options["worker_connections"] = connections
    if "control_socket" in options and not options.get("control_socket_disable"):
        print(f"control socket: {options['control_socket']} "
              f"(gunicornc -s {options['control_socket']})", file=sys.stderr)
    _Gunicorn(options, load_app).run()
    return 0
