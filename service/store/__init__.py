"""The history store: papers, snapshots and their rankings (SPEC section 3)."""

from .api import Store
from .sql import SCOPES, SORTS, SqlStore, StoreError

__all__ = ["SCOPES", "SORTS", "SqlStore", "Store", "StoreError", "open_store"]


def open_store(url: str, *, migrate: bool = True) -> SqlStore:
    """The store at `url`, its schema brought up to date."""
    store = SqlStore(url)
    if migrate:
        store.migrate()
    return store
