"""Writes are serialized (SPEC 3): an ingest or an undo takes the store's write lock
before it reads anything it will change, so writers in any interleaving leave the store
as one order of them would; snapshot ids are never used twice; caches key on the
store's identity. Both engines; PostgreSQL (READ COMMITTED) is where races show."""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from service import create_app
from service.model import SourceState
from service.store import SqlStore, open_store

from .conftest import ENGINES, NOW, TRENDING, ingest_file, ingest_text, serving
from .consistency import violations

RACE_SECONDS = float(os.environ.get("TRENDFEED_RACE_SECONDS", "60"))
AUTH = {"Authorization": "Bearer secret"}


def capture(day: int, numbers: list[int]) -> str:
    """A text capture dated Mar `day` holding the pool's papers `numbers`, in that order."""
    papers = "".join(f"Pool Paper {n}\n\nAbout pool paper {n} and diffusion.\n\n"
                     for n in numbers)
    return f"Mar {day}\n\n{papers}"


def pause_at(store: SqlStore, prefix: str) -> tuple[threading.Event, threading.Event]:
    """Make `store`'s next statement starting with `prefix` wait: (reached, release)."""
    reached, release = threading.Event(), threading.Event()

    def hook(statement: str) -> None:
        if statement.lstrip().upper().startswith(prefix) and not reached.is_set():
            reached.set()
            release.wait(30)

    store.db.on_statement = hook
    return reached, release


def wait_until_blocked(store: SqlStore, started: threading.Event) -> None:
    """Until the other writer waits for the write lock (PostgreSQL: its backend waits on a
    lock; SQLite shows nothing, so give its busy handler a moment)."""
    started.wait(10)
    if store.dialect != "postgresql":
        time.sleep(0.3)
        return
    for _ in range(200):
        with store.engine.connect() as conn:
            if conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE "
                                    "wait_event_type = 'Lock' AND datname = current_database()")
                            ).scalar():
                return
        time.sleep(0.05)
    raise AssertionError("the second writer never waited for the lock")


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any],
                                                   threading.Event]:
    out: dict[str, Any] = {}
    started = threading.Event()

    def run() -> None:
        started.set()
        try:
            out["value"] = target()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out, started


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_undo_that_waits_behind_an_ingest_undoes_that_ingest(database_url: str) -> None:
    ingesting, undoing = open_store(database_url), open_store(database_url)
    try:
        ingest_text(ingesting, capture(17, [1, 2, 3]))
        reached, release = pause_at(ingesting, "INSERT INTO SNAPSHOTS")
        ingest, ingested, _ = in_thread(lambda: ingest_text(ingesting, capture(18, [3, 4, 5]),
                                                            now=NOW.replace(hour=9)))
        assert reached.wait(10)  # the ingest holds the write lock, its snapshot unwritten
        undo, undone, started = in_thread(undoing.undo_latest)
        wait_until_blocked(undoing, started)
        release.set()
        ingest.join(30)
        undo.join(30)
        assert "error" not in ingested and "error" not in undone, (ingested, undone)
        assert undone["value"].id == ingested["value"].snapshot.id == 2
        assert [s.id for s in undoing.snapshots()] == [1]
        assert violations(undoing) == []
    finally:
        ingesting.close()
        undoing.close()


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_two_undos_at_once_remove_two_snapshots(database_url: str) -> None:
    first, second = open_store(database_url), open_store(database_url)
    try:
        for day in (17, 18, 19):
            ingest_text(first, capture(day, [day, day + 1, 1]), now=NOW.replace(day=day))
        reached, release = pause_at(first, "DELETE FROM RANKS")
        one, one_out, _ = in_thread(first.undo_latest)
        assert reached.wait(10)
        other, other_out, started = in_thread(second.undo_latest)
        wait_until_blocked(second, started)
        release.set()
        one.join(30)
        other.join(30)
        assert sorted([one_out["value"].id, other_out["value"].id]) == [2, 3]
        assert [s.id for s in second.snapshots()] == [1]
        assert violations(second) == []
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_snapshot_ids_are_never_used_twice(store: SqlStore) -> None:
    ids = []
    for n in range(4):
        ids.append(ingest_text(store, capture(17, [n, n + 1])).snapshot.id)
        if n % 2:
            store.undo_latest()
            store.undo_latest()
    assert ids == [1, 2, 3, 4] and [s.id for s in store.snapshots()] == []
    assert ingest_file(store, TRENDING).snapshot.id == 5


def test_a_replaced_store_file_is_never_answered_from_the_old_cache(tmp_path: Path) -> None:
    served, other = tmp_path / "served.db", tmp_path / "other.db"
    for path, text in ((served, capture(17, [1, 2])), (other, capture(17, [8, 9]))):
        made = open_store(f"sqlite:///{path}")
        ingest_text(made, text)
        assert made.data_state().version == 1  # the same data version in both
        made.close()
    app = create_app({"database_url": f"sqlite:///{served}", "version_check": 0})
    try:
        client = app.test_client()
        assert "Pool Paper 1" in client.get("/feeds/trending.atom").text
        shutil.copyfile(other, tmp_path / "incoming.db")
        os.replace(tmp_path / "incoming.db", served)  # as an operator restores a backup
        body = client.get("/feeds/trending.atom").text
        assert "Pool Paper 8" in body and "Pool Paper 1" not in body
    finally:
        app.extensions["trendfeed"].store.close()


