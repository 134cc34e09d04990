"""The refresher cannot die unseen, nor run twice (SPEC 9), both engines: a lock lost
under the leader (its PostgreSQL session terminated, its SQLite lock file deleted) leaves
one refresher running, not two, and a list fetched meanwhile is not applied; a store that
goes away for a moment (PostgreSQL dropping every connection, as a restart does; the
SQLite store's folder moved away) is waited out; status and /readyz say "degraded" when
the next attempt is overdue, and /readyz names no database when the store fails. (That
`serve` starts a killed refresher again: tests/test_refresher.py, with two servers.)"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service import cli, create_app
from service.config import Config
from service.ingest import utcnow
from service.model import SourceState
from service.refresher import Refresher
from service.store import SqlStore

from .conftest import ENGINES, HF_JSON, ingest_file, postgres_admin_url
from .stubs import Answer, Proxy, Upstream, hf_list, upstream_fixture, wait_for  # noqa: F401

both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)
LOCK_KEY = 7413551  # service/store/election.py


def revalidating(body: bytes) -> Callable[[dict[str, str]], Answer]:
    """The list with an ETag, then 304 to whoever sends it back."""
    return lambda headers: (Answer(304) if headers.get("if-none-match") == '"v1"'
                            else Answer(200, body, {"ETag": '"v1"'}))


def opened(url: str) -> SqlStore:
    store = SqlStore(url)
    store.migrate()
    return store


def _schema(database_url: str) -> str:
    return str(make_url(database_url).query["options"]).split("=", 1)[1]


def _lock_sessions(database_url: str) -> list[int]:
    admin = sa.create_engine(postgres_admin_url())
    with admin.connect() as conn:
        pids = conn.execute(sa.text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = :k "
            "AND objid = CAST(hashtext(:s)::bigint & 4294967295 AS oid)"),
            {"k": LOCK_KEY, "s": _schema(database_url)}).scalars().all()
    admin.dispose()
    return list(pids)


def cut_lock(database_url: str) -> None:
    """Take the election away from its holder: terminate its PostgreSQL session, or
    delete the SQLite lock file."""
    if database_url.startswith("sqlite"):
        os.unlink(make_url(database_url).database + ".refresher.lock")  # type: ignore[operator]
        return
    admin = sa.create_engine(postgres_admin_url())
    with admin.connect() as conn:
        for pid in _lock_sessions(database_url):
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    admin.dispose()
    wait_for(lambda: not _lock_sessions(database_url), 5)


@dataclass
class Outage:
    url: str  # the store, as the code under test reaches it
    begin: Callable[[], None]
    end: Callable[[], None]


@pytest.fixture
def flaky(database_url: str, tmp_path: Path) -> Iterator[Outage]:
    """A store that can go away and come back: the SQLite store's folder moved away,
    or every PostgreSQL connection dropped and new ones refused (a restart)."""
    if database_url.startswith("sqlite"):
        folder = tmp_path / "store"
        folder.mkdir()
        yield Outage(f"sqlite:///{folder / 'trendfeed.db'}",
                     lambda: folder.rename(tmp_path / "away"),
                     lambda: (tmp_path / "away").rename(folder))
        return
    url = make_url(database_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield Outage(url.set(port=proxy.port).render_as_string(hide_password=False),
                 proxy.down, proxy.up)
    proxy.close()


class Attempts:
    """Who attempted, in order: one `report` callback per refresher."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.seen: list[tuple[str, str]] = []

    def by(self, name: str) -> Callable[..., None]:
        def report(outcome: str, reason: str, **_: Any) -> None:
            self.seen.append((name, outcome))
            if outcome not in ("lost-election", "internal", "store"):
                self.names.append(name)
        return report


def looping(refresher: Refresher) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=refresher.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def config_for(url: str, upstream: Upstream, **settings: Any) -> Config:
    return Config.from_env({}, database_url=url, source_url=upstream.url,
                           **{"refresh_interval": 1, **settings})


@both_engines
def test_after_the_lock_is_lost_one_refresher_runs_not_two(
        database_url: str, upstream: Upstream) -> None:
    upstream.repeat = revalidating(hf_list(10))
    opened(database_url).close()
    config = config_for(database_url, upstream)
    seen = Attempts()
    a = Refresher(config, SqlStore(database_url), report=seen.by("a"))
    b = Refresher(config, SqlStore(database_url), report=seen.by("b"))
    loops = [looping(a)]
    try:
        wait_for(lambda: seen.names, 10)
        loops.append(looping(b))
        wait_for(lambda: len(seen.names) >= 2, 10)
        assert set(seen.names) == {"a"}
        cut_lock(database_url)  # before: both ran from here on, alternating or at once
        time.sleep(0.6)  # a lost holder notices within one poll (a quarter interval)
        mark = len(seen.names)
        wait_for(lambda: len(seen.names) >= mark + 3, 10)
        assert len(set(seen.names[mark:])) == 1, seen.names[mark:]
    finally:
        for stop, thread in loops:
            stop.set()
            thread.join(10)


