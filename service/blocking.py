"""Where work that may block runs while a worker serves requests.

Under `trendfeed serve` each worker answers its connections on one gevent event loop
(service/worker.py), so that an idle or slow client costs a socket and a greenlet, never
a thread. Anything that may wait, the store above all (a write queued behind SQLite's
lock, a PostgreSQL server that does not answer), must then not run on that loop: it runs
in the worker's threads, and the loop stays free for everyone else. This module is that
boundary, and it knows nothing of gevent: the worker installs `Runners`; without them
(tests, `create_app()` under any other server) everything runs where it is called.

On the loop: the request observer, the cache's fast path, and the paths in LOOP_PATHS
(/livez: liveness must never wait for the store). In threads: Flask, for every other
request (`InThreads`), and any store call made on the loop (`call`: the fast path's
re-read of the data version).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]

# Answered on the loop, never queued behind the threads' store work.
LOOP_PATHS = frozenset({"/livez"})


@dataclass(frozen=True)
class Runners:
    on_loop: Callable[[], bool]  # is this the worker's event loop (its thread)?
    request: Callable[[WsgiApp, dict[str, Any], Any], Iterable[bytes]]  # the app, in a thread
    call: Callable[[Callable[[], Any]], Any]  # a store call, in a thread


_runners: Runners | None = None


def install(runners: Runners | None) -> None:
    """The worker's runners for this process (None: run everything in place)."""
    global _runners
    _runners = runners


def call(function: Callable[[], T]) -> T:
    """`function()`, in one of the worker's threads when called on its event loop."""
    runners = _runners
    if runners is None or not runners.on_loop():
        return function()
    result: T = runners.call(function)
    return result


class SharedRead(Generic[T]):
    """`read()` shared by callers that ask at the same moment: a caller is answered by
    a read that began after it asked (its own, or one another caller started meanwhile),
    so no answer is older than the question, and a hundred connections that find the
    data version due at once make one or two reads, not a hundred queued for the
    threads. Called in threads (it holds a lock while it reads)."""

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._last: tuple[float, T] | None = None  # (when that read began, its answer)

    def __call__(self, asked: float) -> T:
        """The answer to a question asked at `asked` (time.monotonic())."""
        with self._lock:
            last = self._last
            if last is not None and last[0] >= asked:
                return last[1]
            began = time.monotonic()
            answer = self._read()
            self._last = (began, answer)
            return answer


class InThreads:
    """WSGI: the app behind this layer (Flask, whose views use the store) runs in the
    worker's threads; the paths in LOOP_PATHS stay on the loop."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        runners = _runners
        if runners is None or environ.get("PATH_INFO") in LOOP_PATHS \
                or not runners.on_loop():
            return self.app(environ, start_response)
        return runners.request(self.app, environ, start_response)
