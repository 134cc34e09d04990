"""The write path: one list in one transaction, and the undo of the latest one.

Every write takes the store's write lock before it reads anything it will change:
SQLite at BEGIN IMMEDIATE, PostgreSQL by bumping the data version first (an UPDATE of
one `meta` row, which the next writer waits for). Under READ COMMITTED each later
statement then sees everything the previous writer committed, so two writers in any
interleaving leave the store as one order of them would. The data version is also what
caches compare. What a snapshot changes in a paper is decided by `service.merge`;
before a paper row changes, its old content is journalled under the snapshot
(`paper_undo`), which is what makes the latest snapshot undoable. Snapshot ids come
from `meta.last_snapshot_id`, which only grows: an id is never used twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from .. import merge
from ..model import IngestResult, NormalPaper, Snapshot, SourceState
from . import journal, reads
from .engine import StoreError
from .journal import UNDO_DEPTH
from .schema import meta, paper_undo, papers, ranks, search_key, snapshots, source_state
from .search import index_rows, unindex

_IN_CHUNK = 500


class UndoError(StoreError):
    """The latest snapshot cannot be undone (there is none, or it predates the journal)."""


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    yield from (values[i:i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK))


def _moved(key: str, step: int) -> sa.Update:
    """The UPDATE that moves the counter `key` of `meta` by `step`. The counters: the
    data version; the last snapshot id handed out; the snapshot count (moved by every
    snapshot stored or undone: counting the table was O(lists) on every page of
    /api/v1/snapshots)."""
    return meta.update().where(meta.c.key == key).values(value=meta.c.value + step)


def bump_version(conn: sa.Connection) -> None:
    """The first statement of every write: on PostgreSQL it is what takes the lock."""
    conn.execute(_moved("data_version", 1))


def _next_snapshot_id(conn: sa.Connection) -> int:
    return int(conn.execute(_moved("last_snapshot_id", 1).returning(meta.c.value))
               .scalar_one())


def _matching_rows(conn: sa.Connection,
                   entries: Sequence[NormalPaper]) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for chunk in _chunks([e.arxiv_id for e in entries if e.arxiv_id]):
        for row in conn.execute(papers.select().where(papers.c.arxiv_id.in_(chunk))):
            found[("arxiv", row.arxiv_id)] = row
    for chunk in _chunks([e.title_key for e in entries]):
        for row in conn.execute(papers.select().where(papers.c.title_key.in_(chunk))):
            found[("key", row.title_key)] = row
    return found


def _resolve(conn: sa.Connection,
             entries: Sequence[NormalPaper]) -> list[tuple[NormalPaper, Any]]:
    """Each entry with its stored row (None: a new paper), later records of a paper
    already in the list dropped (the first position wins)."""
    existing = _matching_rows(conn, entries)
    resolved: list[tuple[NormalPaper, Any]] = []
    seen: set[int] = set()
    for entry in entries:
        row = existing.get(("arxiv", entry.arxiv_id)) if entry.arxiv_id else None
        row = row or existing.get(("key", entry.title_key))
        if row is not None:
            if row.num in seen:
                continue
            seen.add(row.num)
        resolved.append((entry, row))
    return resolved


def _free_id(conn: sa.Connection, wanted: str, title_key: str) -> str:
    candidates = merge.id_candidates(wanted, title_key)
    taken = set(conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(candidates)))
                .scalars())
    return next(c for c in candidates if c not in taken)


def _title_key_free(conn: sa.Connection, title_key: str) -> bool:
    return conn.execute(sa.select(papers.c.num).where(papers.c.title_key == title_key)) \
        .first() is None


def _insert(conn: sa.Connection, entry: NormalPaper, sighting: merge.Sighting) -> int:
    paper_id = _free_id(conn, entry.arxiv_id or entry.slug, entry.title_key)
    values = merge.new_paper(entry, paper_id, sighting)
    num = int(conn.execute(papers.insert().values(**values).returning(papers.c.num))
              .scalar_one())
    conn.execute(papers.update().where(papers.c.num == num)
                 .values(search_key=search_key(values["first_seen"], num)))
    return num


class _Updates:
    """A list's UPDATEs of papers, one statement per set of changed columns (not one per
    paper), written (`flush`) before papers are read again: a title key check, an
    insert, the index. Between two flushes at most one update moves a title key (the
    one the check before it allowed), so their order within one cannot clash."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._held: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def add(self, num: int, values: dict[str, Any]) -> None:
        self._held.setdefault(tuple(sorted(values)), []).append({"updated_num": num, **values})

    def flush(self) -> None:
        for rows in self._held.values():
            self.conn.execute(papers.update().where(
                papers.c.num == sa.bindparam("updated_num")), rows)
        self._held = {}


