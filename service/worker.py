"""The gunicorn worker of `trendfeed serve`: connections on a gevent event loop, the
application's blocking work in threads.

gunicorn's gthread worker gives a connection one of its threads as soon as a byte has
arrived, then reads the request with a blocking socket and no deadline: as many
half-sent requests as it has threads stop it answering anyone. For a server that faces
clients directly gunicorn advises an asynchronous worker. Its gevent worker reads every
request on the event loop, a greenlet per connection, and closes a connection whose
request has not arrived within `keepalive` seconds: 1,000 idle clients cost 1,000
sockets and greenlets, and no thread.

This is that worker with three changes:
- Nothing is monkey-patched. The application runs as it did under gthread, in real
  threads with real locks, where sqlite3 and psycopg block only their own thread (under
  monkey-patching sqlite3 is C code that blocks the whole loop, and psycopg chooses how
  to wait when first imported, which happens in the master before any patching).
- Flask runs in a pool of `threads` native threads per worker; what needs no store (the
  request observer, the cache's fast path, /livez) stays on the loop, and a store call
  made on the loop (the fast path's version check) goes to a second, small pool, never
  queued behind a request's store work (service/blocking.py).
- An answer's head goes out with its body, in one send (`HeadWithBody`).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import gevent
from gevent import socket as gevent_socket
from gevent.threadpool import ThreadPool
from gunicorn.workers.ggevent import GeventWorker

from . import blocking

LOOP_CALL_THREADS = 2  # for store calls made on the loop (at most one per TRENDFEED_VERSION_CHECK)


class Worker(GeventWorker):  # type: ignore[misc]
    def patch(self) -> None:
        # GeventWorker.patch() without monkey.patch_all(): only the listening sockets
        # become gevent's.
        self.sockets = [gevent_socket.socket(s.FAMILY, socket.SOCK_STREAM,
                                             fileno=s.sock.detach()) for s in self.sockets]

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        corked = HeadWithBody(sock)
        try:
            answered = super().handle_request(listener_name, req, corked, addr)
        except StopIteration:  # the connection closes after this answer
            corked.flush()
            linger(sock)
            raise
        # (any other exception: the answer's head, if held, is never sent, and gunicorn
        # answers the error on the connection itself)
        corked.flush()
        # Let the other connections have their turn before this one's next request: a
        # socket read that finds data does not yield, so a client that sends its next
        # request at once would be served again and again while others wait (under
        # wrk, a p50 of 0.3 ms beside a p99 of 0.7 s).
        gevent.sleep(0)
        return answered

    def load_wsgi(self) -> None:
        # After the fork and gevent's reinit, before the app is built: the pools and the
        # runners belong to this process.
        hub = gevent.get_hub()
        loop_thread = threading.get_ident()
        requests = ThreadPool(self.cfg.threads)
        calls = ThreadPool(LOOP_CALL_THREADS)

        def request(app: blocking.WsgiApp, environ: dict[str, Any],
                    start_response: Any) -> Iterable[bytes]:
            environ["wsgi.input"] = LoopInput(environ["wsgi.input"], hub)
            status, headers, exc_info, chunks = requests.apply(_run_app, (app, environ))
            start_response(status, headers, exc_info)
            return chunks

        blocking.install(blocking.Runners(
            on_loop=lambda: threading.get_ident() == loop_thread,
            request=request,
            call=lambda function: calls.apply(function)))
        super().load_wsgi()


class HeadWithBody:
    """The client's socket as gunicorn writes an answer to it: the head (its first
    write) is held and sent with the first piece of the body, one send and one wake-up
    of the client where gunicorn makes two (a cached hit's head cost as much CPU as its
    whole body). Everything else is the socket's own."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._head: bytes | None = None
        self._first = True

    def sendall(self, data: bytes) -> None:
        if self._first:
            self._first = False
            self._head = bytes(data)
            return
        if self._head is not None:
            data, self._head = self._head + data, None
        self._sock.sendall(data)

    def flush(self) -> None:
        """Send a head still held (an answer without a body: HEAD, 304, 204), unless
        the connection is closed already (gunicorn closes it when the app fails after
        it believes the head sent: the client then gets no answer at all, not a head
        without its body)."""
        self._first = False
        if self._head is not None:
            head, self._head = self._head, None
            with contextlib.suppress(OSError):
                self._sock.sendall(head)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


LINGER_SECONDS = 2.0


def linger(sock: Any) -> None:
    """Half-close, then read and drop what the client still sends, until it closes or
    LINGER_SECONDS pass (nginx's lingering close). A socket closed with unread bytes
    sends a reset, and the client may lose the answer before reading it: a 413 or a 401
    answered while the client is still sending its body."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            if not sock.recv(65536):
                return
    except OSError:  # the client is gone, or the deadline passed (socket.timeout)
        return


def _run_app(app: blocking.WsgiApp, environ: dict[str, Any]) -> tuple[Any, ...]:
    """In a thread: the whole answer of `app`, its body read to the end (and closed)
    here, so that nothing of the app runs on the loop afterwards."""
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        started[:] = (status, headers, exc_info)
        return written.append

    body = app(environ, start_response)
    try:
        chunks = written + list(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the application returned without calling start_response")
    return (*started, chunks)


class LoopInput:
    """`wsgi.input` for the app in a thread: the request body is read from a socket
    that belongs to the event loop, so each read is done there, by a greenlet, while the
    thread waits for it."""

    def __init__(self, body: Any, hub: Any) -> None:
        self.body = body
        self.hub = hub

    def _on_loop(self, method: Callable[..., Any], *args: Any) -> Any:
        done: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

        def run() -> None:
            try:
                done.put((True, method(*args)))
            except BaseException as exc:  # handed to the thread, raised there
                done.put((False, exc))

        self.hub.loop.run_callback_threadsafe(gevent.spawn, run)
        ok, value = done.get()
        if not ok:
            raise value
        return value

    def read(self, size: int | None = None) -> bytes:
        found: bytes = self._on_loop(self.body.read, size)
        return found

    def readline(self, size: int | None = None) -> bytes:
        found: bytes = self._on_loop(self.body.readline, size)
        return found

    def readlines(self, hint: int | None = None) -> list[bytes]:
        found: list[bytes] = self._on_loop(self.body.readlines, hint)
        return found

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line
