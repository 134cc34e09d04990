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
# How many integers a cursor's "after" holds for each sort (see store/paging.py).
SORT_KEY_LENGTHS = {"rank": 2, "first_seen": 1, "-first_seen": 1, "-upvotes": 2}
_MAX_KEY = 2**63


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


def sort_keys(sort: str, values: Sequence[object]) -> list[int]:
    """A cursor's sort key for `sort`, checked: the right number of 64-bit integers.
    Raises ValueError for anything else."""
    if len(values) != SORT_KEY_LENGTHS.get(sort, -1):
        raise ValueError("malformed sort key")
    checked: list[int] = []
    for value in values:
        if type(value) is not int or not -_MAX_KEY <= value < _MAX_KEY:
            raise ValueError("malformed sort key")
        checked.append(value)
    return checked
