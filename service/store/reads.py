"""Reads: snapshots, papers, their history, counts and the data version.

Each function takes an open connection; the SqlStore facade opens it. A paper row is
read together with its rank in one snapshot (the latest, or the one a cursor pinned).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ..model import (
    EPOCH,
    PAPER_ID,
    DataState,
    Links,
    Paper,
    RankEntry,
    SkippedEntry,
    Snapshot,
    SourceState,
    arxiv_ref,
)
from ..query import Upvotes
from .schema import meta, papers, ranks, snapshots, source_state


def to_snapshot(row: Any) -> Snapshot:
    return Snapshot(id=row.id, list_date=row.list_date, ingested_at=row.ingested_at,
                    source=row.source, format=row.format, sha256=row.sha256,
                    paper_count=row.paper_count, new_count=row.new_count)


def to_paper(row: Any) -> Paper:
    return Paper(
        id=row.id, title=row.title, abstract=row.abstract, arxiv_id=row.arxiv_id,
        authors=tuple(row.authors), keywords=tuple(row.keywords), upvotes=row.upvotes,
        links=Links(**{k: tuple(v) for k, v in row.links.items()}),
        first_seen=row.first_seen, last_seen=row.last_seen, updated=row.updated_at,
        rank=row.rank, best_rank=row.best_rank, appearances=row.appearances,
        published=row.published, submitter=row.submitter, last_list_date=row.last_list_date,
        previous_rank=row.previous_rank, ai_summary=row.ai_summary, thumbnail=row.thumbnail,
        github_stars=row.github_stars, comments=row.comments, organization=row.organization,
        hf_daily_at=row.hf_daily_at,
    )


def data_state(conn: sa.Connection) -> DataState:
    """The data version, latest ingest time and store identity in one cheap read."""
    identity = sa.select(meta.c.value).where(meta.c.key == "store_identity").scalar_subquery()
    stmt = sa.select(meta.c.value, sa.select(sa.func.max(snapshots.c.ingested_at))
                     .scalar_subquery(), identity).where(meta.c.key == "data_version")
    row = conn.execute(stmt).first()
    if row is None:
        return DataState(0, EPOCH, 0)
    modified = row[1]
    if isinstance(modified, str):  # SQLite returns max() of a datetime column as text
        modified = dt.datetime.fromisoformat(modified)
    return DataState(int(row[0]), modified or EPOCH, int(row[2] or 0))


def meta_value(conn: sa.Connection, key: str) -> int | None:
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
    return None if value is None else int(value)


def latest_snapshot(conn: sa.Connection) -> Snapshot | None:
    row = conn.execute(snapshots.select().order_by(snapshots.c.id.desc()).limit(1)).first()
    return to_snapshot(row) if row else None


def latest_snapshot_id(conn: sa.Connection) -> int | None:
    return conn.execute(sa.select(sa.func.max(snapshots.c.id))).scalar()


def snapshot(conn: sa.Connection, snapshot_id: int) -> Snapshot | None:
    row = conn.execute(snapshots.select().where(snapshots.c.id == snapshot_id)).first()
    return to_snapshot(row) if row else None


def snapshot_list(conn: sa.Connection, limit: int, before: int | None) -> list[Snapshot]:
    stmt = snapshots.select().order_by(snapshots.c.id.desc()).limit(limit)
    if before is not None:
        stmt = stmt.where(snapshots.c.id < before)
    return [to_snapshot(row) for row in conn.execute(stmt)]


def count_rows(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def ranked_nums(conn: sa.Connection, snapshot_id: int) -> list[int]:
    """The papers of one snapshot, in rank order."""
    stmt = (sa.select(ranks.c.paper_num).where(ranks.c.snapshot_id == snapshot_id)
            .order_by(ranks.c.rank))
    return list(conn.execute(stmt).scalars())


def paper_select(snapshot_id: int | None) -> sa.Select[Any]:
    """Every paper with its rank in `snapshot_id` and in the snapshot before it (null when
    not in it)."""
    pinned = snapshot_id if snapshot_id is not None else -1
    current, previous = ranks.alias("current"), ranks.alias("previous")
    before = (sa.select(sa.func.max(snapshots.c.id)).where(snapshots.c.id < pinned)
              .scalar_subquery())
    return (sa.select(papers, current.c.rank, previous.c.rank.label("previous_rank"))
            .select_from(papers.outerjoin(current, sa.and_(
                current.c.paper_num == papers.c.num, current.c.snapshot_id == pinned))
                .outerjoin(previous, sa.and_(
                    previous.c.paper_num == papers.c.num, previous.c.snapshot_id == before))))


def find_paper(conn: sa.Connection, ref: str) -> Paper | None:
    """The paper whose id is `ref`, else the one whose arXiv id `ref` names (with or
    without a version, `arxiv:`, or as an arxiv.org or huggingface.co/papers URL)."""
    stmt = paper_select(latest_snapshot_id(conn))
    row = None
    if PAPER_ID.fullmatch(ref):  # else it cannot be an id (and PostgreSQL refuses NUL)
        row = conn.execute(stmt.where(papers.c.id == ref)).first()
    arxiv_id = arxiv_ref(ref) if len(ref) <= 200 else None
    if row is None and arxiv_id is not None:
        row = conn.execute(stmt.where(papers.c.arxiv_id == arxiv_id)).first()
    return to_paper(row) if row else None


def history(conn: sa.Connection, paper_id: str) -> list[RankEntry]:
    """The paper's history, one entry per list day (in order): that day's last snapshot
    holding it, its best rank that day and how many of the day's lists held it."""
    num = sa.select(papers.c.num).where(papers.c.id == paper_id).scalar_subquery()
    days = (sa.select(sa.func.max(ranks.c.snapshot_id).label("last"),
                      sa.func.min(ranks.c.rank).label("best"),
                      sa.func.count().label("lists"))
            .select_from(ranks.join(snapshots, snapshots.c.id == ranks.c.snapshot_id))
            .where(ranks.c.paper_num == num).group_by(snapshots.c.list_date).subquery())
    stmt = (sa.select(ranks.c.snapshot_id, snapshots.c.list_date, snapshots.c.ingested_at,
                      ranks.c.rank, ranks.c.upvotes, days.c.best, days.c.lists)
            .select_from(days.join(ranks, sa.and_(ranks.c.snapshot_id == days.c.last,
                                                  ranks.c.paper_num == num))
                         .join(snapshots, snapshots.c.id == days.c.last))
            .order_by(ranks.c.snapshot_id))
    return [RankEntry(r.snapshot_id, r.list_date, r.ingested_at, r.rank, r.upvotes,
                      best_rank=r.best, lists=r.lists) for r in conn.execute(stmt)]


