"""Upgrades from real old stores, on SQLite and on PostgreSQL.

tests/data/stores holds, for every schema version a release wrote (2 to 6), an SQLite
file and a PostgreSQL dump, each made by that release's own CLI ingesting the same dated
lists (tests/data/stores/make_stores.py, which names the commits): two captures with
--date, an hf-json list with --date, one without, a capture dated before the others (a
backfill) and an hf-json list with an entry that has no publishedAt; from version 5 on
also one more list and its undo. Each store is upgraded by today's code and every fact
stored before (every row of every table, every column the old schema had; the search
index, derived from the papers, is left out) is compared with what is stored after.
The only changes allowed are the corrections step 5 documents, stated in `_corrected`;
every list date stays as stored, whoever chose it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service.ingest import ingest_bytes
from service.listing import Listing
from service.store import SqlStore, UndoError, open_store
from service.store.migrations import SCHEMA_VERSION
from service.store.schema import search_key

from .conftest import DATA, ENGINES
from .consistency import violations

STORES = DATA / "stores"
LISTS = STORES / "lists"
VERSIONS = sorted(int(path.name[1:].split(".")[0]) for path in STORES.glob("v*.sqlite"))
FIRST_HONEST = 5  # the first version whose code dated lists and papers as today's does
DATA_TABLES = ("papers", "snapshots", "ranks", "paper_undo", "source_state")

Facts = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def test_every_version_a_release_wrote_is_here() -> None:
    # Version 1 alone was never written: the first release already ran steps 1 and 2.
    # A release that adds a step makes a store of the version before it here.
    earlier = set(range(2, SCHEMA_VERSION))
    assert earlier <= set(VERSIONS) <= earlier | {SCHEMA_VERSION}
    for version in VERSIONS:
        assert (STORES / f"v{version}.postgresql.sql").is_file()


@pytest.fixture(params=[pytest.param(v, id=f"v{v}") for v in VERSIONS])
def old_store(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[int, str]]:
    """The database at `database_url` holding the store that version wrote."""
    version: int = request.param
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(STORES / f"v{version}.sqlite", str(url.database))
    else:
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:  # psycopg runs a script of many statements at once
            conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                (STORES / f"v{version}.postgresql.sql").read_text())
        engine.dispose()
    yield version, database_url


_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _value(value: Any) -> Any:
    """One stored value as both engines and both schema versions can compare it: SQLite's
    date text as dates, JSON text (PostgreSQL made it JSONB in step 5) as JSON."""
    if not isinstance(value, str):
        return value
    if _DATETIME.fullmatch(value):
        return dt.datetime.fromisoformat(value)
    if _DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def facts(url: str) -> Facts:
    """Every row of every table but the search index, keyed by its primary key."""
    engine = sa.create_engine(url)
    out: Facts = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in inspector.get_table_names():
            if name.startswith(("paper_search", "sqlite_")):
                continue
            key = inspector.get_pk_constraint(name)["constrained_columns"]
            rows = conn.exec_driver_sql(f"SELECT * FROM {name}").mappings()
            out[name] = {tuple(row[k] for k in key): {c: _value(v) for c, v in row.items()}
                         for row in rows}
    engine.dispose()
    return out


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _corrected(version: int, before: Facts) -> Facts:
    """What every old row must hold after the upgrade: the same, but for what a step
    documents it corrects."""
    after = {table: {key: dict(row) for key, row in rows.items()}
             for table, rows in before.items()}
    after["meta"][("schema_version",)]["value"] = SCHEMA_VERSION
    if version >= FIRST_HONEST:
        return after
    # Step 5, on a store whose code dated hf-json papers by their HF publishedAt and kept
    # the latest list date as last_seen. Every list date stays as stored.
    snapshots = before["snapshots"]
    held: dict[int, list[int]] = {}
    for snapshot_id, num in before["ranks"]:
        held.setdefault(num, []).append(snapshot_id)
    for (num,), paper in after["papers"].items():
        first, last = snapshots[(min(held[num]),)], snapshots[(max(held[num]),)]
        if first["format"] == "hf-json":  # dated by that list now, not by publication
            paper["first_seen"] = min(_midnight(first["list_date"]), first["ingested_at"])
        paper["last_seen"] = last["ingested_at"]  # an ingest time, no longer a list date
        paper["updated_at"] = max(paper["updated_at"], paper["first_seen"])
        if "search_key" in paper:  # it is made of first_seen
            paper["search_key"] = search_key(paper["first_seen"], num)
    return after


def _upgrade(url: str) -> tuple[Facts, Facts]:
    before = facts(url)
    open_store(url).close()
    return before, facts(url)


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_upgrade_keeps_every_stored_fact(old_store: tuple[int, str]) -> None:
    version, url = old_store
    before, after = _upgrade(url)
    assert before["meta"][("schema_version",)]["value"] == version
    assert set(after) >= set(before)
    expected = _corrected(version, before)
    for table, rows in expected.items():
        if table != "meta":  # later steps may add keys to meta; no other table gains rows
            assert set(after[table]) == set(rows), table
        for key, row in rows.items():
            kept = {column: after[table][key][column] for column in row}
            assert kept == row, f"{table} {key}"

    # The same, spelled out for the dates an operator gave (what the first text of step
    # 5 threw away) and for the papers the old code dated by their HF publishedAt.
    shots = {key[0]: row for key, row in after["snapshots"].items()}
    assert [shots[i]["list_date"].isoformat() for i in (1, 2, 3, 5, 6)] == \
        ["2026-03-17", "2026-03-18", "2026-03-19", "2026-03-10", "2026-03-20"]
    paper = {row["id"]: row for row in after["papers"].values()}
    old = {row["id"]: row for row in before["papers"].values()}
    assert paper["2603.10001"]["first_seen"] == dt.datetime(2026, 3, 19)  # its --date
    # The capture of Mar 10, ingested after the one of Mar 17, does not move that paper.
    assert paper["metamixer-is-all-you-need"]["first_seen"] == dt.datetime(2026, 3, 17)
    if version < FIRST_HONEST:
        # The old code dated this paper by its HF submission (publishedAt) ...
        assert old["2603.10001"]["first_seen"] == dt.datetime(2026, 3, 2, 2, 44, 20, 973000)
        # ... and the undated hf-json list by its newest publishedAt: kept, since the
        # store cannot tell it from a --date (docs/design.md).
        assert shots[4]["list_date"] == dt.date(2026, 3, 14)
        assert paper["2603.10003"]["first_seen"] == dt.datetime(2026, 3, 14)
        # The old last_seen, the latest list date, is still in the rankings.
        for (num,), row in before["papers"].items():
            dates = [before["snapshots"][(s,)]["list_date"] for s, n in before["ranks"]
                     if n == num]
            assert row["last_seen"] == _midnight(max(dates))
    else:  # that version's code dated an undated hf-json list by its ingest day
        assert shots[4]["list_date"] == shots[4]["ingested_at"].date()
    # Step 7: today's upstream fields are null in an older store, the id counter starts
    # above every stored snapshot, and the store gets an identity of its own. A store
    # that step 7's code wrote keeps its own (the fields, and the id its undo freed).
    if version < 7:
        for row in after["papers"].values():
            assert [row[name] for name in ("ai_summary", "thumbnail", "github_stars",
                                           "comments", "organization", "hf_daily_at")] == \
                [None] * 6
        assert after["meta"][("last_snapshot_id",)]["value"] == max(shots)
    else:
        assert after["meta"][("last_snapshot_id",)]["value"] == max(shots) + 1  # 7, undone
        assert {row["comments"] for row in after["papers"].values()} >= {1}
    assert after["meta"][("store_identity",)]["value"] > 0


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_upgraded_store_dates_papers_as_today_s_code_would(
        old_store: tuple[int, str], tmp_path: Path) -> None:
    """The same lists ingested by today's code, each with the list date and ingest time
    the old store holds, give every paper the dates and counts the upgrade gave it."""
    _, url = old_store
    upgraded = open_store(url)
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    for snapshot in reversed(upgraded.snapshots()):
        result = ingest_bytes(reference, (LISTS / snapshot.source).read_bytes(),
                              source=snapshot.source, list_date=snapshot.list_date,
                              now=snapshot.ingested_at)
        assert result.snapshot.list_date == snapshot.list_date

    def dates(store: SqlStore) -> dict[str, Any]:
        papers = store.papers(Listing(scope="all"), limit=None)
        assert len(papers) == store.count_papers()
        return {p.id: (p.arxiv_id, p.first_seen, p.last_seen, p.last_list_date, p.best_rank,
                       p.appearances) for p in papers}

    def lists(store: SqlStore) -> list[Any]:
        return [(s.list_date, s.ingested_at, s.paper_count, s.new_count,
                 [p.id for _, p in store.snapshot_entries(s.id)]) for s in store.snapshots()]

    assert dates(upgraded) == dates(reference)
    assert lists(upgraded) == lists(reference)
    upgraded.close()
    reference.close()


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_upgraded_store_takes_an_ingest_and_its_undo(old_store: tuple[int, str]) -> None:
    version, url = old_store
    store = open_store(url)
    assert violations(store) == []
    upgraded = facts(url)
    latest = store.latest_snapshot()
    assert latest is not None and latest.id == 6

    result = ingest_bytes(store, (LISTS / "capture-0321.txt").read_bytes(),
                          source="capture-0321.txt", list_date=dt.date(2026, 3, 21),
                          now=latest.ingested_at + dt.timedelta(hours=1))
    assert result.snapshot.id > 6 and result.summary().endswith("3 papers, 1 new")
    assert violations(store) == []
    assert store.undo_latest().id == result.snapshot.id
    assert violations(store) == []
    undone = facts(url)
    # What the lists made is as it was; meta (the data version, and whatever bookkeeping
    # a later step keeps there) moves on with every write.
    assert {t: undone[t] for t in DATA_TABLES} == {t: upgraded[t] for t in DATA_TABLES}

    # The old lists themselves: undoable where the old code kept a journal.
    if version < FIRST_HONEST:
        with pytest.raises(UndoError, match="before this version"):
            store.undo_latest()
    else:
        assert store.undo_latest().id == 6
        assert violations(store) == []
        assert store.paper("2603.10005") is None  # first held by that list
    store.close()
