"""The store's schema history: an ordered list of frozen steps (the miniflux way).

Each step is fixed SQL per engine that never changes once released; a fresh store runs
every step in order, an older store the ones it lacks, all in one transaction, and the
schema version is the number of steps applied (kept in `meta`). A store newer than this
code is refused. Steps only shape tables and move stored values with fixed SQL; the
search index, which is derived from the papers, is rebuilt once at the end by today's
code whenever a step asks for it.

New steps go at the end. Never edit a released step: write another.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from .engine import StoreError
from .first_release import V1_POSTGRESQL, V1_SQLITE
from .schema import meta


class SchemaError(StoreError):
    """The store's schema cannot be used by this code (newer than it)."""


@dataclass(frozen=True)
class Step:
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]
    reindex: bool = False  # rebuild the search index after the last step


# -- 1: the first release (commit e59a473): papers, snapshots, ranks, meta ------------
# (its fixed SQL lives in first_release.py)

_FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 0', prefix='2 3 4'"

# -- 3: search_key = (first_seen in whole seconds << 20) + (2**20 - 1 - num % 2**20) ------

_SEARCH_KEY_SQLITE = ("(CAST(strftime('%s', first_seen) AS INTEGER) << 20) "
                      "+ (1048575 - num % 1048576)")
_SEARCH_KEY_POSTGRESQL = ("(CAST(FLOOR(EXTRACT(EPOCH FROM first_seen)) AS BIGINT) << 20) "
                          "+ (1048575 - MOD(num, 1048576))")

# -- 5: honest dates, upvotes per list, the undo journal --------------------------------

_LATEST_RANK = ("FROM ranks r JOIN snapshots s ON s.id = r.snapshot_id "
                "WHERE r.paper_num = papers.num")
# The list that first held a paper: before step 5 nothing was ever undone, so it is the
# snapshot that stored the paper.
_FIRST_LIST = f"{_LATEST_RANK} ORDER BY r.snapshot_id LIMIT 1"

