"""What the rest of the service may ask of a store, in the model's types.

`SqlStore` is the one implementation; the routes, the CLI and ingest are written
against this Protocol. Every method raises `StoreError` when the database cannot be
used (unreachable, failing, a schema newer than this code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .election import RefresherLock

from ..listing import Listing
from ..model import DataState, IngestResult, NormalPaper, Paper, RankEntry, Snapshot, SourceState
from ..query import Query, Upvotes
from .digests import Arrival, ListDay


class Store(Protocol):
    def migrate(self, target: int = ...) -> int:
        """Create or upgrade the schema; returns the version found before."""

    def close(self) -> None: ...

    def consistent(self) -> AbstractContextManager[None]:
        """`with store.consistent():` every read of this thread inside the block sees
        one state of the store (a body built from several reads never mixes ingests)."""

    def data_state(self) -> DataState:
        """(data version, latest ingest time, store identity): a counter bumped by every
        write, the data's Last-Modified, and the random identity of this store, in one
        cheap read."""

    def latest_snapshot(self) -> Snapshot | None: ...

    def latest_snapshot_id(self) -> int | None: ...

    def snapshot(self, snapshot_id: int) -> Snapshot | None: ...

    def snapshots(self, limit: int = 50, before: int | None = None) -> list[Snapshot]:
        """Newest first; `before` is the id the previous page ended on."""

    def snapshot_entries(self, snapshot_id: int) -> list[tuple[int, Paper]]:
        """(rank, paper) for every paper of one snapshot, in rank order."""

    def count_snapshots(self) -> int: ...

    def count_papers(self) -> int: ...

    def papers(self, listing: Listing = ..., *, limit: int | None = 50) -> list[Paper]:
        """The papers of a listing: the latest list by rank (scope 'current'), or the
        whole history newest first (scope 'all'), or as `listing.sort` says."""

    def page(self, listing: Listing, *, limit: int, after: Sequence[int] | None = None,
             snapshot_id: int | None = None) -> list[tuple[Paper, list[int]]]:
        """One keyset page: papers with their sort keys (pass the last as `after`), read
        against the pinned `snapshot_id` (default: the latest)."""

    def count(self, listing: Listing, *, snapshot_id: int | None = None) -> int: ...

    def paper(self, ref: str) -> Paper | None:
        """The paper whose id, or else whose arXiv id, is `ref`."""

    def first_met(self, paper_ids: Sequence[str], upvotes: Sequence[Upvotes],
                  max_rank: int | None, within: Query | None = None) -> dict[str, dt.datetime]:
        """When each paper first met a feed's conditions: the earliest list that placed
        it within `max_rank` (among that list's papers matching `within`'s words, when
        given) with that list's upvotes satisfying `upvotes` (papers no list qualifies
        are left out). Nothing to check: an empty answer."""

    def history(self, paper_id: str) -> list[RankEntry]: ...

    def list_days(self, limit: int) -> list[ListDay]:
        """The latest `limit` list days with the ingest time of each one's last list,
        newest first (the digest feeds' periods)."""

    def arrivals(self, query: Query, first_day: dt.date, last_day: dt.date) -> list[Arrival]:
        """The papers matching `query` that arrived on a list day from `first_day` to
        `last_day`: the earliest list day that held each (with `upvotes:` terms, held it
        with a count satisfying them), with its best rank and most upvotes on each of
        those days whose lists held it so."""

    def apply_snapshot(self, entries: Sequence[NormalPaper], *, list_time: dt.datetime,
                       ingested_at: dt.datetime, source: str, format: str, sha256: str,
                       record_source: Callable[[IngestResult], SourceState] | None = None,
                       ) -> IngestResult:
        """One list in one transaction; `unchanged` when its content or its ranking
        equals the latest snapshot's. `record_source(result)`, when given, is what the
        refresher records of it, saved in the same transaction. On any error nothing is
        written."""

    def undo_latest(self) -> Snapshot:
        """Remove the latest snapshot; the store becomes what it was before it (but for
        the ids handed out: a snapshot id is never used again), and the refresher's
        validators are forgotten. Raises UndoError when there is none or it predates
        the undo journal."""

    def source_state(self) -> SourceState | None:
        """What the refresher last recorded of its source (None: never ran)."""

    def save_source_state(self, state: SourceState) -> None: ...

    def refresher_lock(self) -> RefresherLock:
        """The lock that elects the one refresher of this store (not yet acquired)."""

    def backup(self, target: Path) -> int:
        """A consistent copy in the new file `target`; raises BackupError on PostgreSQL
        (use pg_dump) or when the file exists."""
