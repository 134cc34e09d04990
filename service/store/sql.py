"""The store on SQLAlchemy Core: one class for SQLite and PostgreSQL.

All datetimes are naive UTC here and in the model. Writes happen only in
`apply_snapshot`, in one transaction that starts by bumping the data version (which
takes the write lock on both engines, so concurrent ingests queue up instead of
interleaving).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from ..model import IngestResult, Links, NormalPaper, Paper, RankEntry, Snapshot
from ..normalize import short_hash
from ..query import Query
from . import schema
from .schema import meta, papers, ranks, search_key, snapshots
from .search import criterion, index_rows, match, search_table

_IN_CHUNK = 500
SCOPES = ("current", "all")
SORTS = ("rank", "first_seen", "-first_seen")
EVERYTHING = Query()
PAPER_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
NO_RANK = 2**31 - 1
EPOCH = dt.datetime(1970, 1, 1)  # sorts papers that are not in the list after those that are


def default_sort(scope: str) -> str:
    return "rank" if scope == "current" else "-first_seen"


def _after(keys: list[tuple[sa.ColumnElement[Any], bool]],
           values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Rows strictly after `values` in the lexicographic order of `keys`."""
    (key, desc), value = keys[0], values[0]
    beyond = key < value if desc else key > value
    if len(keys) == 1:
        return beyond
    return sa.or_(beyond, sa.and_(key == value, _after(keys[1:], values[1:])))


def typed_keys(sort: str, values: Sequence[Any]) -> list[Any]:
    """Sort-key values from a cursor, checked. Raises ValueError on any mismatch."""
    if not all(type(v) is int and -(2**63) <= v < 2**63 for v in values):
        raise ValueError("malformed sort key")
    if len(values) != (2 if sort == "rank" else 1):
        raise ValueError("malformed sort key")
    return list(values)


class StoreError(RuntimeError):
    """The store cannot be reached or used (bad URL, server down, newer schema)."""


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so
        # DDL and the whole ingest are really transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def create_engine(url: str) -> sa.Engine:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"TRENDFEED_DATABASE_URL {url!r} is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: "
                     "use sqlite:///path or postgresql+psycopg://...")


def _to_json(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _links_json(links: Links) -> str:
    return json.dumps(links.as_dict(), ensure_ascii=False)


def _merge(old: Sequence[str], new: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*old, *new]))