STEPS: tuple[Step, ...] = (
    Step(sqlite=V1_SQLITE, postgresql=V1_POSTGRESQL),
    # 2: the search index, one column per field
    Step(
        sqlite=(f"CREATE VIRTUAL TABLE paper_search USING fts5("
                f"title, abstract, authors, keywords, {_FTS_OPTIONS})",),
        postgresql=(
            "CREATE TABLE paper_search (num SERIAL NOT NULL, title TSVECTOR NOT NULL, "
            "abstract TSVECTOR NOT NULL, authors TSVECTOR NOT NULL, "
            "keywords TSVECTOR NOT NULL, PRIMARY KEY (num))",
            *(f"CREATE INDEX paper_search_{f} ON paper_search USING gin ({f})"
              for f in ("title", "abstract", "authors", "keywords")),
        ),
        reindex=True,
    ),
    # 3: papers.search_key; SQLite's index keyed by it, with a `flags` column
    Step(
        sqlite=(
            "ALTER TABLE papers ADD COLUMN search_key BIGINT",
            f"UPDATE papers SET search_key = {_SEARCH_KEY_SQLITE}",
            "CREATE UNIQUE INDEX papers_search_key ON papers (search_key)",
            "DROP TABLE paper_search",
            f"CREATE VIRTUAL TABLE paper_search USING fts5("
            f"title, abstract, authors, keywords, flags, {_FTS_OPTIONS})",
        ),
        postgresql=(
            "ALTER TABLE papers ADD COLUMN search_key BIGINT",
            f"UPDATE papers SET search_key = {_SEARCH_KEY_POSTGRESQL}",
            "CREATE UNIQUE INDEX papers_search_key ON papers (search_key)",
        ),
        reindex=True,
    ),
    # 4: PostgreSQL: one weighted tsvector per paper beside its search_key
    Step(
        sqlite=(),
        postgresql=(
            "DROP TABLE paper_search",
            "CREATE TABLE paper_search (num SERIAL NOT NULL, search_key BIGINT NOT NULL, "
            "doc TSVECTOR NOT NULL, PRIMARY KEY (num))",
            "CREATE INDEX paper_search_doc ON paper_search USING gin (doc)",
            "CREATE INDEX paper_search_key ON paper_search (search_key)",
        ),
        reindex=True,
    ),
    # 5: published, submitter, last_list_date; upvotes per list; the undo journal.
    # Dates made honest without losing one the operator gave: every list date is kept
    # as stored (an hf-json list's may be its --date, or the day of its newest HF
    # publishedAt when it had none; the store cannot tell which, so neither is changed);
    # a paper first held by an hf-json list, which was dated by its own HF publishedAt,
    # is dated by that list (min of its date and ingest time, today's rule); a paper
    # first held by a capture keeps its first_seen, which was that list's date already;
    # last_seen is the ingest time of the latest snapshot holding it (it used to be the
    # latest list date, which every snapshot still holds).
    # Mended by issue 15: as first released, this step set every hf-json list's date to
    # its ingest day and first_seen to the earliest list date holding the paper. Only a
    # store below version 5 runs it, and on a fresh store both texts change no row, so a
    # store that ran the first text keeps its history (docs/design.md: what is lost).
    Step(
        sqlite=(
            "ALTER TABLE papers ADD COLUMN published DATETIME",
            "ALTER TABLE papers ADD COLUMN submitter TEXT",
            "ALTER TABLE papers ADD COLUMN last_list_date DATE",
            "ALTER TABLE ranks ADD COLUMN upvotes INTEGER",
            "CREATE TABLE paper_undo (snapshot_id INTEGER NOT NULL, "
            "paper_num INTEGER NOT NULL, before TEXT, PRIMARY KEY (snapshot_id, paper_num), "
            "FOREIGN KEY(snapshot_id) REFERENCES snapshots (id))",
            f"UPDATE papers SET "
            f"last_seen = COALESCE((SELECT s.ingested_at {_LATEST_RANK} "
            f"ORDER BY r.snapshot_id DESC LIMIT 1), last_seen), "
            f"last_list_date = (SELECT s.list_date {_LATEST_RANK} "
            f"ORDER BY r.snapshot_id DESC LIMIT 1)",
            f"UPDATE papers SET first_seen = (SELECT MIN(s.list_date || ' 00:00:00.000000', "
            f"s.ingested_at) {_FIRST_LIST}) "
            f"WHERE (SELECT s.format {_FIRST_LIST}) = 'hf-json'",
            "UPDATE papers SET updated_at = first_seen WHERE updated_at < first_seen",
            f"UPDATE papers SET search_key = {_SEARCH_KEY_SQLITE}",
            "INSERT INTO meta (\"key\", value) "
            "SELECT 'undo_from', COALESCE(MAX(id), 0) + 1 FROM snapshots",
        ),
        postgresql=(
            "ALTER TABLE papers ADD COLUMN published TIMESTAMP WITHOUT TIME ZONE",
            "ALTER TABLE papers ADD COLUMN submitter TEXT",
            "ALTER TABLE papers ADD COLUMN last_list_date DATE",
            "ALTER TABLE ranks ADD COLUMN upvotes INTEGER",
            "ALTER TABLE papers ALTER COLUMN authors TYPE JSONB USING authors::jsonb",
            "ALTER TABLE papers ALTER COLUMN keywords TYPE JSONB USING keywords::jsonb",
            "ALTER TABLE papers ALTER COLUMN links TYPE JSONB USING links::jsonb",
            "CREATE TABLE paper_undo (snapshot_id INTEGER NOT NULL, "
            "paper_num INTEGER NOT NULL, before JSONB, PRIMARY KEY (snapshot_id, paper_num), "
            "FOREIGN KEY(snapshot_id) REFERENCES snapshots (id))",
            f"UPDATE papers SET "
            f"last_seen = COALESCE((SELECT s.ingested_at {_LATEST_RANK} "
            f"ORDER BY r.snapshot_id DESC LIMIT 1), last_seen), "
            f"last_list_date = (SELECT s.list_date {_LATEST_RANK} "
            f"ORDER BY r.snapshot_id DESC LIMIT 1)",
            f"UPDATE papers SET first_seen = (SELECT LEAST(CAST(s.list_date AS TIMESTAMP), "
            f"s.ingested_at) {_FIRST_LIST}) "
            f"WHERE (SELECT s.format {_FIRST_LIST}) = 'hf-json'",
            "UPDATE papers SET updated_at = first_seen WHERE updated_at < first_seen",
            f"UPDATE papers SET search_key = {_SEARCH_KEY_POSTGRESQL}",
            "INSERT INTO meta (key, value) "
            "SELECT 'undo_from', COALESCE(MAX(id), 0) + 1 FROM snapshots",
        ),
        reindex=True,
    ),
)
STEPS += (
    # 6: what the refresher knows of its upstream source, one row, shared by every process
    Step(
        sqlite=("CREATE TABLE source_state (id INTEGER NOT NULL, url TEXT NOT NULL, "
                "etag TEXT, last_modified TEXT, last_attempt DATETIME, "
                "last_success DATETIME, last_outcome TEXT, last_error TEXT, "
                "last_error_at DATETIME, next_attempt DATETIME, "
                "failures INTEGER NOT NULL, holder TEXT, PRIMARY KEY (id))",),
        postgresql=("CREATE TABLE source_state (id INTEGER NOT NULL, url TEXT NOT NULL, "
                    "etag TEXT, last_modified TEXT, last_attempt TIMESTAMP WITHOUT TIME ZONE, "
                    "last_success TIMESTAMP WITHOUT TIME ZONE, last_outcome TEXT, "
                    "last_error TEXT, last_error_at TIMESTAMP WITHOUT TIME ZONE, "
                    "next_attempt TIMESTAMP WITHOUT TIME ZONE, failures INTEGER NOT NULL, "
                    "holder TEXT, PRIMARY KEY (id))",),
    ),
)
_RICH_COLUMNS = ("ALTER TABLE papers ADD COLUMN ai_summary TEXT;"
                 "ALTER TABLE papers ADD COLUMN thumbnail TEXT;"
                 "ALTER TABLE papers ADD COLUMN github_stars INTEGER;"
                 "ALTER TABLE papers ADD COLUMN comments INTEGER;"
                 "ALTER TABLE papers ADD COLUMN organization TEXT;"
                 "ALTER TABLE papers ADD COLUMN hf_daily_at {datetime};"
                 "ALTER TABLE source_state ADD COLUMN last_skipped {json};"
                 "ALTER TABLE source_state ADD COLUMN last_warnings {json};"
                 "CREATE INDEX snapshots_ingested_at ON snapshots (ingested_at);"
                 "INSERT INTO meta ({key}, value) SELECT 'snapshot_count', COUNT(*) "
                 "FROM snapshots")
