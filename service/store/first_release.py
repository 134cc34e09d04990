"""Step 1 of the schema history: the first release's tables (commit e59a473), as fixed
SQL text per engine. Frozen: never edited (store/migrations.py holds the later steps).
"""

from __future__ import annotations

# -- 1: the first release (commit e59a473): papers, snapshots, ranks, meta ------------

_V1_TABLES = """
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
INSERT INTO meta ("key", value) VALUES ('data_version', 0)
"""


def _statements(script: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in script.split(";") if s.strip())


V1_SQLITE = _statements(_V1_TABLES.format(serial="INTEGER", datetime="DATETIME"))
V1_POSTGRESQL = _statements(_V1_TABLES.format(serial="SERIAL",
                                              datetime="TIMESTAMP WITHOUT TIME ZONE"))
