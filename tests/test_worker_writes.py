"""How the worker writes an answer: gunicorn writes the head and the body in two sends,
so a client is woken twice for one answer (a cached hit's head cost as much CPU as its
whole body); service/worker.py holds the head back and sends it with the body. Driven
through gunicorn's own request parser and response, on a real socket pair."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser
from gunicorn.http.wsgi import create

from service.worker import HeadWithBody, Worker


class Recording:
    """A socket that records each sendall that sent."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sends: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.sends.append(bytes(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def answer(method: str, status: str, body: bytes) -> tuple[list[bytes], bytes]:
    """The sends of gunicorn's answer to one request, through HeadWithBody, and what
    the client received."""
    server, client = socket.socketpair()
    with server, client:
        client.sendall(f"{method} /feeds/trending.atom HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        cfg = Config()
        request = next(iter(RequestParser(cfg, server, ("127.0.0.1", 1))))
        recording = Recording(server)
        corked = HeadWithBody(recording)
        response, _environ = create(request, corked, ("127.0.0.1", 1), ("127.0.0.1", 8000),
                                    cfg)
        response.start_response(status, [("Content-Type", "text/plain"),
                                          ("Content-Length", str(len(body)))])
        for chunk in [body] if body else []:
            response.write(chunk)
        response.close()
        corked.flush()
        server.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return recording.sends, received


def test_the_head_goes_out_with_the_body_in_one_send() -> None:
    body = b"x" * 150_000
    sends, received = answer("GET", "200 OK", body)
    assert len(sends) == 1
    head, _, got = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and got == body


@pytest.mark.parametrize(("method", "status"), [("HEAD", "200 OK"),
                                                ("GET", "304 Not Modified")])
def test_an_answer_without_a_body_still_sends_its_head(method: str, status: str) -> None:
    sends, received = answer(method, status, b"" if status.startswith("304") else b"abc")
    assert len(sends) == 1 and received.startswith(f"HTTP/1.1 {status}".encode())
    assert received.endswith(b"\r\n\r\n")


def test_everything_else_is_the_socket_s_own() -> None:
    server, client = socket.socketpair()
    with server, client:
        corked = HeadWithBody(server)
        assert corked.fileno() == server.fileno()
        corked.sendall(b"head")
        corked.sendall(b"body")
        corked.sendall(b"more")
        corked.flush()
        server.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client.recv(100):
            received += chunk
        assert received == b"headbodymore"


class _Log:
    def __init__(self) -> None:
        self.exceptions: list[str] = []

    def access(self, *args: Any) -> None:
        pass

    def debug(self, *args: Any) -> None:
        pass

    def exception(self, message: str, *args: Any) -> None:
        self.exceptions.append(message)


def _handle(app: Any) -> tuple[BaseException | None, list[bytes], bytes, _Log]:
    """One GET through the worker's own handle_request (gunicorn's AsyncWorker under
    it), on a socket pair: what it raised, the sends, what the client got."""
    worker = object.__new__(Worker)  # no arbiter, no sockets: only what handle_request uses
    worker.cfg, worker.nr, worker.max_requests, worker.alive = Config(), 0, 10**9, True
    worker.log, worker.wsgi = _Log(), app
    server, client = socket.socketpair()
    with server, client:
        client.sendall(b"GET /feeds/trending.atom HTTP/1.1\r\nHost: t\r\n\r\n")
        request = next(iter(RequestParser(worker.cfg, server, ("127.0.0.1", 1))))
        recording = Recording(server)
        raised: BaseException | None = None
        try:
            worker.handle_request(("127.0.0.1", 8000), request, recording, ("127.0.0.1", 1))
        except BaseException as exc:  # StopIteration: the connection is to close
            raised = exc
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_WR)
        client.settimeout(5)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return raised, recording.sends, received, worker.log


def test_the_worker_answers_a_get_in_one_send() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"hello"]

    raised, sends, received, log = _handle(app)
    assert raised is None and len(sends) == 1 and log.exceptions == []
    assert received.startswith(b"HTTP/1.1 200 OK") and received.endswith(b"\r\n\r\nhello")


def test_an_app_failing_after_its_head_closes_the_connection_without_a_socket_error() -> None:
    """gunicorn believes the held head sent and closes the connection; the worker must
    not then write to the closed socket (an OSError in place of gunicorn's StopIteration,
    and a second traceback)."""
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Length", "10")])
        return iter(["not bytes"])  # fails in gunicorn's write, after the head

    raised, sends, received, log = _handle(app)
    assert isinstance(raised, StopIteration), raised
    assert log.exceptions == ["Error handling request"]
    assert received == b"" and sends == []
