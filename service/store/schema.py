"""Tables and migrations of the store, for SQLite and PostgreSQL alike.

Migrations are an ordered list; the schema version is the number applied, kept in
`meta`. `migrate()` brings any older store up to date in one transaction and refuses
a store newer than this code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()
EPOCH = dt.datetime(1970, 1, 1)

meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

papers = sa.Table(
    "papers", metadata,
    sa.Column("num", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(128), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_key", sa.Text, nullable=False, unique=True),
    sa.Column("abstract", sa.Text, nullable=False),
    sa.Column("arxiv_id", sa.String(32), unique=True),
    sa.Column("authors", sa.Text, nullable=False),  # JSON array of strings
    sa.Column("keywords", sa.Text, nullable=False),  # JSON array of strings
    sa.Column("links", sa.Text, nullable=False),  # JSON {"code": [], "project": [], "other": []}
    sa.Column("upvotes", sa.Integer),
    sa.Column("has_code", sa.Boolean, nullable=False),
    sa.Column("has_project", sa.Boolean, nullable=False),
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("best_rank", sa.Integer, nullable=False),
    sa.Column("appearances", sa.Integer, nullable=False),
    # first_seen and insertion order in one integer (see search_key()); added by v3
    sa.Column("search_key", sa.BigInteger),
    sa.Index("papers_first_seen", "first_seen", "best_rank", "id"),
)

snapshots = sa.Table(
    "snapshots", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("list_date", sa.Date, nullable=False),
    sa.Column("ingested_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("paper_count", sa.Integer, nullable=False),
    sa.Column("new_count", sa.Integer, nullable=False),
)

ranks = sa.Table(
    "ranks", metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id"), primary_key=True),
    sa.Column("paper_num", sa.Integer, sa.ForeignKey("papers.num"), primary_key=True),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.UniqueConstraint("snapshot_id", "rank"),
    sa.Index("ranks_paper", "paper_num"),
)

SEARCH_FIELDS = ("title", "abstract", "authors", "keywords")
SEQUENCE_BITS = 20


def search_key(first_seen: dt.datetime, num: int) -> int:
    """first_seen (whole seconds) then insertion order, in one integer: sorting by it
    descending is "newest first_seen first, earlier-stored first within one moment". It is
    the SQLite FTS rowid, so a keyword feed over any history is a rowid-ordered index scan
    that stops after `limit` matches. Never changes: first_seen never does."""
    seconds = int((first_seen - EPOCH).total_seconds())
    return (seconds << SEQUENCE_BITS) + ((1 << SEQUENCE_BITS) - 1 - num % (1 << SEQUENCE_BITS))

# The search index: one row per paper, keyed by papers.num, holding the words of
# service.words for each field. SQLite: an FTS5 table (its rowid is papers.num).
# PostgreSQL: tsvector columns with GIN indexes.
paper_search_pg = sa.Table(
    "paper_search", sa.MetaData(),
    sa.Column("num", sa.Integer, primary_key=True),  # papers.num
    sa.Column("search_key", sa.BigInteger, nullable=False),  # papers.search_key
    sa.Column("doc", postgresql.TSVECTOR, nullable=False),
)
paper_search_sqlite = sa.table("paper_search", sa.column("rowid"), sa.column("paper_search"),
                               *(sa.column(f) for f in (*SEARCH_FIELDS, "flags")))


def _v1_core(conn: sa.Connection) -> None:
    metadata.create_all(conn)
    conn.execute(meta.insert(), [{"key": "data_version", "value": 0}])


def _v2_search(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE paper_search USING fts5("
            + ", ".join(SEARCH_FIELDS)
            + ", tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')")
    else:  # the shape of version 2 (version 4 replaces it)
        conn.exec_driver_sql(
            "CREATE TABLE paper_search (num INTEGER PRIMARY KEY, "
            + ", ".join(f"{field} tsvector NOT NULL" for field in SEARCH_FIELDS) + ")")
    # (v3 fills the index.)


def _v3_search_key(conn: sa.Connection) -> None:
    """papers.search_key; SQLite's FTS table rebuilt on it, with a `flags` column so that
    a whole query (has: filters and exclusions included) is one MATCH expression."""
    if "search_key" not in {c["name"] for c in sa.inspect(conn).get_columns("papers")}:
        conn.execute(sa.text("ALTER TABLE papers ADD COLUMN search_key BIGINT"))
    rows = conn.execute(sa.select(papers.c.num, papers.c.first_seen)).all()
    if rows:
        conn.execute(papers.update().where(papers.c.num == sa.bindparam("n"))
                     .values(search_key=sa.bindparam("k")),
                     [{"n": num, "k": search_key(first_seen, num)} for num, first_seen in rows])
    conn.execute(sa.text("CREATE UNIQUE INDEX papers_search_key ON papers (search_key)"))
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TABLE paper_search")
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE paper_search USING fts5("
            + ", ".join((*SEARCH_FIELDS, "flags"))
            + ", tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')")
    if conn.dialect.name == "sqlite":
        from .search import reindex_all  # the one place that turns a paper into index words

        reindex_all(conn)


def _v4_pg_document(conn: sa.Connection) -> None:
    """PostgreSQL: one weighted tsvector per paper (fields in separate position ranges,
    has: flags as lexemes) beside its search_key, so that a whole query is one tsquery
    the planner can estimate, and "newest first" can walk the search_key index."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql("DROP TABLE paper_search")
    paper_search_pg.create(conn)
    conn.exec_driver_sql("CREATE INDEX paper_search_doc ON paper_search USING gin (doc)")
    conn.exec_driver_sql("CREATE INDEX paper_search_key ON paper_search (search_key)")
    from .search import reindex_all

    reindex_all(conn)


MIGRATIONS: list[Callable[[sa.Connection], None]] = [
    _v1_core, _v2_search, _v3_search_key, _v4_pg_document]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(RuntimeError):
    pass


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value or 0)


def migrate(conn: sa.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing migrations inside the caller's transaction; returns the old version."""
    if conn.dialect.name == "postgresql":
        # Workers starting together: one migrates, the others wait and then see it done.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7413550)"))
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"the store has schema version {version}, newer than this "
                          f"trendfeed ({SCHEMA_VERSION}); upgrade trendfeed")
    for step in MIGRATIONS[version:target]:
        step(conn)
    if target > version:
        if version == 0:
            conn.execute(meta.insert(), [{"key": "schema_version", "value": target}])
        else:
            conn.execute(meta.update().where(meta.c.key == "schema_version")
                         .values(value=target))
    return version