def _update(updates: _Updates, row: Any, entry: NormalPaper, sighting: merge.Sighting,
            kept: journal.Journal) -> merge.Merge:
    title_free = entry.title_key == row.title_key
    if not title_free:
        updates.flush()
        title_free = _title_key_free(updates.conn, entry.title_key)
    change = merge.merge(row._mapping, entry, sighting, title_key_free=title_free)
    if change.values:
        kept.remember(row.num, row)
        updates.add(row.num, change.values)
    return change


RecordSource = Callable[[IngestResult], SourceState]


def apply_snapshot(conn: sa.Connection, entries: Sequence[NormalPaper], *,
                   list_time: dt.datetime, ingested_at: dt.datetime, source: str, format: str,
                   sha256: str, record_source: RecordSource | None = None) -> IngestResult:
    """Store one list (normalized, in rank order) inside the caller's transaction, or
    answer `unchanged` when its content, or its ranking, equals the latest snapshot's
    (the same ranking may still update text and upvotes). `record_source` gives what the
    refresher records of this outcome, written in the same transaction."""
    bump_version(conn)
    result, changed = _apply(conn, entries, list_time=list_time, ingested_at=ingested_at,
                             source=source, format=format, sha256=sha256)
    if not changed:
        conn.rollback()  # nothing to say: not even the data version moves
    if record_source is not None:
        save_source_state(conn, record_source(result))
    if conn.in_transaction():
        conn.commit()
    return result


def _apply(conn: sa.Connection, entries: Sequence[NormalPaper], *, list_time: dt.datetime,
           ingested_at: dt.datetime, source: str, format: str,
           sha256: str) -> tuple[IngestResult, bool]:
    latest = reads.latest_snapshot(conn)
    if latest is not None and latest.sha256 == sha256:
        return IngestResult(snapshot=latest, unchanged=True, same_content=True), False
    resolved = _resolve(conn, entries)
    if latest is not None and all(row is not None for _, row in resolved) and \
            [row.num for _, row in resolved] == reads.ranked_nums(conn, latest.id):
        return _refresh_latest(conn, latest, resolved, ingested_at)

    snapshot_id = conn.execute(snapshots.insert().values(
        id=_next_snapshot_id(conn), list_date=list_time.date(), ingested_at=ingested_at,
        source=source, format=format, sha256=sha256, paper_count=len(resolved), new_count=0,
    ).returning(snapshots.c.id)).scalar_one()
    new_count = updated_count = 0
    kept = journal.Journal(snapshot_id)  # a new snapshot remembers nothing yet
    updates = _Updates(conn)
    to_index: list[int] = []
    rank_rows: list[dict[str, Any]] = []
    for rank, (entry, row) in enumerate(resolved, start=1):
        sighting = merge.Sighting(rank, list_time, list_time.date(), ingested_at)
        if row is None:
            updates.flush()
            num = _insert(conn, entry, sighting)
            kept.remember(num, None)
            new_count += 1
            to_index.append(num)
        else:
            num = row.num
            change = _update(updates, row, entry, sighting, kept)
            updated_count += change.text_changed
            if change.index_changed:
                to_index.append(num)
        rank_rows.append({"snapshot_id": snapshot_id, "paper_num": num, "rank": rank,
                          "upvotes": entry.upvotes})
    updates.flush()
    conn.execute(ranks.insert(), rank_rows)
    kept.write(conn)
    conn.execute(snapshots.update().where(snapshots.c.id == snapshot_id)
                 .values(new_count=new_count))
    index_rows(conn, to_index)
    journal.forget_old(conn)
    conn.execute(_moved("snapshot_count", 1))
    stored = reads.snapshot(conn, snapshot_id)
    assert stored is not None
    return IngestResult(snapshot=stored, unchanged=False, updated_count=updated_count), True