@pytest.mark.parametrize("database_url", [ENGINES[1]], indirect=True)
def test_an_idle_session_timeout_does_not_hand_the_lock_to_a_second_refresher(
        database_url: str, upstream: Upstream) -> None:
    url = make_url(database_url)
    options = f"{url.query['options']} -cidle_session_timeout=800"  # ms, every session
    url = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    upstream.repeat = revalidating(hf_list(10))
    opened(url).close()
    config = config_for(url, upstream)
    seen = Attempts()
    loops = [looping(Refresher(config, SqlStore(url), report=seen.by("a")))]
    try:
        wait_for(lambda: seen.names, 10)
        loops.append(looping(Refresher(config, SqlStore(url), report=seen.by("b"))))
        time.sleep(2.5)  # three timeouts: before, the lock's idle session was ended
        mark = len(seen.names)
        wait_for(lambda: len(seen.names) >= mark + 2, 10)
        assert set(seen.names) == {"a"}, seen.names
    finally:
        for stop, thread in loops:
            stop.set()
            thread.join(10)


@both_engines
def test_a_list_fetched_while_the_lock_was_lost_is_not_applied(
        database_url: str, upstream: Upstream) -> None:
    first, second = hf_list(10), hf_list(10, start=20)
    other = opened(database_url)
    other_lock = other.refresher_lock()

    def take_over(n: int) -> None:  # while the holder's second fetch is under way
        if n == 2:
            cut_lock(database_url)
            wait_for(other_lock.try_acquire, 5)

    upstream.script = [Answer(200, first)]
    upstream.repeat = lambda _: Answer(200, second)
    upstream.hook = take_over
    seen = Attempts()
    store = SqlStore(database_url)
    stop, thread = looping(Refresher(config_for(database_url, upstream), store,
                                     report=seen.by("a")))
    try:
        wait_for(lambda: len(seen.seen) >= 2, 10)
    finally:
        stop.set()
        thread.join(10)
        other_lock.release()
    assert seen.seen[1] == ("a", "lost-election")
    assert store.count_snapshots() == 1
    assert store.snapshot_entries(store.latest_snapshot_id())[0][1].id == "2502.10000"
    assert len(upstream.requests) == 2  # and it stood down: the other holds the lock
    store.close()
    other.close()


@both_engines
def test_the_refresher_waits_out_a_store_that_goes_away_for_a_moment(
        flaky: Outage, upstream: Upstream) -> None:
    upstream.repeat = revalidating(hf_list(10))
    seen = Attempts()
    store = opened(flaky.url)
    stop, thread = looping(Refresher(config_for(flaky.url, upstream), store,
                                     report=seen.by("a")))
    try:
        wait_for(lambda: "new" in (o for _, o in seen.seen), 10)
        flaky.begin()
        time.sleep(1.0)  # an attempt time and a few polls with no store
        flaky.end()
        mark = len(upstream.requests)
        wait_for(lambda: len(upstream.requests) >= mark + 2, 10)
        assert thread.is_alive()
        assert seen.seen[-1][1] == "not-modified"
    finally:
        stop.set()
        thread.join(10)
    store.close()


@both_engines
def test_status_and_readyz_say_degraded_when_the_next_attempt_is_overdue(
        database_url: str) -> None:
    source = "https://upstream.example/api/daily_papers"
    app = create_app({"database_url": database_url, "source_url": source,
                      "refresh_interval": 60, "ingest_token": "tok"})
    store = app.extensions["trendfeed"].store
    ingest_file(store, HF_JSON)
    client = app.test_client()
    now = utcnow()
    for due, health in ((now - dt.timedelta(minutes=3), "degraded"),  # three intervals late
                        (now + dt.timedelta(seconds=30), "ok"),
                        (now + dt.timedelta(days=365), "degraded")):  # a clock ran ahead
        store.save_source_state(SourceState(url=source, last_attempt=now, last_success=now,
                                            last_outcome="new", next_attempt=due))
        for headers in ({}, {"Authorization": "Bearer tok"}):  # details hidden or shown
            status = client.get("/api/v1/status", headers=headers).get_json()["source"]
            assert (status["health"], status["overdue"]) == (health, health == "degraded")
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json()["status"] == ("ready" if health == "ok" else "degraded")
        if health == "degraded":
            assert ready.get_json()["overdue"] is True
            assert "upstream.example" not in ready.text
    store.close()


@both_engines
def test_readyz_names_no_database_when_the_store_fails(flaky: Outage) -> None:
    app = create_app({"database_url": flaky.url})
    ingest_file(app.extensions["trendfeed"].store, HF_JSON)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    flaky.begin()
    try:
        answer = client.get("/readyz")
    finally:
        flaky.end()
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    url = make_url(flaky.url)
    for secret in (str(url.database), str(url.port), "sqlite", "postgresql", "psycopg",
                   "unable to open", "connection"):
        assert secret.lower() not in answer.text.lower(), secret
    app.extensions["trendfeed"].store.close()


@both_engines
def test_a_one_off_refresh_stands_aside_while_another_refresher_is_elected(
        database_url: str, upstream: Upstream, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    upstream.repeat = lambda _: Answer(200, hf_list(5))
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    monkeypatch.setenv("TRENDFEED_SOURCE_URL", upstream.url)
    store = opened(database_url)
    with store.refresher_lock() as lock:
        assert lock.try_acquire()
        assert cli.main(["refresh"]) == 1
        assert "election" in capsys.readouterr().err and upstream.requests == []
    assert cli.main(["refresh"]) == 0
    assert len(upstream.requests) == 1 and store.count_snapshots() == 1
    store.close()
