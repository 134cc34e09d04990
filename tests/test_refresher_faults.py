"""The refresher against an upstream that misbehaves in each way the adversarial trial
found (SPEC 9), both engines, a real stub server on 127.0.0.1 each time: validators it
cannot send back, a 304 to a request that asked nothing, bytes trickled one at a time
in the headers or the body, an outlier list followed by normal ones, a list over
TRENDFEED_MAX_PAPERS, a clock that ran ahead, and more failures in a row than any
backoff arithmetic should meet. Every attempt ends recorded, and the refresher goes on."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from typing import Any

import pytest

from service import create_app
from service.config import Config
from service.ingest import utcnow
from service.model import SourceState
from service.refresher import Refresher
from service.store import SqlStore

from .conftest import ENGINES
from .stubs import Answer, Upstream, hf_list, upstream_fixture, wait_for  # noqa: F401

both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)


class Reports:
    """What the refresher reported, in order (its `report` callback)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, outcome: str, reason: str, **_: Any) -> None:
        self.seen.append((outcome, reason))

    def outcomes(self) -> list[str]:
        return [outcome for outcome, _ in self.seen]


def setup(database_url: str, upstream: Upstream, **settings: Any) -> tuple[Config, SqlStore]:
    config = Config.from_env({}, database_url=database_url, source_url=upstream.url,
                             **{"refresh_interval": 60, **settings})
    store = SqlStore(database_url)
    store.migrate()
    return config, store


@both_engines
def test_validators_that_cannot_be_sent_back_are_forgotten_not_fatal(
        database_url: str, upstream: Upstream) -> None:
    body = hf_list(10)
    upstream.script = [
        Answer(200, body, {"ETag": b'"caf\xc3\xa9"',
                           "Last-Modified": b"Thu, 26 Nov 2026 08:00:00 GMT \xe9"}),
        Answer(200, body)]
    config, store = setup(database_url, upstream)
    refresher = Refresher(config, store, report=Reports())
    assert refresher.run_once().last_outcome == "new"
    # Before: every later attempt raised UnicodeEncodeError building If-None-Match.
    assert refresher.run_once().last_outcome == "unchanged"
    assert "if-none-match" not in upstream.requests[1]
    assert "if-modified-since" not in upstream.requests[1]
    # A store that already holds one (written before this fix) is no trap either.
    store.save_source_state(replace(store.source_state(), etag='"caf\u00e9"',
                                    last_modified="Thu, 26 Nov 2026 \u00e9"))
    upstream.script = [Answer(200, body)]
    assert refresher.run_once().last_outcome == "unchanged"
    assert "if-none-match" not in upstream.requests[2]
    store.close()


@both_engines
def test_backoff_stays_bounded_however_many_failures_in_a_row(
        database_url: str, upstream: Upstream) -> None:
    config, store = setup(database_url, upstream, refresh_interval=80)
    refresher = Refresher(config, store, rand=lambda: 1.0, report=Reports())
    # Before: OverflowError from 1,025 failures in a row (11 days at the default interval).
    assert refresher.backoff(1025) == refresher.backoff(10**9) == 80.0
    store.save_source_state(SourceState(url=upstream.url, failures=5000,
                                        last_outcome="http"))
    upstream.script = [Answer(500)]
    state = refresher.run_once()
    assert state.failures == 5001 and state.last_outcome == "http"
    assert state.next_attempt is not None and state.last_attempt is not None
    assert (state.next_attempt - state.last_attempt).total_seconds() <= 80.0
    store.close()


@both_engines
def test_a_304_to_a_request_that_sent_no_validators_is_a_failure(
        database_url: str, upstream: Upstream) -> None:
    upstream.script = [Answer(304)]
    config, store = setup(database_url, upstream)
    state = Refresher(config, store, report=Reports()).run_once()
    assert "if-none-match" not in upstream.requests[0]
    assert state.last_outcome == "http" and state.failures == 1
    assert "sent no validators" in (state.last_error or "")
    app = create_app({"database_url": database_url, "source_url": upstream.url})
    assert app.test_client().get("/api/v1/status").get_json()["source"]["health"] == "degraded"
    app.extensions["trendfeed"].store.close()
    store.close()