def _refresh_latest(conn: sa.Connection, latest: Snapshot,
                    resolved: list[tuple[NormalPaper, Any]],
                    ingested_at: dt.datetime) -> tuple[IngestResult, bool]:
    """The latest ranking again: no new snapshot; text and upvotes that changed are
    updated (journalled under the latest snapshot, so its undo reverts them too)."""
    changed = updated_count = 0
    to_index: list[int] = []
    kept = journal.Journal(latest.id, conn.execute(sa.select(paper_undo.c.paper_num).where(
        paper_undo.c.snapshot_id == latest.id)).scalars())
    updates = _Updates(conn)
    for rank, (entry, row) in enumerate(resolved, start=1):
        sighting = merge.Sighting(rank, latest.ingested_at, latest.list_date, ingested_at,
                                  new_appearance=False)
        change = _update(updates, row, entry, sighting, kept)
        changed += bool(change.values)
        updated_count += change.text_changed
        if change.index_changed:
            to_index.append(row.num)
        if entry.upvotes is not None:
            changed += conn.execute(ranks.update().where(
                ranks.c.snapshot_id == latest.id, ranks.c.paper_num == row.num,
                ranks.c.upvotes.is_distinct_from(entry.upvotes)).values(upvotes=entry.upvotes)
            ).rowcount
    if changed:
        updates.flush()
        kept.write(conn)
        index_rows(conn, to_index)
    return IngestResult(snapshot=latest, unchanged=True, updated_count=updated_count), \
        bool(changed)


def undo_latest(conn: sa.Connection) -> Snapshot:
    """Remove the latest snapshot inside the caller's transaction and put every paper it
    touched back as it was before it, and make the refresher forget the validators of
    the fetch it came from (its next attempt fetches the list again). Raises UndoError
    when there is nothing to undo."""
    bump_version(conn)  # the lock first: what "latest" is is decided under it
    latest = reads.latest_snapshot(conn)
    if latest is None:
        raise UndoError("the store holds no snapshot: nothing to undo")
    journal_from = reads.meta_value(conn, "undo_from") or 1
    if latest.id < journal_from:
        raise UndoError(f"snapshot {latest.id} was stored before the undo journal it would "
                        f"need (undo reaches back over the {UNDO_DEPTH} latest snapshots, "
                        "and not before this version of trendfeed kept one): it cannot be "
                        "undone")
    remembered = conn.execute(sa.select(paper_undo.c.paper_num, paper_undo.c.before)
                           .where(paper_undo.c.snapshot_id == latest.id)).all()
    nums = [num for num, _ in remembered]
    unindex(conn, nums)
    conn.execute(ranks.delete().where(ranks.c.snapshot_id == latest.id))
    conn.execute(paper_undo.delete().where(paper_undo.c.snapshot_id == latest.id))
    added = [num for num, before in remembered if before is None]
    for chunk in _chunks(added):
        conn.execute(papers.delete().where(papers.c.num.in_(chunk)))
    restored = [(num, before) for num, before in remembered if before is not None]
    # A title key can have passed from one paper to another within the snapshot: park
    # every restored paper on a key no title folds to (`#`) first, so the restore order
    # cannot clash.
    for chunk in _chunks([num for num, _ in restored]):
        conn.execute(papers.update().where(papers.c.num.in_(chunk)).values(
            title_key=sa.literal("#undo ") + sa.cast(papers.c.num, sa.String)))
    if restored:  # every row whole, in one statement
        conn.execute(papers.update().where(papers.c.num == sa.bindparam("restored_num")), [
            # (a journal written before a column existed has no value for it: null)
            {"restored_num": num, **{c.name: journal.from_json(c, before.get(c.name))
                                     for c in journal.JOURNALLED}}
            for num, before in restored])
    conn.execute(snapshots.delete().where(snapshots.c.id == latest.id))
    conn.execute(_moved("snapshot_count", -1))
    index_rows(conn, [num for num, _ in restored])
    conn.execute(source_state.update().values(etag=None, last_modified=None))
    if conn.dialect.name == "postgresql":  # the next paper nums are what they would have been
        conn.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('papers', 'num'), "
            "COALESCE((SELECT MAX(num) FROM papers), 0) + 1, false)"))
    return latest


def save_source_state(conn: sa.Connection, state: SourceState) -> None:
    """Replace the one row of what the refresher knows (not part of the data version:
    nothing served changes with it)."""
    conn.execute(source_state.delete())
    conn.execute(source_state.insert().values(id=1, **dataclasses.asdict(state)))
