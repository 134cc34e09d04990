"""A bulk loader for a long history: exactly the rows the real ingest path would write,
without its transaction and hundred statements per list.

The real path (`Store.apply_snapshot`, service/store/writes.py) costs 22-36 ms a
refresh on a quiet machine and two or three times that on a busy one, so a year of
15-minute refreshes (35,040) takes 13 to 60 minutes per engine and a decade hours.
`BulkLoader.apply` takes the same arguments and does what `writes.apply_snapshot` does,
over an in-memory copy of the papers: the same skip of a list whose content equals the
latest's, the same refresh in place of the latest list when the ranking is the same, the
merge rules of `service.merge` themselves, the ids, the search keys, the undo journal
and its retention (`journal.UNDO_DEPTH`), the data version and the snapshot ids. The
rows go to the store in batches of a few hundred lists; the search index is built once
at the end from the papers' final rows (an index row is a function of its paper's row).
tests/test_generate.py shows that the store it writes equals the real path's, table by
table, on both engines, and that the real path continues from it. It starts from an
empty store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from service import merge
from service.model import NormalPaper
from service.store import SqlStore, journal
from service.store.schema import meta, paper_undo, papers, ranks, search_key, snapshots
from service.store.search import index_rows

Row = dict[str, Any]


class BulkLoader:
    def __init__(self, store: SqlStore, *, batch: int = 500) -> None:
        self.store, self.batch = store, batch
        with store.engine.connect() as conn:
            if conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar() or \
                    conn.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar():
                raise ValueError("the bulk loader starts from an empty store")
            counters = {k: v for k, v in conn.execute(sa.select(meta.c.key, meta.c.value))}
        self.data_version = int(counters["data_version"])
        self.last_snapshot_id = int(counters["last_snapshot_id"])
        self.undo_from = int(counters.get("undo_from", 1))
        self.rows: dict[int, Row] = {}  # every paper by num, as the store holds it
        self.by_arxiv: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        self.ids: set[str] = set()
        self.snapshot_ids: list[int] = []
        self.latest: Row | None = None  # the latest snapshot's row, and below its ranks
        self.latest_ranks: dict[int, Row] = {}
        # snapshot id -> {paper num: its row before the snapshot (None: inserted by it)}
        self.journal: dict[int, dict[int, Row | None]] = {}
        self.pending_snapshots: list[Row] = []
        self.pending_ranks: list[Row] = []
        self.next_num = 1
        self.unwritten: set[int] = set()  # papers not yet in the store
        self.changed: set[int] = set()  # papers in the store whose row changed since

    # -- one list, as writes.apply_snapshot --------------------------------------------

    def apply(self, entries: Sequence[NormalPaper], *, list_time: dt.datetime,
              ingested_at: dt.datetime, source: str, format: str, sha256: str) -> str:
        """"new"; "same ranking" (counts updated in place, if any changed) or "same
        content" (nothing written: not even the data version moves)."""
        latest = self.latest
        if latest is not None and latest["sha256"] == sha256:
            return "same content"
        resolved = self._resolve(entries)
        if latest is not None and all(num is not None for _, num in resolved) and \
                [num for _, num in resolved] == [r["paper_num"] for r in sorted(
                    self.latest_ranks.values(), key=lambda r: r["rank"])]:
            return self._refresh_latest(latest, resolved, ingested_at)
        if len(self.pending_snapshots) >= self.batch:
            self.flush()  # (never the latest's ranks: a refresh may still change them)
        self.data_version += 1
        self.last_snapshot_id += 1
        snapshot_id = self.last_snapshot_id
        row: Row = {"id": snapshot_id, "list_date": list_time.date(), "ingested_at": ingested_at,
                    "source": source, "format": format, "sha256": sha256,
                    "paper_count": len(resolved), "new_count": 0}
        journal: dict[int, Row | None] = {}
        self.journal[snapshot_id] = journal
        self.latest, self.latest_ranks = row, {}
        for rank, (entry, num) in enumerate(resolved, start=1):
            sighting = merge.Sighting(rank, list_time, list_time.date(), ingested_at)
            if num is None:
                num = self._insert(entry, sighting)
                journal.setdefault(num, None)
                row["new_count"] += 1
            else:
                self._update(journal, num, entry, sighting)
            self.latest_ranks[num] = {"snapshot_id": snapshot_id, "paper_num": num,
                                      "rank": rank, "upvotes": entry.upvotes}
        self.pending_snapshots.append(row)
        self.pending_ranks.extend(self.latest_ranks.values())
        self.snapshot_ids.append(snapshot_id)
        self._forget_old_journal()
        return "new"

    def _resolve(self, entries: Sequence[NormalPaper]) -> list[tuple[NormalPaper, int | None]]:
        resolved: list[tuple[NormalPaper, int | None]] = []
        seen: set[int] = set()
        for entry in entries:
            num = self.by_arxiv.get(entry.arxiv_id) if entry.arxiv_id else None
            num = num or self.by_key.get(entry.title_key)
            if num is not None:
                if num in seen:
                    continue
                seen.add(num)
            resolved.append((entry, num))
        return resolved

    def _insert(self, entry: NormalPaper, sighting: merge.Sighting) -> int:
        wanted = entry.arxiv_id or entry.slug
        paper_id = next(c for c in merge.id_candidates(wanted, entry.title_key)
                        if c not in self.ids)
        num, self.next_num = self.next_num, self.next_num + 1
        values = merge.new_paper(entry, paper_id, sighting)
        row = {c.name: None for c in papers.columns} | values
        row.update(num=num, search_key=search_key(values["first_seen"], num))
        self.rows[num] = row
        self._index_names(row)
        self.ids.add(paper_id)
        self.unwritten.add(num)
        return num

    def _index_names(self, row: Row) -> None:
        if row["arxiv_id"]:
            self.by_arxiv[row["arxiv_id"]] = row["num"]
        self.by_key[row["title_key"]] = row["num"]

    def _update(self, journal: dict[int, Row | None], num: int, entry: NormalPaper,
                sighting: merge.Sighting) -> bool:
        row = self.rows[num]
        title_free = entry.title_key == row["title_key"] or entry.title_key not in self.by_key
        change = merge.merge(row, entry, sighting, title_key_free=title_free)
        if not change.values:
            return False
        if num not in journal:
            journal[num] = dict(row)
        if "title_key" in change.values:
            del self.by_key[row["title_key"]]
        row.update(change.values)
        self._index_names(row)
        if num not in self.unwritten:
            self.changed.add(num)
        return True

    def _refresh_latest(self, latest: Row, resolved: list[tuple[NormalPaper, int | None]],
                        ingested_at: dt.datetime) -> str:
        journal = self.journal.setdefault(latest["id"], {})
        changed = False
        for rank, (entry, num) in enumerate(resolved, start=1):
            assert num is not None
            sighting = merge.Sighting(rank, latest["ingested_at"], latest["list_date"],
                                      ingested_at, new_appearance=False)
            changed |= self._update(journal, num, entry, sighting)
            ranked = self.latest_ranks[num]
            if entry.upvotes is not None and ranked["upvotes"] != entry.upvotes:
                ranked["upvotes"] = entry.upvotes
                changed = True
        self.data_version += changed
        return "same ranking"

    def _forget_old_journal(self) -> None:
        depth = getattr(journal, "UNDO_DEPTH", None)  # (None: every snapshot stays undoable)
        if depth is None or len(self.snapshot_ids) < depth:
            return
        cut = self.snapshot_ids[-depth]
        for snapshot_id in [s for s in self.journal if s < cut]:
            del self.journal[snapshot_id]
        self.undo_from = max(self.undo_from, cut)

    # -- to the store --------------------------------------------------------------

    def flush(self) -> None:
        """Write what is pending, in one transaction (papers first: ranks refer to them)."""
        update = papers.update().where(papers.c.num == sa.bindparam("b_num")).values(
            {c.name: sa.bindparam(f"b_{c.name}") for c in papers.columns if c.name != "num"})
        with self.store.engine.begin() as conn:
            if self.unwritten:
                conn.execute(papers.insert(), [self.rows[n] for n in sorted(self.unwritten)])
            if self.changed:
                conn.execute(update, [{f"b_{k}": v for k, v in self.rows[n].items()}
                                      for n in sorted(self.changed)])
            if self.pending_snapshots:
                conn.execute(snapshots.insert(), self.pending_snapshots)
            if self.pending_ranks:
                conn.execute(ranks.insert(), self.pending_ranks)
            if getattr(journal, "UNDO_DEPTH", None) is None:  # every journal is kept: write
                older = [s for s in self.journal if self.latest and s != self.latest["id"]]
                self._write_journal(conn, older)
        self.unwritten, self.changed = set(), set()
        self.pending_snapshots, self.pending_ranks = [], []

    def _write_journal(self, conn: sa.Connection, snapshot_ids: list[int]) -> None:
        rows = [{"snapshot_id": s, "paper_num": num,
                 "before": None if before is None else
                 {c.name: journal.to_json(before[c.name]) for c in journal.JOURNALLED}}
                for s in snapshot_ids for num, before in self.journal.pop(s).items()]
        if rows:
            conn.execute(paper_undo.insert(), rows)

    def close(self) -> None:
        """Write the rest: the journal kept, the search index, the counters."""
        self.flush()
        with self.store.engine.begin() as conn:
            self._write_journal(conn, list(self.journal))
            index_rows(conn, sorted(self.rows))
            stored = conn.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar()
            for key, value in (("data_version", self.data_version),
                               ("last_snapshot_id", self.last_snapshot_id),
                               ("undo_from", self.undo_from), ("snapshot_count", stored)):
                conn.execute(meta.update().where(meta.c.key == key).values(value=value))
            if conn.dialect.name == "postgresql" and self.rows:
                # where the real path's inserts would have left the papers' sequence
                conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('papers', 'num'), "
                                     ":last)"), {"last": max(self.rows)})
