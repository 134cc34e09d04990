"""Frozen migrations: a store made by the first release upgrades to exactly the schema a
fresh store has, keeping its data, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from service.listing import Listing
from service.query import parse
from service.store import SqlStore
from service.store.migrations import SCHEMA_VERSION

from .conftest import ENGINES, NOW, ingest_text

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

# Commit e59a473's step 1 (`metadata.create_all` of that day's tables, as each engine
# compiled it), then its data_version row. Copied here once: it must never change.
FIRST_RELEASE = """
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY ("key")
);
CREATE TABLE papers (
	num {serial} NOT NULL,
	id VARCHAR(128) NOT NULL,
	title TEXT NOT NULL,
	title_key TEXT NOT NULL,
	abstract TEXT NOT NULL,
	arxiv_id VARCHAR(32),
	authors TEXT NOT NULL,
	keywords TEXT NOT NULL,
	links TEXT NOT NULL,
	upvotes INTEGER,
	has_code BOOLEAN NOT NULL,
	has_project BOOLEAN NOT NULL,
	first_seen {datetime} NOT NULL,
	last_seen {datetime} NOT NULL,
	updated_at {datetime} NOT NULL,
	best_rank INTEGER NOT NULL,
	appearances INTEGER NOT NULL,
	PRIMARY KEY (num),
	UNIQUE (id),
	UNIQUE (title_key),
	UNIQUE (arxiv_id)
);
CREATE INDEX papers_first_seen ON papers (first_seen, best_rank, id);
CREATE TABLE snapshots (
	id {serial} NOT NULL,
	list_date DATE NOT NULL,
	ingested_at {datetime} NOT NULL,
	source TEXT NOT NULL,
	format VARCHAR(16) NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	paper_count INTEGER NOT NULL,
	new_count INTEGER NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE ranks (
	snapshot_id INTEGER NOT NULL,
	paper_num INTEGER NOT NULL,
	rank INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, paper_num),
	UNIQUE (snapshot_id, rank),
	FOREIGN KEY(snapshot_id) REFERENCES snapshots (id),
	FOREIGN KEY(paper_num) REFERENCES papers (num)
);
CREATE INDEX ranks_paper ON ranks (paper_num);
INSERT INTO meta ("key", value) VALUES ('data_version', 0);
INSERT INTO meta ("key", value) VALUES ('schema_version', 1)
"""

# What the first release wrote for two lists: a capture dated Mar 17, then an hf-json
# list whose new paper it dated by its HF publishedAt (2025-09-08), months back.
FIRST_RELEASE_DATA = """
INSERT INTO snapshots (id, list_date, ingested_at, source, format, sha256, paper_count, new_count)
  VALUES (1, '2026-03-17', {t}'2026-11-27 08:00:00{frac}', 'capture.txt', 'text', 'aa', 2, 2);
INSERT INTO snapshots (id, list_date, ingested_at, source, format, sha256, paper_count, new_count)
  VALUES (2, '2025-09-08', {t}'2026-11-28 08:00:00{frac}', 'hf.json', 'hf-json', 'bb', 2, 1);
INSERT INTO papers VALUES (1, 'alpha-paper', 'Alpha Paper', 'alpha paper',
  'About alpha and diffusion.', NULL, '[]', '[]',
  '{{"code": ["https://github.com/a/b"], "project": [], "other": []}}', NULL, {true}, {false},
  {t}'2026-03-17 00:00:00{frac}', {t}'2026-03-17 00:00:00{frac}',
  {t}'2026-03-17 00:00:00{frac}', 1, 1);
INSERT INTO papers VALUES (2, 'beta-paper', 'Beta Paper', 'beta paper', 'About beta.',
  '2403.99901', '["Ada Example"]', '["graphs"]', '{{"code": [], "project": [], "other": []}}',
  12, {false}, {false}, {t}'2026-03-17 00:00:00{frac}', {t}'2025-09-08 00:00:00{frac}',
  {t}'2026-11-28 08:00:00{frac}', 1, 2);
INSERT INTO papers VALUES (3, '2509.04664', 'Why Language Models Hallucinate',
  'why language models hallucinate', 'Like students facing hard exam questions.', '2509.04664',
  '["Adam Tauman Kalai"]', '[]', '{{"code": [], "project": [], "other": []}}', 26, {false},
  {false}, {t}'2025-09-08 02:44:20{frac}', {t}'2025-09-08 00:00:00{frac}',
  {t}'2025-09-08 02:44:20{frac}', 2, 1);