# -- a race of several clients over HTTP --------------------------------------------------


def _client_loop(base: str, seed: int, deadline: float, outcomes: Counter[str]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
        while time.monotonic() < deadline:
            if rng.random() < 0.4:
                response = client.delete("/api/v1/snapshots/latest")
                outcomes[f"DELETE {response.status_code}"] += 1
            else:
                numbers = rng.sample(range(40), rng.randint(3, 25))
                response = client.post("/api/v1/snapshots",
                                       content=capture(rng.randint(1, 28), numbers),
                                       headers={"Content-Type": "text/plain"})
                outcomes[f"POST {response.status_code}"] += 1


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_race_of_posts_and_deletes_leaves_every_paper_agreeing_with_its_rankings(
        database_url: str, tmp_path: Path) -> None:
    env = {"TRENDFEED_DATABASE_URL": database_url, "TRENDFEED_INGEST_TOKEN": "secret",
           "TRENDFEED_SAMPLE": "off"}
    outcomes: Counter[str] = Counter()
    with serving(tmp_path, env, workers=2) as server:
        deadline = time.monotonic() + RACE_SECONDS
        clients = [threading.Thread(target=_client_loop,
                                    args=(server.base, seed, deadline, outcomes))
                   for seed in range(6)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    store = open_store(database_url)
    try:
        found = violations(store)
        ids = [s.id for s in store.snapshots(limit=10_000)]
    finally:
        store.close()
    print(f"race for {RACE_SECONDS:g} s: {dict(sorted(outcomes.items()))}, "
          f"{len(ids)} snapshots left, {len(found)} violations")
    assert found == [], found[:20]
    allowed = {"POST 201", "POST 200", "DELETE 200", "DELETE 409"}
    assert set(outcomes) <= allowed, outcomes
    assert outcomes["POST 201"] > 20 and outcomes["DELETE 200"] > 10, outcomes
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_every_undo_leaves_every_paper_agreeing_with_its_rankings(store: SqlStore) -> None:
    rng = random.Random(7)
    undos = 0
    for step in range(60):
        if store.latest_snapshot() is not None and rng.random() < 0.4:
            store.undo_latest()
            undos += 1
            assert violations(store) == [], f"after undo {undos} (step {step})"
        else:
            day = rng.randint(1, 28)
            ingest_text(store, capture(day, rng.sample(range(30), rng.randint(2, 12))),
                        now=NOW.replace(hour=step % 24))
    assert undos > 10


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_undo_makes_the_refresher_forget_the_validators_of_its_fetch(
        store: SqlStore) -> None:
    ingest_text(store, capture(17, [1, 2]))
    store.save_source_state(SourceState(url="http://upstream.test/list", etag='"v2"',
                                        last_modified="Tue, 01 Dec 2026 08:00:00 GMT",
                                        failures=0))
    store.undo_latest()
    state = store.source_state()
    # The next attempt fetches the list again instead of hearing "not modified" and
    # leaving the store on the undone list.
    assert state is not None and state.etag is None and state.last_modified is None
    assert state.url == "http://upstream.test/list"


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_list_writes_its_changed_papers_and_its_undo_restores_them_in_a_few_statements(
        store: SqlStore) -> None:
    """Round trips do not grow with the list's changed papers (at the 15-minute cadence
    every list moves about 50): one INSERT of the journal per ingest, one UPDATE of
    papers per set of changed columns, one UPDATE restoring every row per undo
    (PostgreSQL's ingest was 50 ms, a round trip per journal row and per paper). What
    new papers cost (an id check, an INSERT) still grows with the new papers."""
    numbers = list(range(40))
    ingest_text(store, capture(1, numbers))
    random.Random(4).shuffle(numbers)
    seen: list[str] = []
    store.db.on_statement = seen.append
    try:
        ingest_text(store, capture(2, numbers), now=NOW.replace(hour=9))
        journal_inserts = [s for s in seen if s.startswith("INSERT INTO paper_undo")]
        paper_updates = [s for s in seen if s.startswith("UPDATE papers SET")]
        seen.clear()
        store.undo_latest()
    finally:
        store.db.on_statement = None
    assert len(journal_inserts) == 1
    print(f"UPDATE papers statements for 40 changed papers: {len(paper_updates)}")
    assert 1 <= len(paper_updates) <= 4  # one per set of changed columns
    restores = [s for s in seen if s.startswith("UPDATE papers SET") and "title_key=" in
                s.replace(" = ", "=") and "#undo" not in s and "title=" in s.replace(" = ", "=")]
    assert len(restores) == 1, seen
    assert violations(store) == []
