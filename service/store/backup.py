"""`trendfeed backup PATH`: a consistent copy of an SQLite store, taken with SQLite's
online backup API while the service keeps serving (readers and the one writer go on;
the copy is of one moment). PostgreSQL has its own tool for this: pg_dump."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .engine import Database, StoreError


class BackupError(StoreError):
    """The backup cannot be made as asked (an existing file, another engine)."""


def backup_sqlite(db: Database, target: Path) -> int:
    """Copy the store into the new file `target` (written beside it, then renamed into
    place, so a failed backup leaves nothing half-written). Returns its size in bytes."""
    if db.dialect != "sqlite":
        raise BackupError("backup copies SQLite stores; for PostgreSQL use pg_dump, e.g. "
                          "pg_dump --format=custom --file=trendfeed.dump DBNAME "
                          "(restore with pg_restore --dbname=DBNAME trendfeed.dump)")
    if target.exists():
        raise BackupError(f"{target} exists: name a new file")
    partial = target.with_name(target.name + ".partial")
    try:
        destination = sqlite3.connect(partial)
        with db.engine.connect() as conn:
            source = conn.connection.driver_connection
            assert isinstance(source, sqlite3.Connection)
            source.backup(destination)
        destination.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write the backup {target}: {exc}") from None
    return target.stat().st_size
