"""The domain's words for asking for a list of papers: scopes, sorts, their defaults
and the shape of the sort key a cursor carries. The web layer and the store both
speak these; neither defines them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .query import Query

SCOPES = ("current", "all")  # the latest list, or every paper ever seen
SORTS = ("rank", "first_seen", "-first_seen", "-upvotes")
# The integers a cursor's "after" holds for each sort, by their width in bits (see
# store/paging.py): a rank or upvotes and a paper's num are 32-bit columns, search_key
# 64-bit. A key past its column's range made PostgreSQL refuse the statement (a 503).
SORT_KEY_BITS = {"rank": (32, 32), "first_seen": (64,), "-first_seen": (64,),
                 "-upvotes": (32, 32)}


def default_sort(scope: str) -> str:
    """The latest list reads in rank order; the whole history newest first."""
    return "rank" if scope == "current" else "-first_seen"


@dataclass(frozen=True)
class Listing:
    """What a list of papers is: a query, a scope, a sort, and optional filters."""

    query: Query = Query()
    scope: str = "current"
    sort: str | None = None
    published_after: dt.datetime | None = None

    @property
    def effective_sort(self) -> str:
        return self.sort or default_sort(self.scope)

    @property
    def order_moves(self) -> bool:
        """Ordered by what every write may change (the papers' latest upvotes), where
        the other sorts read the walk's pinned list or first_seen, which never moves."""
        return self.effective_sort == "-upvotes"


def sort_keys(sort: str, values: Sequence[object]) -> list[int]:
    """A cursor's sort key for `sort`, checked: the right number of integers, each in
    its column's range. Raises ValueError for anything else."""
    bits = SORT_KEY_BITS.get(sort, ())
    if not bits or len(values) != len(bits):
        raise ValueError("malformed sort key")
    checked: list[int] = []
    for value, width in zip(values, bits, strict=True):
        if type(value) is not int or not -2 ** (width - 1) <= value < 2 ** (width - 1):
            raise ValueError("malformed sort key")
        checked.append(value)
    return checked
