"""The history store: papers, snapshots and their rankings, behind the `Store` Protocol.

One module per job: engine.py (connections, transactions, errors), schema.py (tables),
migrations.py (the frozen schema history), reads.py, paging.py, writes.py, search.py
(the search index and the query language over it); sql.py is the facade.
"""

from .engine import StoreError
from .migrations import SchemaError
from .protocol import Store
from .sql import SqlStore
from .writes import UndoError

__all__ = ["SchemaError", "SqlStore", "Store", "StoreError", "UndoError", "open_store"]


def open_store(url: str, *, migrate: bool = True) -> SqlStore:
    """The store at `url`, its schema brought up to date."""
    store = SqlStore(url)
    if migrate:
        store.migrate()
    return store
