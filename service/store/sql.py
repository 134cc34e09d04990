"""SqlStore: the Store on SQLAlchemy Core, one class for SQLite and PostgreSQL.

A facade: it opens connections and transactions (engine.py) and delegates to the
module that owns each job: reads.py, paging.py, writes.py, migrations.py. All
datetimes are naive UTC here and in the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from ..listing import Listing
from ..model import DataState, IngestResult, NormalPaper, Paper, RankEntry, Snapshot, SourceState
from ..query import Query, Upvotes
from . import digests, migrations, paging, reads, search, writes
from .backup import backup_sqlite
from .election import RefresherLock
from .engine import Database
from .schema import papers

EVERYTHING = Listing()


class SqlStore:
    """The history of trending lists. Raises StoreError when the database is unusable."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.engine = self.db.engine
        self.dialect = self.db.dialect

    def migrate(self, target: int = migrations.SCHEMA_VERSION) -> int:
        with self.db.write() as conn:
            return migrations.migrate(conn, target)

    def schema_version(self) -> int:
        with self.db.read() as conn:
            return migrations.current_version(conn)

    def close(self) -> None:
        self.db.close()

    def consistent(self) -> AbstractContextManager[None]:
        """Reads of this thread inside the block see one state of the store."""
        return self.db.consistent()

    # -- reads ----------------------------------------------------------------------

    def data_state(self) -> DataState:
        with self.db.read() as conn:
            return reads.data_state(conn)

    def latest_snapshot(self) -> Snapshot | None:
        with self.db.read() as conn:
            return reads.latest_snapshot(conn)

    def latest_snapshot_id(self) -> int | None:
        with self.db.read() as conn:
            return reads.latest_snapshot_id(conn)

    def snapshot(self, snapshot_id: int) -> Snapshot | None:
        with self.db.read() as conn:
            return reads.snapshot(conn, snapshot_id)

    def snapshots(self, limit: int = 50, before: int | None = None) -> list[Snapshot]:
        with self.db.read() as conn:
            return reads.snapshot_list(conn, limit, before)

    def snapshot_entries(self, snapshot_id: int) -> list[tuple[int, Paper]]:
        with self.db.read() as conn:
            return reads.snapshot_entries(conn, snapshot_id)

    def count_snapshots(self) -> int:
        with self.db.read() as conn:
            return reads.meta_value(conn, "snapshot_count") or 0

    def count_papers(self) -> int:
        with self.db.read() as conn:
            return reads.count_rows(conn, papers)

    def papers(self, listing: Listing = EVERYTHING, *, limit: int | None = 50) -> list[Paper]:
        return [paper for paper, _ in self._page(listing, limit=limit)]

    def page(self, listing: Listing, *, limit: int, after: Sequence[int] | None = None,
             snapshot_id: int | None = None) -> list[tuple[Paper, list[int]]]:
        return self._page(listing, limit=limit, after=after, snapshot_id=snapshot_id)

    def _page(self, listing: Listing, *, limit: int | None, after: Sequence[int] | None = None,
              snapshot_id: int | None = None) -> list[tuple[Paper, list[int]]]:
        with self.db.read() as conn:
            pinned = snapshot_id if snapshot_id is not None else reads.latest_snapshot_id(conn)
            stmt, width = paging.page_select(listing, pinned, self.dialect, limit, after)
            rows = conn.execute(stmt).all()
        return [(reads.to_paper(row), [int(row._mapping[f"_key{i}"]) for i in range(width)])
                for row in rows]

    def count(self, listing: Listing, *, snapshot_id: int | None = None) -> int:
        with self.db.read() as conn:
            pinned = snapshot_id if snapshot_id is not None else reads.latest_snapshot_id(conn)
            return int(conn.execute(paging.count_select(listing, pinned, self.dialect))
                       .scalar() or 0)

    def paper(self, ref: str) -> Paper | None:
        with self.db.read() as conn:
            return reads.find_paper(conn, ref)

    def first_met(self, paper_ids: Sequence[str], upvotes: Sequence[Upvotes],
                  max_rank: int | None, within: Query | None = None) -> dict[str, dt.datetime]:
        words = Query(within.text_clauses) if within is not None else Query()
        among = search.criterion(words, self.dialect) if words else None
        with self.db.read() as conn:
            return reads.first_met(conn, paper_ids, upvotes, max_rank, among)

    def history(self, paper_id: str) -> list[RankEntry]:
        with self.db.read() as conn:
            return reads.history(conn, paper_id)

    def list_days(self, limit: int) -> list[digests.ListDay]:
        with self.db.read() as conn:
            return digests.list_days(conn, limit)

    def arrivals(self, query: Query, first_day: dt.date,
                 last_day: dt.date) -> list[digests.Arrival]:
        with self.db.read() as conn:
            return digests.arrivals(conn, query, first_day, last_day, self.dialect)

    def source_state(self) -> SourceState | None:
        with self.db.read() as conn:
            return reads.read_source_state(conn)

    # -- writes ---------------------------------------------------------------------

    def apply_snapshot(self, entries: Sequence[NormalPaper], *, list_time: dt.datetime,
                       ingested_at: dt.datetime, source: str, format: str,
                       sha256: str,
                       record_source: writes.RecordSource | None = None) -> IngestResult:
        with self.db.write() as conn:
            return writes.apply_snapshot(conn, entries, list_time=list_time,
                                         ingested_at=ingested_at, source=source,
                                         format=format, sha256=sha256,
                                         record_source=record_source)

    def undo_latest(self) -> Snapshot:
        with self.db.write() as conn:
            return writes.undo_latest(conn)

    def save_source_state(self, state: SourceState) -> None:
        with self.db.write() as conn:
            writes.save_source_state(conn, state)

    def refresher_lock(self) -> RefresherLock:
        """The lock that elects the one refresher of this store."""
        return RefresherLock(self.db)

    def backup(self, target: Path) -> int:
        """A consistent copy of an SQLite store in the new file `target` (its size)."""
        return backup_sqlite(self.db, target)
