"""Electing the one refresher of a store: a PostgreSQL session advisory lock, or an
exclusive flock on a file beside the SQLite database.

Both are released by the operating system or the server when the holding process dies
(its connection closes, its file descriptors close), so a standby that keeps trying
takes over without any timeout to tune.

Holding a lock once is not holding it now. A PostgreSQL session can be ended under us
(pg_terminate_backend, idle_session_timeout, a server restart) and its lock goes with
it; a lock file can be deleted or replaced, and the next candidate then locks a new
file at the same path. Either way another process can be elected while this one still
believes it is. So the holder re-checks with `still_held()` before each attempt and
once more inside the transaction that applies a list: the lock's own session must
answer and show the lock in pg_locks; the locked file must still be the one at the
path (same device and inode). A lock found lost is released quietly and tried again.

Nothing here raises for a dead connection or a missing folder: the answer is "not
elected", and the refresher keeps trying.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .engine import Database

REFRESHER_LOCK_KEY = 7413551  # pg advisory lock key (migrations use 7413550)
# Keyed by the schema too: two stores in one database elect one each.
_TRY_LOCK = sa.text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))")
# The two-key form shows in pg_locks as classid = key 1, objid = key 2 (as an unsigned
# 32-bit oid), objsubid = 2.
_STILL_HELD = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = pg_backend_pid() AND classid = CAST(:k AS oid) AND objsubid = 2 "
    "AND objid = CAST(hashtext(current_schema())::bigint & 4294967295 AS oid)")


def _same_file(fd: int, path: Path) -> bool:
    try:
        held, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino)


class RefresherLock:
    """`ensure()` before each attempt; held until `release()` or the process ends."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: sa.Connection | None = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this lock believes it is held (`still_held()` checks)."""
        return self._conn is not None or self._fd is not None

    def lock_file(self) -> Path:
        database = sa.engine.make_url(self.db.url).database or ""
        return Path(database + ".refresher.lock")

    def ensure(self) -> bool:
        """Hold the lock now: keep one that is still held, else release it and try to
        take it (again)."""
        if self.held and self.still_held():
            return True
        self.release()
        return self.try_acquire()

    def still_held(self) -> bool:
        if self._conn is not None:
            try:
                held = self._conn.execute(_STILL_HELD, {"k": REFRESHER_LOCK_KEY}).scalar()
                self._conn.commit()
            except Exception:  # the session is gone (StoreError) or unusable
                return False
            return bool(held)
        return self._fd is not None and _same_file(self._fd, self.lock_file())

    def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.db.dialect == "postgresql":
            return self._try_advisory_lock()
        return self._try_flock()

    def _try_advisory_lock(self) -> bool:
        try:
            conn = self.db.engine.connect()
        except Exception:  # the server is down: not elected, try again later
            return False
        try:
            # Out of the pool: closing it ends the session, which is what releases the
            # lock; a pooled connection would keep the lock after release().
            conn.detach()
            got = conn.execute(_TRY_LOCK, {"k": REFRESHER_LOCK_KEY}).scalar()
            conn.commit()
        except Exception:
            got = False
        if got:
            self._conn = conn
            return True
        with contextlib.suppress(Exception):
            conn.close()
        return False

    def _try_flock(self) -> bool:
        path = self.lock_file()
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:  # the store's folder is missing or unwritable for now
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Between our open and our flock the file may have been deleted or replaced,
            # and a lock on a file no longer at the path elects nobody.
            if not _same_file(fd, path):
                raise BlockingIOError
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock up. Never raises: a dead connection or a deleted file is simply
        let go of."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(Exception):  # at once, while the session lives
                conn.execute(_UNLOCK, {"k": REFRESHER_LOCK_KEY})
                conn.commit()
            with contextlib.suppress(Exception):
                conn.close()  # ends the session, which releases the lock in any case
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)  # releases the flock

    def __enter__(self) -> RefresherLock:
        return self

    def __exit__(self, *_: Any) -> None:
        self.release()
