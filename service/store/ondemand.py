"""The server's store: opened when it is first used, not when a worker boots.

A worker that opened (and migrated) its store at boot could not boot while the store was
down: with PostgreSQL stopped, a worker killed for any reason was replaced by one that
failed to boot, and gunicorn then stopped the whole server, which stayed down after the
database came back. `OnDemandStore` makes no connection until a request needs one; until
the store answers, every use raises StoreError (so the request gets its 503) and the
next use tries again; once the schema is found current (or brought up to date), it
delegates every call to the SqlStore it wraps, which reconnects by itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from .engine import StoreError
from .migrations import SCHEMA_VERSION
from .sql import SqlStore


class OnDemandStore:
    """A SqlStore for `url`, made and migrated on first use. Every attribute of the
    SqlStore (its methods, `db`, `dialect`) is reached through this object.

    `on_open(store)` is called once the SqlStore is made (observers hook its engine)."""

    def __init__(self, url: str, *, on_open: Callable[[SqlStore], None] | None = None) -> None:
        self.url = url
        self._on_open = on_open
        self._lock = threading.Lock()
        self._store: SqlStore | None = None
        self._current = False  # the schema was found current: nothing left to check
        with contextlib.suppress(StoreError):  # made again on first use
            self._made()  # no connection yet: an engine, and an SQLite store's folder

    def _made(self) -> SqlStore:
        store = self._store
        if store is None:
            store = self._store = SqlStore(self.url)
            if self._on_open is not None:
                self._on_open(store)
        return store

    def opened(self) -> SqlStore:
        """The SqlStore, its schema current. Raises StoreError while the store cannot be
        reached (or is newer than this code); the next call tries again."""
        store = self._store
        if self._current and store is not None:
            return store
        with self._lock:
            store = self._made()
            if not self._current:
                # A read first: a current schema needs no write lock, so a worker starting
                # while another process holds SQLite's write lock does not wait for it.
                if store.schema_version() != SCHEMA_VERSION:
                    store.migrate()  # SchemaError when the store is newer than this code
                self._current = True
        return store

    @property
    def engine(self) -> sa.Engine | None:
        """The SqlStore's engine without connecting (for observers); None while it
        cannot be made."""
        try:
            with self._lock:
                return self._made().engine
        except StoreError:
            return None

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never open the store for a private or special name
            raise AttributeError(name)
        return getattr(self.opened(), name)
