"""What the rest of the service may ask of a store. `SqlStore` is the one implementation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from ..model import IngestResult, NormalPaper, Paper, RankEntry, Snapshot
from ..query import Query


class Store(Protocol):
    def migrate(self) -> int:
        """Create or upgrade the schema. Raises StoreError (unreachable, newer schema)."""

    def data_version(self) -> int:
        """A counter bumped by every ingest transaction: a cheap "did anything change?"."""

    def data_state(self) -> tuple[int, dt.datetime]:
        """(data version, latest ingest time) in one cheap read."""

    def latest_snapshot(self) -> Snapshot | None: ...

    def snapshot(self, snapshot_id: int) -> Snapshot | None: ...

    def snapshots(self, limit: int = 50, before: int | None = None) -> list[Snapshot]: ...

    def snapshot_entries(self, snapshot_id: int) -> list[tuple[int, Paper]]: ...

    def query_papers(self, query: Query = ..., *, scope: str = "current",
                     sort: str | None = None, limit: int | None = 50) -> list[Paper]:
        """Matching papers; scope 'current' = latest list by rank, 'all' = newest first."""

    def page_papers(self, query: Query = ..., *, scope: str = "current",
                    sort: str | None = None, limit: int | None = 50,
                    after: Sequence[Any] | None = None,
                    snapshot_id: int | None = None) -> list[tuple[Paper, list[Any]]]:
        """A keyset page: papers with their sort keys, against a pinned snapshot."""

    def latest_snapshot_id(self) -> int | None: ...

    def count_matching(self, query: Query = ..., *, scope: str = "current",
                       snapshot_id: int | None = None) -> int: ...

    def count_snapshots(self) -> int: ...

    def paper(self, paper_id: str) -> Paper | None: ...

    def history(self, paper_id: str) -> list[RankEntry]: ...

    def count_papers(self) -> int: ...

    def apply_snapshot(self, entries: Sequence[NormalPaper], *, list_time: dt.datetime,
                       ingested_at: dt.datetime, source: str, format: str,
                       sha256: str) -> IngestResult:
        """One list in one transaction; a no-op (unchanged=True) when sha256 equals the
        latest snapshot's. Raises StoreError; on any error nothing is written."""
