"""The store's invariants, recomputed from its rankings: what every paper row says of its
appearances must be what the ranks and snapshots say. Run after races, after undos and
after upgrades; an empty list means the store agrees with itself."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from service.store import SqlStore
from service.store.schema import meta, papers, ranks, snapshots


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite hands back raw text from some expressions
        return dt.datetime.fromisoformat(value)
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def violations(store: SqlStore) -> list[str]:
    """Every disagreement between the papers, the snapshots and the rankings. Read in one
    transaction, so a concurrent writer cannot make a consistent store look torn."""
    with store.consistent(), store.db.read() as conn:
        shots = {row.id: row for row in conn.execute(snapshots.select())}
        held: dict[int, list[tuple[int, int]]] = defaultdict(list)  # num -> (snapshot, rank)
        per_snapshot: dict[int, list[int]] = defaultdict(list)
        for row in conn.execute(sa.select(ranks.c.snapshot_id, ranks.c.paper_num,
                                          ranks.c.rank)):
            held[row.paper_num].append((row.snapshot_id, row.rank))
            per_snapshot[row.snapshot_id].append(row.rank)
        counted = conn.execute(sa.select(meta.c.value)
                               .where(meta.c.key == "snapshot_count")).scalar()
        rows = conn.execute(sa.select(papers.c.num, papers.c.id, papers.c.first_seen,
                                      papers.c.last_seen, papers.c.last_list_date,
                                      papers.c.best_rank, papers.c.appearances)).all()
    found: list[str] = []
    if counted != len(shots):
        found.append(f"meta.snapshot_count is {counted}, the store holds {len(shots)}")
    first_of: dict[int, int] = defaultdict(int)  # snapshot -> papers it holds first
    for paper in rows:
        seen = sorted(held.get(paper.num, []))
        if not seen:
            found.append(f"{paper.id}: on no list")
            continue
        first, last = shots[seen[0][0]], shots[seen[-1][0]]
        first_of[first.id] += 1
        expected = {
            "appearances": len(seen),
            "best_rank": min(rank for _, rank in seen),
            "first_seen": min(_as_datetime(first.list_date), _as_datetime(first.ingested_at)),
            "last_seen": _as_datetime(last.ingested_at),
            "last_list_date": last.list_date,
        }
        for name, value in expected.items():
            stored = getattr(paper, name)
            if name in ("first_seen", "last_seen"):
                stored = _as_datetime(stored)
            if stored != value:
                found.append(f"{paper.id}: {name} is {stored}, its rankings say {value}")
    for snapshot_id, shot in shots.items():
        ranked = sorted(per_snapshot.get(snapshot_id, []))
        if ranked != list(range(1, len(ranked) + 1)) or shot.paper_count != len(ranked):
            found.append(f"snapshot {snapshot_id}: paper_count {shot.paper_count}, "
                         f"ranks {ranked[:3]}... ({len(ranked)})")
        if shot.new_count != first_of[snapshot_id]:
            found.append(f"snapshot {snapshot_id}: new_count {shot.new_count}, "
                         f"{first_of[snapshot_id]} papers first seen on it")
    return found
