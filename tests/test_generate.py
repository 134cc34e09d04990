"""bench.generate's real cadence: the bulk loader writes exactly what the real ingest path
writes, and the real path continues from what it leaves (both engines).

A small list (8 papers) keeps the real path fast; the history still has every kind of
refresh (new lists, the same ranking with new counts, the same bytes again), papers
leaving and coming back, a code link appearing later, and more lists than the undo
journal keeps (its depth lowered to 10 for the test).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.cadence import Shape
from bench.generate import cadence
from service.store import SqlStore, journal
from tests.conftest import ENGINES, dump

SMALL = Shape(list_size=8, arrivals_per_day=(6, 8), stay_days=(1, 2), second_wave=0.5,
              second_wave_gap_days=(1, 1), second_wave_days=(1, 1), warm=12)
DAYS = 1
DEPTH = 10  # the undo journal's depth for the test
# The FTS5 index's b-tree segments depend on how its rows were written (one batch or
# one transaction per list), not on what it holds: compared through fts5vocab instead.
FTS_SEGMENTS = {"paper_search_data", "paper_search_idx"}


def comparable(store: SqlStore) -> list[Any]:
    """Every table's rows (tests/conftest.py `dump`), but for what legitimately differs
    between two stores with the same history: the random store identity, and SQLite's
    FTS5 segments, replaced by every (term, paper, column, offset) the index holds. The
    PostgreSQL sequences are added: the next paper's number must be the same."""
    rows = [(name, found) for name, found in dump(store) if name not in FTS_SEGMENTS]
    rows = [(name, [r for r in found if "store_identity" not in r] if name == "meta" else found)
            for name, found in rows]
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab "
                                 "USING fts5vocab(main, paper_search, instance)")
            terms = conn.exec_driver_sql("SELECT * FROM temp.vocab").all()
            rows.append(("fts5vocab", sorted(repr(tuple(r)) for r in terms)))
        else:
            sequences = []
            for table, column in (("papers", "num"), ("snapshots", "id")):
                name = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table, "c": column}).scalar()
                sequences.append(tuple(conn.exec_driver_sql(
                    f"SELECT last_value, is_called FROM {name}").one()))
            rows.append(("sequences", sequences))
    return rows


def second_url(url: str, tmp_path: Path, name: str) -> str:
    """Another empty database on the same engine as `url`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    schema = parsed.query["options"].removeprefix("-csearch_path=") + "_" + name
    with sa.create_engine(parsed.set(query={})).begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def drop_schema(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        schema = parsed.query["options"].removeprefix("-csearch_path=")
        with sa.create_engine(parsed.set(query={})).begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_bulk_loader_writes_what_the_real_ingest_path_writes(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "UNDO_DEPTH", DEPTH)
    def quiet(_: str) -> None:
        pass

    others = [second_url(database_url, tmp_path, name) for name in ("bulk", "mixed")]
    try:
        real = cadence(database_url, DAYS, real_days=None, shape=SMALL, report=quiet).store
        bulk = cadence(others[0], DAYS, real_days=0, shape=SMALL, report=quiet).store
        mixed = cadence(others[1], DAYS, real_days=DAYS / 2, shape=SMALL, report=quiet).store
        try:
            assert_history_has_every_case(real)
            expected = comparable(real)
            assert comparable(bulk) == expected
            assert comparable(mixed) == expected
        finally:
            for store in (real, bulk, mixed):
                store.close()
    finally:
        for url in others:
            drop_schema(url)


def assert_history_has_every_case(store: SqlStore) -> None:
    """The comparison covers each path of the ingest (else it would show little)."""
    ticks = DAYS * 96
    with store.engine.connect() as conn:
        def value(sql: str) -> Any:
            return conn.execute(sa.text(sql)).scalar()

        lists = value("SELECT COUNT(*) FROM snapshots")
        writes_done = value("SELECT value FROM meta WHERE key = 'data_version'")
        assert lists < writes_done, "a same ranking with new counts updated the latest list"
        assert writes_done < ticks, "a refresh with the same bytes was skipped"
        runs = conn.execute(sa.text("SELECT paper_num, snapshot_id FROM ranks "
                                    "ORDER BY paper_num, snapshot_id")).all()
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM snapshots ORDER BY id"))]
        position = {snapshot_id: i for i, snapshot_id in enumerate(ids)}
        gaps = sum(1 for a, b in zip(runs, runs[1:], strict=False)
                   if a[0] == b[0] and position[b[1]] > position[a[1]] + 1)
        assert gaps > 0, "a paper left the list and came back"
        assert value("SELECT COUNT(*) FROM papers WHERE has_code") > 0
        assert value("SELECT value FROM meta WHERE key = 'undo_from'") > 1
        assert value("SELECT COUNT(DISTINCT snapshot_id) FROM paper_undo") == DEPTH