class SqlStore:
    """The history of trending lists. Raises StoreError when the database is unusable."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.dialect = self.engine.dialect.name

    # -- set-up ---------------------------------------------------------------

    def migrate(self, target: int = schema.SCHEMA_VERSION) -> int:
        """Create or upgrade the schema; returns the version found before."""
        try:
            with self._write() as conn:
                return schema.migrate(conn, target)
        except sa.exc.OperationalError as exc:
            raise StoreError(f"cannot open the store {self._safe_url()}: {exc.orig}") from None

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return schema.current_version(conn)

    def close(self) -> None:
        self.engine.dispose()

    def _safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def _write(self) -> Any:
        conn = self.engine.connect()
        if self.dialect == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        return _Transaction(conn)

    # -- reads ----------------------------------------------------------------

    def data_version(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "data_version"))
            return int(value.scalar() or 0)

    def data_state(self) -> tuple[int, dt.datetime]:
        """(data version, latest ingest time): one cheap read, what caches compare."""
        stmt = sa.select(meta.c.value, sa.select(sa.func.max(snapshots.c.ingested_at))
                         .scalar_subquery()).where(meta.c.key == "data_version")
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            return 0, EPOCH
        modified = row[1]
        if isinstance(modified, str):  # SQLite returns max() of a datetime column as text
            modified = dt.datetime.fromisoformat(modified)
        return int(row[0]), modified or EPOCH

    def latest_snapshot(self) -> Snapshot | None:
        with self.engine.connect() as conn:
            return self._latest(conn)

    def _latest(self, conn: sa.Connection) -> Snapshot | None:
        row = conn.execute(snapshots.select().order_by(snapshots.c.id.desc()).limit(1)).first()
        return _snapshot(row) if row else None

    def snapshot(self, snapshot_id: int) -> Snapshot | None:
        with self.engine.connect() as conn:
            row = conn.execute(snapshots.select().where(snapshots.c.id == snapshot_id)).first()
            return _snapshot(row) if row else None

    def snapshots(self, limit: int = 50, before: int | None = None) -> list[Snapshot]:
        stmt = snapshots.select().order_by(snapshots.c.id.desc()).limit(limit)
        if before is not None:
            stmt = stmt.where(snapshots.c.id < before)
        with self.engine.connect() as conn:
            return [_snapshot(row) for row in conn.execute(stmt)]

    def count_snapshots(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar()
                       or 0)

    def count_papers(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar() or 0)

    def _paper_select(self, latest_id: int | None) -> sa.Select[Any]:
        current = ranks.alias("current")
        return (sa.select(papers, current.c.rank)
                .select_from(papers.outerjoin(current, sa.and_(
                    current.c.paper_num == papers.c.num,
                    current.c.snapshot_id == (latest_id if latest_id is not None else -1)))))

    def _latest_id(self, conn: sa.Connection) -> int | None:
        return conn.execute(sa.select(sa.func.max(snapshots.c.id))).scalar()

    def latest_snapshot_id(self) -> int | None:
        with self.engine.connect() as conn:
            return self._latest_id(conn)

    def query_papers(self, query: Query = EVERYTHING, *, scope: str = "current",
                     sort: str | None = None, limit: int | None = 50) -> list[Paper]:
        """Papers matching `query`: the latest list in rank order (scope 'current') or
        the whole history, newest first_seen first (scope 'all')."""
        return [paper for paper, _ in self.page_papers(query, scope=scope, sort=sort,
                                                         limit=limit)]

    def page_papers(self, query: Query = EVERYTHING, *, scope: str = "current",
                    sort: str | None = None, limit: int | None = 50,
                    after: Sequence[Any] | None = None,
                    snapshot_id: int | None = None) -> list[tuple[Paper, list[Any]]]:
        """One page of a keyset walk: each paper with its sort key (pass the last one as
        `after` for the next page). `snapshot_id` pins the list that 'current' and `rank`
        refer to, so that a walk is not disturbed by a newer snapshot."""
        sort = sort or default_sort(scope)
        with self.engine.connect() as conn:
            pinned = snapshot_id if snapshot_id is not None else self._latest_id(conn)
            if scope == "all" and sort != "rank" and query:
                stmt = self._newest_matches(pinned, query, sort, limit, after)
            else:
                stmt = self._filtered(self._paper_select(pinned), query, scope)
            keys = self._sort_keys(sort, stmt)
            if after is not None:
                stmt = stmt.where(_after(keys, typed_keys(sort, after)))
            stmt = stmt.add_columns(*(k.label(f"_key{i}") for i, (k, _) in enumerate(keys)))
            stmt = stmt.order_by(*(k.desc() if desc else k for k, desc in keys)).limit(limit)
            rows = conn.execute(stmt).all()
        return [(_paper(row), [int(row._mapping[f"_key{i}"]) for i in range(len(keys))])
                for row in rows]

    def _newest_matches(self, pinned: int | None, query: Query, sort: str, limit: int | None,
                        after: Sequence[Any] | None) -> sa.Select[Any]:
        """The whole history by first_seen: the search table is walked in search_key order
        (SQLite FTS5 rowids; a PostgreSQL index) and the walk stops after `limit` matches,
        however many papers match in all."""
        _, key = search_table(self.dialect)
        descending = sort.startswith("-")
        inner = sa.select(key).where(match(query, self.dialect))
        if after is not None:
            (after_key,) = typed_keys(sort, after)
            inner = inner.where(key < after_key if descending else key > after_key)
        inner = inner.order_by(key.desc() if descending else key).limit(limit)
        return self._paper_select(pinned).where(papers.c.search_key.in_(inner))

    def _filtered(self, stmt: sa.Select[Any], query: Query, scope: str) -> sa.Select[Any]:
        if scope == "current":
            stmt = stmt.where(stmt.selected_columns.rank.is_not(None))
        where = criterion(query, self.dialect)
        if where is not None:
            stmt = stmt.where(where)
        return stmt

    @staticmethod
    def _sort_keys(sort: str, stmt: sa.Select[Any]) -> list[tuple[sa.ColumnElement[Any], bool]]:
        """(expression, descending) pairs making a total order that never changes for the
        papers already stored: rank then insertion order, or search_key (first_seen, then
        insertion order)."""
        if sort == "rank":
            rank = sa.func.coalesce(stmt.selected_columns.rank, NO_RANK)
            return [(rank, False), (papers.c.num, False)]
        return [(papers.c.search_key, sort.startswith("-"))]

    def count_matching(self, query: Query = EVERYTHING, *, scope: str = "current",
                       snapshot_id: int | None = None) -> int:
        with self.engine.connect() as conn:
            if scope == "all" and query:
                table, _ = search_table(self.dialect)
                stmt = sa.select(sa.func.count()).select_from(table) \
                    .where(match(query, self.dialect))
                return int(conn.execute(stmt).scalar() or 0)
            pinned = snapshot_id if snapshot_id is not None else self._latest_id(conn)
            inner = self._filtered(self._paper_select(pinned), query, scope)
            stmt = sa.select(sa.func.count()).select_from(inner.subquery())
            return int(conn.execute(stmt).scalar() or 0)

    def paper(self, paper_id: str) -> Paper | None:
        if not PAPER_ID.fullmatch(paper_id):  # cannot exist; and PostgreSQL refuses NUL
            return None
        with self.engine.connect() as conn:
            stmt = self._paper_select(self._latest_id(conn)).where(papers.c.id == paper_id)
            row = conn.execute(stmt).first()
            return _paper(row) if row else None

    def history(self, paper_id: str) -> list[RankEntry]:
        if not PAPER_ID.fullmatch(paper_id):
            return []
        stmt = (sa.select(ranks.c.snapshot_id, snapshots.c.list_date, ranks.c.rank)
                .select_from(ranks.join(papers, papers.c.num == ranks.c.paper_num)
                             .join(snapshots, snapshots.c.id == ranks.c.snapshot_id))
                .where(papers.c.id == paper_id).order_by(ranks.c.snapshot_id))
        with self.engine.connect() as conn:
            return [RankEntry(r.snapshot_id, r.list_date, r.rank) for r in conn.execute(stmt)]

    def snapshot_entries(self, snapshot_id: int) -> list[tuple[int, Paper]]:
        """(rank in that snapshot, paper) for every paper of one snapshot, in rank order."""
        ranked = ranks.alias("ranked")
        with self.engine.connect() as conn:
            stmt = (self._paper_select(self._latest_id(conn))
                    .add_columns(ranked.c.rank.label("snapshot_rank"))
                    .join(ranked, ranked.c.paper_num == papers.c.num)
                    .where(ranked.c.snapshot_id == snapshot_id).order_by(ranked.c.rank))
            return [(row.snapshot_rank, _paper(row)) for row in conn.execute(stmt)]

    # -- the one write --------------------------------------------------------

    def apply_snapshot(self, entries: Sequence[NormalPaper], *, list_time: dt.datetime,
                       ingested_at: dt.datetime, source: str, format: str,
                       sha256: str) -> IngestResult:
        """Store one list (already normalized, deduplicated, in rank order) in one
        transaction. Content equal to the latest snapshot's (same sha256) is a no-op."""
        with self._write() as conn:
            conn.execute(meta.update().where(meta.c.key == "data_version")
                         .values(value=meta.c.value + 1))
            latest = self._latest(conn)
            if latest is not None and latest.sha256 == sha256:
                conn.rollback()
                return IngestResult(snapshot=latest, unchanged=True)

            existing = self._matching_rows(conn, entries)
            snapshot_id = conn.execute(snapshots.insert().values(
                list_date=list_time.date(), ingested_at=ingested_at, source=source,
                format=format, sha256=sha256, paper_count=len(entries), new_count=0,
            ).returning(snapshots.c.id)).scalar_one()

            new_count = updated_count = 0
            to_index: list[int] = []
            rank_rows: list[dict[str, int]] = []
            seen: set[int] = set()
            for entry in entries:
                row = existing.get(("arxiv", entry.arxiv_id)) if entry.arxiv_id else None
                row = row or existing.get(("key", entry.title_key))
                if row is not None and row.num in seen:
                    continue  # a second record of a paper already in this list: first one wins
                rank = len(rank_rows) + 1
                if row is None:
                    num = self._insert_paper(conn, entry, rank, list_time, ingested_at)
                    new_count += 1
                    to_index.append(num)
                else:
                    num = row.num
                    text_changed, flags_changed = self._update_paper(
                        conn, row, entry, rank, list_time, ingested_at)
                    updated_count += text_changed
                    if text_changed or flags_changed:
                        to_index.append(num)
                seen.add(num)
                rank_rows.append({"snapshot_id": snapshot_id, "paper_num": num, "rank": rank})
            conn.execute(ranks.insert(), rank_rows)
            conn.execute(snapshots.update().where(snapshots.c.id == snapshot_id)
                         .values(new_count=new_count, paper_count=len(rank_rows)))
            index_rows(conn, to_index)
            snapshot = self._latest(conn)
            assert snapshot is not None
            conn.commit()
            return IngestResult(snapshot=snapshot, unchanged=False, updated_count=updated_count)

    def _matching_rows(self, conn: sa.Connection,
                       entries: Sequence[NormalPaper]) -> dict[tuple[str, str], Any]:
        found: dict[tuple[str, str], Any] = {}
        arxiv_ids = [e.arxiv_id for e in entries if e.arxiv_id]
        for chunk in _chunks(arxiv_ids):
            for row in conn.execute(papers.select().where(papers.c.arxiv_id.in_(chunk))):
                found[("arxiv", row.arxiv_id)] = row
        for chunk in _chunks([e.title_key for e in entries]):
            for row in conn.execute(papers.select().where(papers.c.title_key.in_(chunk))):
                found[("key", row.title_key)] = row
        return found

    def _free_id(self, conn: sa.Connection, wanted: str, title_key: str) -> str:
        candidates = [wanted, f"{wanted}-{short_hash(title_key)}"]
        candidates += [f"{wanted}-{short_hash(f'{title_key}#{i}')}" for i in range(1, 50)]
        taken = set(conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(candidates)))
                    .scalars())
        return next(c for c in candidates if c not in taken)

    def _insert_paper(self, conn: sa.Connection, entry: NormalPaper, rank: int,
                      list_time: dt.datetime, ingested_at: dt.datetime) -> int:
        first_seen = min(entry.listed_at or list_time, ingested_at)
        paper_id = self._free_id(conn, entry.arxiv_id or entry.slug, entry.title_key)
        num = int(conn.execute(papers.insert().values(
            id=paper_id, title=entry.title, title_key=entry.title_key, abstract=entry.abstract,
            arxiv_id=entry.arxiv_id, authors=_to_json(entry.authors),
            keywords=_to_json(entry.keywords), links=_links_json(entry.links),
            upvotes=entry.upvotes, has_code=bool(entry.links.code),
            has_project=bool(entry.links.project), first_seen=first_seen,
            last_seen=max(list_time, first_seen), updated_at=first_seen, best_rank=rank,
            appearances=1,
        ).returning(papers.c.num)).scalar_one())
        conn.execute(papers.update().where(papers.c.num == num)
                     .values(search_key=search_key(first_seen, num)))
        return num

    def _update_paper(self, conn: sa.Connection, row: Any, entry: NormalPaper, rank: int,
                      list_time: dt.datetime, ingested_at: dt.datetime) -> tuple[bool, bool]:
        """Fold a new sighting into a stored paper: (its text changed, its has: flags did)."""
        values: dict[str, Any] = {
            "last_seen": max(row.last_seen, list_time),
            "best_rank": min(row.best_rank, rank),
            "appearances": row.appearances + 1,
        }
        if entry.arxiv_id and not row.arxiv_id:
            values["arxiv_id"] = entry.arxiv_id
        if entry.upvotes is not None:
            values["upvotes"] = entry.upvotes
        old_links = Links(**json.loads(row.links))
        links = Links(*(_merge(getattr(old_links, k), getattr(entry.links, k))
                        for k in ("code", "project", "other")))
        values.update(links=_links_json(links), has_code=bool(links.code),
                      has_project=bool(links.project))
        text_changed = False
        if entry.title != row.title and (entry.title_key == row.title_key or not conn.execute(
                sa.select(papers.c.num).where(papers.c.title_key == entry.title_key)).first()):
            values.update(title=entry.title, title_key=entry.title_key)
            text_changed = True
        if entry.abstract != row.abstract:
            values["abstract"] = entry.abstract
            text_changed = True
        for name in ("authors", "keywords"):
            new_values = getattr(entry, name)
            if new_values and list(new_values) != json.loads(getattr(row, name)):
                values[name] = _to_json(new_values)
                text_changed = True
        if text_changed:
            values["updated_at"] = max(ingested_at, row.updated_at)
        conn.execute(papers.update().where(papers.c.num == row.num).values(**values))
        flags_changed = (values["has_code"], values["has_project"]) != (row.has_code,
                                                                        row.has_project)
        return text_changed, flags_changed


class _Transaction:
    """`with store._write() as conn:` - begin, hand out the connection, roll back on error."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sa.Connection:
        self.conn.begin()
        return self.conn

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        try:
            if self.conn.in_transaction():
                if exc_type is None:
                    self.conn.commit()
                else:
                    self.conn.rollback()
        finally:
            self.conn.close()


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(id=row.id, list_date=row.list_date, ingested_at=row.ingested_at,
                    source=row.source, format=row.format, sha256=row.sha256,
                    paper_count=row.paper_count, new_count=row.new_count)


def _paper(row: Any) -> Paper:
    return Paper(
        id=row.id, title=row.title, abstract=row.abstract, arxiv_id=row.arxiv_id,
        authors=tuple(json.loads(row.authors)), keywords=tuple(json.loads(row.keywords)),
        upvotes=row.upvotes, links=Links(**{k: tuple(v) for k, v in json.loads(row.links).items()}),
        first_seen=row.first_seen, last_seen=row.last_seen, updated=row.updated_at,
        rank=row.rank, best_rank=row.best_rank, appearances=row.appearances,
    )
