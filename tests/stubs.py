"""Real misbehaving servers on 127.0.0.1 for the refresher's tests (no mocks of httpx or
of the store): an upstream that answers a script of answers (any status, headers of any
bytes, its own Date, a delay, a trickle of one byte at a time in the headers or the
body), and a TCP proxy in front of PostgreSQL that can drop every connection and refuse
new ones for a while, as a server restart looks to its clients."""

from __future__ import annotations

import contextlib
import email.utils
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

Header = tuple[str, "str | bytes"]


def hf_list(count: int, start: int = 0) -> bytes:
    return json.dumps([
        {"paper": {"id": f"2502.{10000 + i}", "title": f"Refreshed Paper {i}",
                   "summary": f"About refreshed topic {i}.", "upvotes": max(0, 100 - i)}}
        for i in range(start, start + count)]).encode()


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str | bytes] = field(default_factory=dict)
    delay: float = 0.0  # before anything is sent
    date: str | None = ""  # the Date header: "" the real time, None none at all
    trickle: str = ""  # "headers" or "body": sent one byte every `pace` seconds
    pace: float = 0.1


@dataclass
class Upstream:
    """Answers `script` in turn (then `repeat(headers)`), keeping the headers and the
    request line of every request (a proxy's is the absolute-form URL); `hook(n)`, when
    set, runs before the n-th request (1-based) is answered."""

    script: list[Answer]
    repeat: Callable[[dict[str, str]], Answer] | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # each request's request line
    hook: Callable[[int], None] | None = None
    url: str = ""

    def answer(self, headers: dict[str, str]) -> Answer:
        self.requests.append(headers)
        if self.hook is not None:
            self.hook(len(self.requests))
        if self.script:
            return self.script.pop(0)
        assert self.repeat is not None, "the stub ran out of answers"
        return self.repeat(headers)


def _head(answer: Answer) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} Whatever".encode()]
    headers = dict(answer.headers)
    if answer.date is not None:
        headers.setdefault("Date", answer.date or email.utils.formatdate(usegmt=True))
    headers["Content-Length"] = str(len(answer.body))
    headers["Connection"] = "close"
    for name, value in headers.items():
        raw = value if isinstance(value, bytes) else value.encode("latin-1")
        lines.append(name.encode() + b": " + raw)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class _Handler(socketserver.StreamRequestHandler):
    stub: Upstream

    def handle(self) -> None:
        headers: dict[str, str] = {}
        self.stub.lines.append(self.rfile.readline().decode("latin-1").strip())
        while (line := self.rfile.readline().decode("latin-1").strip()):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = self.stub.answer(headers)
        time.sleep(answer.delay)
        head, body = _head(answer), answer.body
        with contextlib.suppress(OSError):  # (a client that gave up has gone)
            for part, slow in ((head, answer.trickle == "headers"),
                               (body, answer.trickle == "body")):
                if not slow:
                    self.wfile.write(part)
                    continue
                for i in range(len(part)):
                    self.wfile.write(part[i:i + 1])
                    self.wfile.flush()
                    time.sleep(answer.pace)


@pytest.fixture(name="upstream")
def upstream_fixture() -> Iterator[Upstream]:
    """A stub upstream on a free loopback port (import `upstream_fixture` to use it)."""
    stub = Upstream(script=[])
    handler = type("Handler", (_Handler,), {"stub": stub})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/api/daily_papers"
    yield stub
    server.shutdown()
    server.server_close()


class Proxy:
    """127.0.0.1:port -> target; `down()` drops every connection and refuses new ones
    until `up()` (what a PostgreSQL restart looks like to its clients)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.refusing = False
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def down(self) -> None:
        """Drop every connection, and refuse new ones until `up()`."""
        self.refusing = True
        with self.lock:
            dropped, self.open = self.open, set()
        for sock in dropped:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def up(self) -> None:
        self.refusing = False

    def close(self) -> None:
        self.listener.close()
        self.down()


def wait_for(condition: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")
