"""Electing the one refresher of a store: a PostgreSQL session advisory lock, or an
exclusive flock on a file beside the SQLite database.

Both are released by the operating system or the server when the holding process dies
(its connection closes, its file descriptors close), so a standby that keeps trying
takes over without any timeout to tune.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .engine import Database

REFRESHER_LOCK_KEY = 7413551  # pg advisory lock key (migrations use 7413550)


class RefresherLock:
    """`try_acquire()` without waiting; held until `release()` or the process ends."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: sa.Connection | None = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._fd is not None

    def lock_file(self) -> Path:
        database = sa.engine.make_url(self.db.url).database or ""
        return Path(database + ".refresher.lock")

    def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.db.dialect == "postgresql":
            conn = self.db.engine.connect()
            # Keyed by the schema too: two stores in one database elect one each.
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k, "
                                       "hashtext(current_schema()))"),
                               {"k": REFRESHER_LOCK_KEY}).scalar()
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            return bool(got)
        fd = os.open(self.lock_file(), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"),
                             {"k": REFRESHER_LOCK_KEY})
                conn.commit()
            finally:
                conn.close()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> RefresherLock:
        return self

    def __exit__(self, *_: Any) -> None:
        self.release()
