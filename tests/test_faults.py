"""Every write path is all-or-nothing at every point (the way SQLite tests itself): the
ingest, the undo and the refresher's apply are made to fail at their first, second, ...
last SQL statement in turn (COMMIT included), through the store's own statement hook
(`Database.on_statement`), and each failure leaves the store identical to before, every
row of every table compared. Both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.config import Config
from service.refresher import Refresher
from service.store import SqlStore, StoreError, open_store
from service.store.engine import InjectedFault

from .conftest import ENGINES, HF_JSON, NOW, TRENDING, dump, ingest_file, ingest_text
from .consistency import violations
from .stubs import Answer, Upstream, hf_list, upstream_fixture  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

BASE = ("Mar 17\n\nAlpha Paper\n\nAbout alpha, see https://github.com/a/alpha.\n\n"
        "Beta Paper\n\nAbout beta.\n\nGamma Paper\n\nAbout gamma.\n")
# The next day: a new paper, a paper back with new text and a code link, one gone, a
# new order: every kind of change an ingest makes (insert, update, journal, index).
NEXT = ("Mar 18\n\nDelta Paper\n\nAbout delta.\n\nGamma Paper\n\nAbout gamma, revised: "
        "https://github.com/g/gamma.\n\nAlpha Paper\n\nAbout alpha, see "
        "https://github.com/a/alpha.\n")
# The same ranking as NEXT with new text: no new snapshot, the latest one updated.
NEXT_REVISED = NEXT.replace("About delta.", "About delta, revised.")


class Faults:
    """Counts the statements `store` runs; fails the `fail_at`-th one (1-based)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.count = 0
        self.fail_at: int | None = None

    def __call__(self, statement: str) -> None:
        self.count += 1
        if self.count == self.fail_at:
            raise InjectedFault(f"injected fault at statement {self.count}: {statement[:60]}")

    def run(self, action: Callable[[], Any], fail_at: int | None = None) -> Any:
        self.count, self.fail_at = 0, fail_at
        self.store.db.on_statement = self
        try:
            return action()
        finally:
            self.store.db.on_statement = None


def every_statement_fails_cleanly(store: SqlStore, action: Callable[[], Any]) -> int:
    """Fail `action` at its first statement, its second, ... until it runs out of
    statements to fail and succeeds; after each failure the store is what it was.
    Returns how many statements the action runs."""
    faults = Faults(store)
    before = dump(store)
    for n in range(1, 10_000):
        try:
            faults.run(action, fail_at=n)
        except StoreError as exc:
            assert "injected fault" in str(exc), exc
            assert dump(store) == before, f"a fault at statement {n} left a half-written store"
            continue
        assert faults.count == n - 1  # it ran whole: every statement was failed once
        assert dump(store) != before and violations(store) == []
        return faults.count
    raise AssertionError("the action never finished")


def test_a_new_list_fails_cleanly_at_every_statement(store: SqlStore) -> None:
    ingest_text(store, BASE)
    total = every_statement_fails_cleanly(
        store, lambda: ingest_text(store, NEXT, now=NOW.replace(hour=9)))
    print(f"ingest of a new list: {total} statements")
    assert total > 10


def test_the_same_ranking_again_fails_cleanly_at_every_statement(store: SqlStore) -> None:
    ingest_text(store, BASE)
    ingest_text(store, NEXT, now=NOW.replace(hour=9))
    total = every_statement_fails_cleanly(
        store, lambda: ingest_text(store, NEXT_REVISED, now=NOW.replace(hour=10)))
    print(f"ingest of the same ranking with new text: {total} statements")


def test_an_undo_fails_cleanly_at_every_statement(store: SqlStore) -> None:
    ingest_text(store, BASE)
    ingest_text(store, NEXT, now=NOW.replace(hour=9))
    total = every_statement_fails_cleanly(store, store.undo_latest)
    assert [s.id for s in store.snapshots()] == [1]
    print(f"undo: {total} statements")


def test_an_hf_list_over_a_capture_fails_cleanly_at_every_statement(store: SqlStore) -> None:
    ingest_file(store, TRENDING)  # 74 papers; the hf list names one of them by title
    total = every_statement_fails_cleanly(
        store, lambda: ingest_file(store, HF_JSON, now=NOW.replace(hour=9)))
    print(f"ingest of an hf-json list over a capture: {total} statements")


# -- the refresher's path: fetch, check, apply and record ------------------------------------


def _data(store: SqlStore) -> list[Any]:
    """Every table but what the refresher records of its attempts (which must record
    the failure: SPEC 9)."""
    return [(name, rows) for name, rows in dump(store) if name != "source_state"]


def test_a_refresh_fails_cleanly_at_every_statement(database_url: str,
                                                    upstream: Upstream) -> None:
    config = Config.from_env({}, database_url=database_url, source_url=upstream.url,
                             refresh_interval=60)
    store = open_store(database_url)
    try:
        ingest_text(store, BASE)
        upstream.repeat = lambda _headers: Answer(200, hf_list(6))
        refresher = Refresher(config, store, report=lambda *_, **__: None)
        faults = Faults(store)
        before = _data(store)
        for n in range(1, 10_000):
            state = faults.run(refresher.run_once, fail_at=n)
            if state.last_outcome == "new":
                break
            # The attempt failed at its n-th statement: recorded as a store failure,
            # nothing else changed.
            assert state.last_outcome == "store" and "injected fault" in (state.last_error or "")
            assert _data(store) == before, f"a fault at statement {n} left a half-written store"
            recorded = store.source_state()
            assert recorded is not None and recorded.failures >= 1
        else:
            raise AssertionError("the refresh never finished")
        assert faults.count == n - 1 and _data(store) != before and violations(store) == []
        assert store.source_state().last_outcome == "new"  # type: ignore[union-attr]
        print(f"refresh (fetch, check, apply, record): {faults.count} statements")
    finally:
        store.close()