STEPS += (
    # 7: the store's random identity (caches key on it: a store replaced by another at the
    # same data version is never answered from the first one's cache); the last snapshot
    # id ever handed out (an id is never used twice, not even after an undo); today's
    # upstream fields of a paper (SPEC 1.2), null in older stores; what the refresher's
    # last list left out and dropped (entry by entry, SPEC 1.2); and what keeps reads as
    # fast at year ten as on day one (the latest ingest time by index, the count kept)
    Step(
        sqlite=("INSERT INTO meta (\"key\", value) "
                "VALUES ('store_identity', (random() & 9007199254740991) + 1)",
                "INSERT INTO meta (\"key\", value) "
                "SELECT 'last_snapshot_id', COALESCE(MAX(id), 0) FROM snapshots",
                *_RICH_COLUMNS.format(datetime="DATETIME", json="TEXT", key='"key"')
                .split(";")),
        postgresql=("INSERT INTO meta (key, value) VALUES ('store_identity', "
                    "CAST(FLOOR(random() * 9007199254740991) AS BIGINT) + 1)",
                    "INSERT INTO meta (key, value) "
                    "SELECT 'last_snapshot_id', COALESCE(MAX(id), 0) FROM snapshots",
                    *_RICH_COLUMNS.format(datetime="TIMESTAMP WITHOUT TIME ZONE",
                                         json="JSONB", key="key").split(";")),
    ),
)
STEPS += (
    # 8: what keeps the digests and the whole history's pages as fast at year ten as on
    # day one, three indexes (bench/README.md): the lists by their day (the digests read
    # the latest list days and their window's lists through it, where they read every
    # list: a decade's daily digest took 3.5 s on SQLite), and the papers by their
    # upvotes, the most upvoted first as `sort=-upvotes` orders them (unknown last), and
    # for an `upvotes:` term's count (both read every paper: 65-84 and 30 ms a decade)
    Step(sqlite=("CREATE INDEX snapshots_list_date ON snapshots (list_date, ingested_at)",
                 "CREATE INDEX papers_upvotes_order ON papers (COALESCE(upvotes, -1) DESC, num)",
                 "CREATE INDEX papers_upvotes ON papers (upvotes)"),
         postgresql=("CREATE INDEX snapshots_list_date ON snapshots (list_date, ingested_at)",
                     "CREATE INDEX papers_upvotes_order ON papers "
                     "((COALESCE(upvotes, -1)) DESC, num)",
                     "CREATE INDEX papers_upvotes ON papers (upvotes)",
                     "ANALYZE snapshots", "ANALYZE papers")),
)
SCHEMA_VERSION = len(STEPS)


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value or 0)


def migrate(conn: sa.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to `target` inside the caller's transaction; returns
    the version found. Raises SchemaError for a store newer than this code."""
    if conn.dialect.name == "postgresql":
        # Workers starting together: one migrates, the others wait and then see it done.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7413550)"))
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"the store has schema version {version}, newer than this "
                          f"trendfeed ({SCHEMA_VERSION}); upgrade trendfeed")
    pending = STEPS[version:target]
    for step in pending:
        for statement in getattr(step, conn.dialect.name):
            conn.exec_driver_sql(statement)
    if pending:
        if version == 0:
            conn.execute(meta.insert(), [{"key": "schema_version", "value": target}])
        else:
            conn.execute(meta.update().where(meta.c.key == "schema_version")
                         .values(value=target))
        if target == SCHEMA_VERSION and any(step.reindex for step in pending):
            from .search import reindex_all  # today's index words, on today's schema

            reindex_all(conn)
    return version
