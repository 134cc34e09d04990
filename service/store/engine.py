"""The database connection: engine set-up for SQLite and PostgreSQL, transactions, and
the one place where a database error becomes a `StoreError`.

Every statement runs through an engine made here, whose `handle_error` hook turns any
DBAPI error (server gone, file unreadable, lock timeout) into `StoreError`, so callers
catch one exception type and never see the driver's. `Database.on_statement` is the
fault-injection point (the way SQLite tests itself): a callable run before every
statement, which may raise to make that statement fail as a database would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


class StoreError(RuntimeError):
    """The store cannot be reached or used (bad URL, server down, newer schema)."""


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<not a database URL>"


def _translate_errors(engine: sa.Engine, url: str) -> None:
    @event.listens_for(engine, "handle_error")
    def _to_store_error(context: sa.engine.ExceptionContext) -> None:
        original = context.original_exception
        # A failed pre-ping is SQLAlchemy's to handle: it discards the dead connection and
        # connects again (a server restart, an idle_session_timeout, a terminated session).
        if isinstance(original, StoreError) or context.is_pre_ping:
            return
        message = " ".join(str(original).split())  # drivers write several lines
        raise StoreError(f"the store {safe_url(url)} failed: {message}") from original


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of the SQLite store {folder}: "
                             f"{exc.strerror}") from None
    # A connection per use (they cost microseconds): a store file that is moved, replaced
    # or unreadable is noticed at once instead of read through a pooled handle.
    pool = {"poolclass": NullPool} if url.database not in (None, "", ":memory:") else {}
    engine = sa.create_engine(url, json_serializer=_json_dumps, **pool)

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
    """An engine for `url` (sqlite:///path or postgresql+psycopg://...). Raises StoreError."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"TRENDFEED_DATABASE_URL {url!r} is not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(parsed)
    elif backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            engine = sa.create_engine(parsed, pool_pre_ping=True, json_serializer=_json_dumps)
        except (ImportError, sa.exc.ArgumentError) as exc:
            raise StoreError(f"cannot use {safe_url(url)}: {exc}") from None
    else:
        raise StoreError(f"unsupported database {backend!r}: "
                         "use sqlite:///path or postgresql+psycopg://...")
    _translate_errors(engine, url)
    return engine


class InjectedFault(StoreError):
    """Raised by a test's `on_statement` hook: the statement fails as a database would."""


class Database:
    """An engine with the two ways the store uses it: `read()` and `write()`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.dialect = self.engine.dialect.name
        self._local = threading.local()  # the connection of a consistent() block
        # Tests only: called with each statement's SQL before it runs; raising
        # InjectedFault fails that statement (translated to StoreError like any other).
        self.on_statement: Callable[[str], None] | None = None

        @event.listens_for(self.engine, "before_cursor_execute")
        def _before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if self.on_statement is not None:
                self.on_statement(statement)

        @event.listens_for(self.engine, "commit")
        def _before_commit(conn: sa.Connection) -> None:  # a COMMIT can fail too (a full disk)
            if self.on_statement is not None:
                try:
                    self.on_statement("COMMIT")
                except InjectedFault:  # as a server does when its COMMIT fails
                    conn.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
                    raise

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reads: the one of the enclosing `consistent()` block of this
        thread when there is one, else a fresh one."""
        pinned = getattr(self._local, "conn", None)
        if pinned is not None:
            yield pinned
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def consistent(self) -> Iterator[None]:
        """Every read of this thread inside the block sees one state of the store (one
        read transaction: SQLite's WAL snapshot, PostgreSQL's REPEATABLE READ), so a body
        built from several reads never mixes two ingests."""
        if getattr(self._local, "conn", None) is not None:
            yield  # already inside one
            return
        conn = self.engine.connect()
        try:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            self._local.conn = conn
            yield
        finally:
            self._local.conn = None
            try:
                if conn.in_transaction():
                    conn.rollback()
            finally:
                conn.close()

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One transaction: committed when the block ends normally (unless the block already
        committed or rolled back), rolled back on any error. SQLite takes the write lock
        at BEGIN (IMMEDIATE), so concurrent writers queue instead of failing midway."""
        conn = self.engine.connect()
        try:
            if self.dialect == "sqlite":
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            conn.begin()
            try:
                yield conn
            except BaseException:
                if conn.in_transaction():
                    conn.rollback()
                raise
            if conn.in_transaction():
                conn.commit()
        finally:
            conn.close()

    def close(self) -> None:
        self.engine.dispose()