INSERT INTO ranks VALUES (1, 1, 2);
INSERT INTO ranks VALUES (1, 2, 1);
INSERT INTO ranks VALUES (2, 2, 1);
INSERT INTO ranks VALUES (2, 3, 2)
"""


def _script(conn: sa.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.exec_driver_sql(statement)


def _first_release_store(url: str) -> None:
    engine = sa.create_engine(url)
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        _script(conn, FIRST_RELEASE.format(
            serial="SERIAL" if pg else "INTEGER",
            datetime="TIMESTAMP WITHOUT TIME ZONE" if pg else "DATETIME"))
        _script(conn, FIRST_RELEASE_DATA.format(
            t="TIMESTAMP " if pg else "", frac="" if pg else ".000000",
            true="TRUE" if pg else "1", false="FALSE" if pg else "0"))
        if pg:  # as if the rows had been inserted through the sequences
            conn.exec_driver_sql("SELECT setval('papers_num_seq', 3)")
            conn.exec_driver_sql("SELECT setval('snapshots_id_seq', 2)")
    engine.dispose()


def schema_of(store: SqlStore) -> Any:
    """Tables, columns, indexes, constraints and the search set-up, as the engine reports
    them."""
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").all()
            # (the first release's DDL was SQLAlchemy's, laid out with other white space)
            return [(*r[:3], " ".join((r[3] or "").split())) for r in rows]
        columns = conn.exec_driver_sql(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "ORDER BY table_name, column_name").all()
        indexes = conn.exec_driver_sql(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY indexname").all()
        constraints = conn.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace "
            "ORDER BY conname").all()
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        return ([tuple(r) for r in columns],
                [tuple(str(v).replace(f"{schema}.", "") for v in r) for r in indexes],
                [tuple(r) for r in constraints])


def test_a_first_release_store_upgrades_to_the_fresh_schema(database_url: str,
                                                            tmp_path: Any) -> None:
    _first_release_store(database_url)
    old = SqlStore(database_url)
    assert old.schema_version() == 1
    assert old.migrate() == 1
    assert old.schema_version() == SCHEMA_VERSION
    upgraded = schema_of(old)

    if old.dialect == "sqlite":
        fresh = SqlStore(f"sqlite:///{tmp_path / 'fresh.db'}")
        fresh.migrate()
        assert schema_of(fresh) == upgraded
        fresh.close()
    else:  # a fresh schema on the same server
        admin = sa.create_engine(database_url)
        with admin.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA fresh_compare")
        try:
            fresh_url = database_url.replace(
                sa.engine.make_url(database_url).query["options"],
                "-csearch_path=fresh_compare")
            fresh = SqlStore(fresh_url)
            fresh.migrate()
            assert schema_of(fresh) == upgraded
            fresh.close()
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA fresh_compare CASCADE")
            admin.dispose()

    # The data came along, and reads as today's code expects.
    assert old.count_papers() == 3 and old.count_snapshots() == 2
    assert [p.id for p in old.papers(Listing(parse("diffusion"), "all"))] == ["alpha-paper"]
    assert [p.id for p in old.papers(Listing(parse("has:code"), "all"))] == ["alpha-paper"]
    assert [p.id for p in old.papers(Listing(parse("arxiv:2403.99901"), "all"))] == \
        ["beta-paper"]
    beta = old.paper("2403.99901")
    assert beta is not None and beta.id == "beta-paper"
    assert beta.last_seen == dt.datetime(2026, 11, 28, 8)  # the ingest time, not a list date
    # The hf-json list keeps its stored date: the first release took it from the newest
    # HF publishedAt, but the store cannot tell that from a --date the operator gave, and
    # an upgrade never rewrites one (step 5 as mended by issue 15; it used to put the
    # ingest day here).
    assert beta.last_list_date == dt.date(2025, 9, 8)
    assert [h.list_date for h in old.history("beta-paper")] == [dt.date(2026, 3, 17),
                                                                 dt.date(2025, 9, 8)]
    assert beta.first_seen == dt.datetime(2026, 3, 17)
    hallucinate = old.paper("2509.04664")
    assert hallucinate is not None
    # Dated by its first list now (00:00 of that list's day), not by its HF publishedAt.
    assert hallucinate.first_seen == dt.datetime(2025, 9, 8)
    assert [p.id for p in old.papers(Listing(scope="all"), limit=None)] == \
        ["alpha-paper", "beta-paper", "2509.04664"]
    # Ingesting goes on where the first release stopped.
    result = ingest_text(old, "Mar 20\n\nGamma Paper\n\nAbout gamma.\n",
                         now=NOW + dt.timedelta(days=3))
    assert result.summary() == "snapshot 3: 1 papers, 1 new"
    old.close()


def test_every_step_runs_on_a_fresh_store(database_url: str) -> None:
    store = SqlStore(database_url)
    assert store.migrate() == 0
    assert store.schema_version() == SCHEMA_VERSION
    assert store.migrate() == SCHEMA_VERSION  # nothing left to do
    store.close()
