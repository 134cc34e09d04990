"""The undo journal: what each snapshot remembers of the paper rows it changed (the whole
row as it was, or that it inserted the paper), so that the latest snapshots can be
undone exactly, and the dropping of the journal of older ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from .schema import meta, paper_undo, papers, snapshots

# How many of the latest snapshots can be undone one after another. Each snapshot
# journals the papers it changed, whole rows: at the upstream's 15-minute cadence that
# is about 50 rows of a few kB a list, gigabytes a year if kept for every list; the
# journal of older snapshots is dropped as new ones arrive (docs/design.md, retention).
UNDO_DEPTH = 100
JOURNALLED = [c for c in papers.columns if c.name != "num"]


class Journal:
    """What one snapshot remembers of the papers it changes: the first "before" of each
    paper is the one to keep. The rows are written at once, in one statement, by
    `write` (one round trip for the list, not one per paper)."""

    def __init__(self, snapshot_id: int, already: Iterable[int] = ()) -> None:
        self.snapshot_id = snapshot_id
        self._kept = set(already)  # the papers it remembers already (stored before)
        self._rows: list[dict[str, Any]] = []

    def remember(self, num: int, row: Any | None) -> None:
        """Remember `row` as paper `num` was before this snapshot (None: the snapshot
        inserted it), unless the journal holds it already."""
        if num in self._kept:
            return
        self._kept.add(num)
        before = None if row is None else {c.name: to_json(getattr(row, c.name))
                                            for c in JOURNALLED}
        self._rows.append({"snapshot_id": self.snapshot_id, "paper_num": num,
                           "before": before})

    def write(self, conn: sa.Connection) -> None:
        if self._rows:
            conn.execute(paper_undo.insert(), self._rows)
            self._rows = []


def to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def from_json(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    return value


def forget_old(conn: sa.Connection) -> None:
    """Keep the undo journal of the UNDO_DEPTH latest snapshots only; older ones can no
    longer be undone (`undo_from` says from where on they can)."""
    oldest_kept = (sa.select(snapshots.c.id).order_by(snapshots.c.id.desc())
                   .offset(UNDO_DEPTH - 1).limit(1).scalar_subquery())
    cut = conn.execute(sa.select(oldest_kept)).scalar()
    if cut is None:
        return
    conn.execute(paper_undo.delete().where(paper_undo.c.snapshot_id < cut))
    conn.execute(meta.update().where(meta.c.key == "undo_from", meta.c.value < cut)
                 .values(value=cut))
