"""The store's tables as SQLAlchemy Core objects, for building queries.

These describe the schema that `migrations.py` creates step by step; they are never
used to create it (the migrations are frozen text). `sa.JSON` columns are TEXT on
SQLite and jsonb on PostgreSQL: SQLAlchemy serialises them either way.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..model import EPOCH

metadata = sa.MetaData()

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
    sa.Column("authors", sa.JSON, nullable=False),  # [str]
    sa.Column("keywords", sa.JSON, nullable=False),  # [str]
    sa.Column("links", sa.JSON, nullable=False),  # {"code": [], "project": [], "other": []}
    sa.Column("upvotes", sa.Integer),
    sa.Column("has_code", sa.Boolean, nullable=False),
    sa.Column("has_project", sa.Boolean, nullable=False),
    sa.Column("first_seen", sa.DateTime, nullable=False),
    # last_seen, last_list_date: the ingest time and list date of the latest snapshot
    # holding the paper
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("best_rank", sa.Integer, nullable=False),
    sa.Column("appearances", sa.Integer, nullable=False),
    sa.Column("search_key", sa.BigInteger),  # see search_key()
    sa.Column("published", sa.DateTime),
    sa.Column("submitter", sa.Text),
    sa.Column("last_list_date", sa.Date),
    # today's upstream fields (SPEC 1.2; migration 7), null when never known
    sa.Column("ai_summary", sa.Text),
    sa.Column("thumbnail", sa.Text),
    sa.Column("github_stars", sa.Integer),
    sa.Column("comments", sa.Integer),
    sa.Column("organization", sa.Text),
    sa.Column("hf_daily_at", sa.DateTime),
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
    sa.Column("upvotes", sa.Integer),
)

# What each snapshot changed in `papers`, so that the latest one can be undone: the
# paper's whole row as it was before (null: the snapshot inserted the paper).
paper_undo = sa.Table(
    "paper_undo", metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id"), primary_key=True),
    sa.Column("paper_num", sa.Integer, primary_key=True),
    sa.Column("before", sa.JSON),
)

# The refresher's knowledge of its upstream (one row, id 1): validators for conditional
# GET, the last attempt and its outcome, the backoff, and which process holds the lock.
source_state = sa.Table(
    "source_state", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_attempt", sa.DateTime),
    sa.Column("last_success", sa.DateTime),
    sa.Column("last_outcome", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_at", sa.DateTime),
    sa.Column("next_attempt", sa.DateTime),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("holder", sa.Text),
    sa.Column("last_skipped", sa.JSON),  # [{"index", "field", "message"}] (migration 7)
    sa.Column("last_warnings", sa.JSON),  # [str]
)

SEARCH_FIELDS = ("title", "abstract", "authors", "keywords")
SEQUENCE_BITS = 20

# The search index, one row per paper. SQLite: an FTS5 table whose rowid is the paper's
# search_key. PostgreSQL: one weighted tsvector per paper beside its num and search_key.
paper_search_pg = sa.Table(
    "paper_search", sa.MetaData(),
    sa.Column("num", sa.Integer, primary_key=True),
    sa.Column("search_key", sa.BigInteger, nullable=False),
    sa.Column("doc", postgresql.TSVECTOR, nullable=False),
)
paper_search_sqlite = sa.table("paper_search", sa.column("rowid"), sa.column("paper_search"),
                               *(sa.column(f) for f in (*SEARCH_FIELDS, "flags")))


def search_key(first_seen: dt.datetime, num: int) -> int:
    """first_seen (whole seconds) then insertion order, in one integer: sorting by it
    descending is "newest first_seen first, earlier-stored first within one moment". It is
    the SQLite FTS rowid, so a keyword feed over any history is a rowid-ordered index scan
    that stops after `limit` matches. (Migration 3 computes the same in SQL.)"""
    seconds = int((first_seen - EPOCH).total_seconds())
    return (seconds << SEQUENCE_BITS) + ((1 << SEQUENCE_BITS) - 1 - num % (1 << SEQUENCE_BITS))
