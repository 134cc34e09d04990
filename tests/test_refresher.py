"""The refresher (both engines): against a local upstream stub that answers in turn a
good list, 304, 500, a timeout, garbage, a shrunk list, 429 with Retry-After and a good
new list, the feeds keep the last good data and change exactly once; one refresher is
elected per store, a standby takes over when it dies, and `serve` starts it again."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from service import create_app
from service.config import Config
from service.ingest import utcnow
from service.refresher import Refresher
from service.store import SqlStore
from service.upstream import retry_after_seconds

from .conftest import ENGINES, serving
from .stubs import Answer, Upstream, hf_list, upstream_fixture, wait_for  # noqa: F401

both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)


class Clock:
    """Starts at the real time (status compares the recorded times with it: a next
    attempt long past is "overdue"), moved by hand."""

    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now


@both_engines
def test_the_last_good_data_is_served_through_every_kind_of_upstream_failure(
        database_url: str, upstream: Upstream) -> None:
    good, new = hf_list(10), hf_list(10, start=5)
    upstream.script = [
        Answer(200, good, {"ETag": '"a1"', "Last-Modified": "Thu, 26 Nov 2026 08:00:00 GMT"}),
        Answer(304),
        Answer(500, b"upstream broke"),
        Answer(200, good, delay=1.5),  # slower than the refresher's timeout
        Answer(200, b"<html>Service temporarily unavailable</html>"),
        Answer(200, hf_list(3)),  # under half of the 10 served: not applied
        Answer(429, b"", {"Retry-After": "120"}),
        Answer(200, new, {"ETag": '"b2"'}),
    ]
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "version_check": 0, "source_url": upstream.url,
                      "refresh_interval": 60})
    store = app.extensions["trendfeed"].store
    client = app.test_client()
    clock = Clock()
    refresher = Refresher(app.extensions["trendfeed"].config, store, clock=clock,
                          rand=lambda: 0.5, timeout=0.5, report=lambda *a, **k: None)
    etags, outcomes, statuses = [], [], []
    for _ in range(8):
        state = refresher.run_once()
        outcomes.append(state.last_outcome)
        feed = client.get("/feeds/trending.atom")
        assert feed.status_code == 200
        etags.append(feed.headers["ETag"])
        status = client.get("/api/v1/status").get_json()["source"]
        statuses.append((status["health"], status["failures"], status["last_error"]))
        readyz = client.get("/readyz")
        assert readyz.status_code == 200
        assert readyz.get_json()["status"] == ("ready" if state.healthy else "degraded")
        assert upstream.url.split("/")[2] not in readyz.text  # nor its host: not public
        clock.now += dt.timedelta(seconds=1)

    assert outcomes == ["new", "not-modified", "http", "timeout", "invalid", "shrunk", "http",
                        "new"]
    assert etags[:7] == [etags[0]] * 7 and etags[7] != etags[0]  # changed once, at the end
    assert [s[:2] for s in statuses] == [("ok", 0), ("ok", 0), ("degraded", 1), ("degraded", 2),
                                         ("degraded", 3), ("degraded", 4), ("degraded", 5),
                                         ("ok", 0)]
    assert "HTTP 500" in statuses[2][2] and "within 0.5 s" in statuses[3][2]
    assert "line 1" in statuses[4][2] and "usually sends" in statuses[5][2]
    assert "HTTP 429" in statuses[6][2]
    # The conditional headers reached the stub once there was a good answer to revalidate.
    assert "if-none-match" not in upstream.requests[0]
    assert upstream.requests[1]["if-none-match"] == '"a1"'
    assert upstream.requests[1]["if-modified-since"] == "Thu, 26 Nov 2026 08:00:00 GMT"
    assert [p.id for p in store.papers(limit=None)][:1] == ["2502.10005"]
    assert store.count_snapshots() == 2
    assert {s.source for s in store.snapshots()} == {"refresher"}  # snapshots are public


@both_engines
def test_backoff_doubles_with_jitter_and_honours_retry_after(database_url: str,
                                                             upstream: Upstream) -> None:
    upstream.script = [Answer(503, b"", {"Retry-After": "45"}), Answer(500), Answer(500),
                       Answer(500)]
    config = Config.from_env({}, database_url=database_url, source_url=upstream.url,
                             refresh_interval=80)
    store = SqlStore(database_url)
    store.migrate()
    clock = Clock()
    refresher = Refresher(config, store, clock=clock, rand=lambda: 0.5, timeout=1,
                          report=lambda *a, **k: None)
    delays = []
    for _ in range(4):
        state = refresher.run_once()
        delays.append((state.next_attempt - clock.now).total_seconds())
    # 10 s (an eighth of the interval) doubling, capped at the interval; Retry-After first.
    assert delays == [45.0, 20.0, 40.0, 80.0]
    assert [round(refresher.backoff(1), 6) for refresher.rand in (lambda: 0.0, lambda: 1.0)] \
        == [8.0, 12.0]
    store.close()


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = dt.datetime(2026, 11, 27, 8, 0, 0)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Fri, 27 Nov 2026 08:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Fri, 27 Nov 2026 07:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("99999999", now) == 6 * 3600.0


@both_engines
def test_one_refresher_is_elected_per_store(database_url: str) -> None:
    store_a, store_b = SqlStore(database_url), SqlStore(database_url)
    store_a.migrate()
    first, second = store_a.refresher_lock(), store_b.refresher_lock()
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire() and not first.try_acquire()
    second.release()
    store_a.close()
    store_b.close()


def _status(base: str) -> dict[str, Any]:
    return httpx.get(f"{base}/api/v1/status", timeout=5).json()["source"]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _refreshers(serve: int) -> list[int]:
    """The refresher processes that the `serve` process `serve` started."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and _parent(int(entry.name)) == serve and \
                    b"refresh" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass  # gone meanwhile
    return found


@both_engines
def test_two_servers_run_one_refresher_and_a_killed_one_is_replaced_and_started_again(
        database_url: str, upstream: Upstream, tmp_path: Path) -> None:
    body = hf_list(10)
    upstream.repeat = lambda headers: (
        Answer(304) if headers.get("if-none-match") == '"v1"' else Answer(200, body,
                                                                           {"ETag": '"v1"'}))
    env = {"TRENDFEED_DATABASE_URL": database_url, "TRENDFEED_SOURCE_URL": upstream.url,
           "TRENDFEED_REFRESH_INTERVAL": "1", "TRENDFEED_STATUS_DETAILS": "public"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with serving(tmp_path / "a", env) as one, serving(tmp_path / "b", env) as two:
        first = wait_for(lambda: _status(one.base)["refresher"], 15)
        seen = set()
        for _ in range(6):  # several attempts, all by the one elected process
            seen.add(_status(two.base)["refresher"])
            time.sleep(0.3)
        assert seen == {first}
        assert _status(one.base)["health"] == "ok"
        killed = int(first.rsplit(":", 1)[1])
        serve = _parent(killed)
        os.kill(killed, signal.SIGKILL)
        # Another takes over (the other server's standby, or this server's own one
        # started again), and keeps refreshing.
        second = wait_for(lambda: (_status(one.base)["refresher"] not in (first, None)
                                   and _status(one.base)["refresher"]), 10)
        assert second != first
        count = len(upstream.requests)
        wait_for(lambda: len(upstream.requests) > count + 1, 5)
        # The serve process whose refresher was killed started it again (before: a bare
        # Popen that nobody looked at again).
        wait_for(lambda: [pid for pid in _refreshers(serve) if pid != killed], 10)
        assert httpx.get(f"{two.base}/readyz", timeout=5).json()["status"] == "ready"