_COMPARE = {">": "__gt__", ">=": "__ge__", "<": "__lt__", "<=": "__le__", "=": "__eq__"}


def first_met(conn: sa.Connection, paper_ids: Sequence[str], upvotes: Sequence[Upvotes],
              max_rank: int | None,
              among: sa.ColumnElement[bool] | None = None) -> dict[str, dt.datetime]:
    """For each paper, when it first met a feed's conditions (SPEC 6): the time of the
    earliest list that placed it within `max_rank` with upvotes satisfying every term of
    `upvotes` (that list's own count), dated as first_seen dates a list (its day, or its
    ingest time when earlier). With `among` (a criterion on papers: the feed's words),
    "within `max_rank`" counts only the papers of each list that match it, as the feed
    does. A paper no list qualifies (upvotes known only from a store older than per-list
    upvotes) is left out: its first_seen stands."""
    if not paper_ids or not (upvotes or max_rank is not None):
        return {}
    wanted = sa.select(papers.c.num).where(papers.c.id.in_(list(paper_ids)))
    place = ranks.c.rank
    rows = sa.select(ranks.c.snapshot_id, ranks.c.paper_num, ranks.c.upvotes,
                     place.label("place"))
    if among is not None and max_rank is not None:
        # Each list's matching papers numbered in rank order, over the lists that held
        # one of the feed's papers.
        lists = sa.select(ranks.c.snapshot_id).where(ranks.c.paper_num.in_(wanted))
        rows = (sa.select(ranks.c.snapshot_id, ranks.c.paper_num, ranks.c.upvotes,
                          sa.func.row_number().over(partition_by=ranks.c.snapshot_id,
                                                    order_by=ranks.c.rank).label("place"))
                .select_from(ranks.join(papers, papers.c.num == ranks.c.paper_num))
                .where(among, ranks.c.snapshot_id.in_(lists)))
    placed = rows.subquery()
    conditions = [getattr(placed.c.upvotes, _COMPARE[u.op])(u.value) for u in upvotes]
    if max_rank is not None:
        conditions.append(placed.c.place <= max_rank)
    first = (sa.select(papers.c.id, sa.func.min(placed.c.snapshot_id).label("snapshot_id"))
             .select_from(placed.join(papers, papers.c.num == placed.c.paper_num))
             .where(placed.c.paper_num.in_(wanted), *conditions)
             .group_by(papers.c.id).subquery())
    stmt = (sa.select(first.c.id, snapshots.c.list_date, snapshots.c.ingested_at)
            .join(snapshots, snapshots.c.id == first.c.snapshot_id))
    return {row.id: min(dt.datetime.combine(row.list_date, dt.time()), row.ingested_at)
            for row in conn.execute(stmt)}


def snapshot_entries(conn: sa.Connection, snapshot_id: int) -> list[tuple[int, Paper]]:
    """(rank in that snapshot, paper) for every paper of one snapshot, in rank order."""
    ranked = ranks.alias("ranked")
    stmt = (paper_select(latest_snapshot_id(conn))
            .add_columns(ranked.c.rank.label("snapshot_rank"))
            .join(ranked, ranked.c.paper_num == papers.c.num)
            .where(ranked.c.snapshot_id == snapshot_id).order_by(ranked.c.rank))
    return [(row.snapshot_rank, to_paper(row)) for row in conn.execute(stmt)]


def read_source_state(conn: sa.Connection) -> SourceState | None:
    row = conn.execute(source_state.select().where(source_state.c.id == 1)).first()
    if row is None:
        return None
    values = {k: v for k, v in row._mapping.items() if k != "id"}
    values["last_skipped"] = tuple(SkippedEntry(**e) for e in values["last_skipped"] or ())
    values["last_warnings"] = tuple(values["last_warnings"] or ())
    return SourceState(**values)