@both_engines
@pytest.mark.parametrize("where", ["headers", "body"])
def test_an_upstream_that_trickles_bytes_fails_the_attempt_at_its_deadline(
        database_url: str, upstream: Upstream, where: str) -> None:
    # A byte every 0.1 s: no read ever waits long enough for a read timeout, and the
    # whole answer would take 10 to 30 s. The attempt's deadline is 1 s.
    upstream.script = [Answer(200, hf_list(3), trickle=where, pace=0.1)]
    config, store = setup(database_url, upstream)
    state = Refresher(config, store, timeout=5, deadline=1, report=Reports()).run_once()
    assert state.last_outcome == "timeout"
    assert "1 s deadline" in (state.last_error or "")
    assert store.count_snapshots() == 0
    store.close()


@both_engines
def test_one_oversized_list_does_not_lock_out_the_normal_ones_after_it(
        database_url: str, upstream: Upstream) -> None:
    config, store = setup(database_url, upstream)
    refresher = Refresher(config, store, report=Reports())
    sizes = [20, 20, 20, 400, 20]  # the 400 is the outlier
    for i, size in enumerate(sizes):
        upstream.script = [Answer(200, hf_list(size, start=1000 * i))]
        assert refresher.run_once().last_outcome == "new", (i, size)
    upstream.script = [Answer(200, hf_list(9, start=6000))]  # under half of the usual 20
    state = refresher.run_once()
    assert state.last_outcome == "shrunk"
    assert "fewer than 10 papers" in (state.last_error or "")
    assert "usually sends" in (state.last_error or "")
    assert store.latest_snapshot().paper_count == 20  # type: ignore[union-attr]
    store.close()


@both_engines
def test_a_list_over_max_papers_is_refused_by_the_refresher(
        database_url: str, upstream: Upstream) -> None:
    config, store = setup(database_url, upstream, max_papers=50)
    refresher = Refresher(config, store, report=Reports())
    upstream.script = [Answer(200, hf_list(51))]
    state = refresher.run_once()
    assert state.last_outcome == "too-many" and state.failures == 1
    assert "50" in (state.last_error or "")
    assert store.count_snapshots() == 0
    upstream.script = [Answer(200, hf_list(50))]
    assert refresher.run_once().last_outcome == "new"
    store.close()


@both_engines
def test_a_clock_that_ran_ahead_stores_no_time_from_the_future(
        database_url: str, upstream: Upstream) -> None:
    config, store = setup(database_url, upstream)
    ahead = utcnow() + dt.timedelta(days=365)
    upstream.script = [Answer(200, hf_list(10))]  # its Date: the real time
    state = Refresher(config, store, clock=lambda: ahead, report=Reports()).run_once()
    assert state.last_outcome == "clock"
    assert store.count_snapshots() == 0  # no list dated, and no paper first seen, a year out
    saved = store.source_state()
    assert saved is not None and saved.next_attempt is not None
    assert saved.next_attempt <= utcnow() + dt.timedelta(seconds=60 + 5)
    assert saved.last_attempt is not None and saved.last_attempt <= utcnow()

    # A record written by such a clock (before this fix, or with no Date to check it
    # against) says "next attempt in a year": it is not waited for.
    store.save_source_state(replace(saved, failures=0, last_attempt=ahead,
                                    next_attempt=ahead + dt.timedelta(seconds=60)))
    upstream.script = [Answer(200, hf_list(10))]
    reports = Reports()
    refresher = Refresher(replace(config, refresh_interval=1), store, report=reports)
    stop = threading.Event()
    loop = threading.Thread(target=refresher.run, args=(stop,), daemon=True)
    loop.start()
    try:
        wait_for(lambda: "new" in reports.outcomes(), 10)
    finally:
        stop.set()
        loop.join(10)
    store.close()
