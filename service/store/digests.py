"""Reads for the digest feeds (SPEC 6): the list days, and the papers that arrived on a
run of them.

A paper arrives on the earliest list day on which a list held it (for a query with
`upvotes:` terms: held it with a count there that satisfied them). Lists added later,
for later days, never move it; only a list filed for an earlier day could. Its rank and
upvotes per day come from the lists themselves (ranks), not from the paper's row, whose
best rank and count move with every later list: a day that is over reads the same for
good.

The cost is one pass over the ranks of the lists since the window began, found by the
index on the lists' days (a paper's earlier lists are known from its appearances, or,
with upvotes terms, looked up for the papers found only), however long the history.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from ..model import Paper
from ..query import Query, Upvotes
from .reads import latest_snapshot_id, paper_select, to_paper
from .schema import papers, ranks, snapshots
from .search import criterion

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}
_CHUNK = 500  # papers per IN list


class ListDay(NamedTuple):
    """A list day and the ingest time of its last list."""

    day: dt.date
    last_ingested: dt.datetime


class DayRank(NamedTuple):
    """A paper's best rank on one list day, and its most upvotes there (None: unknown)."""

    rank: int
    upvotes: int | None


class Arrival(NamedTuple):
    """A paper that arrived in a window of list days: the day it arrived, and its best rank
    and upvotes on each of the window's days whose lists held it meeting the query."""

    paper: Paper
    day: dt.date
    days: dict[dt.date, DayRank]


def _as_datetime(value: Any) -> dt.datetime:
    # SQLite answers max() of a datetime column as text
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def list_days_select(limit: int) -> sa.Select[Any]:
    """The latest `limit` list days and each one's last ingest time, through the index
    on the lists' days (tests/test_digests.py reads its plan)."""
    return (sa.select(snapshots.c.list_date, sa.func.max(snapshots.c.ingested_at))
            .group_by(snapshots.c.list_date).order_by(snapshots.c.list_date.desc())
            .limit(limit))


def list_days(conn: sa.Connection, limit: int) -> list[ListDay]:
    """The latest `limit` list days, newest first."""
    return [ListDay(row[0], _as_datetime(row[1]))
            for row in conn.execute(list_days_select(limit))]


def _met(upvotes: Sequence[Upvotes]) -> list[sa.ColumnElement[bool]]:
    """The query's upvotes terms on a list's own count (null: unknown, never met)."""
    return [_COMPARE[term.op](ranks.c.upvotes, term.value) for term in upvotes]


def arrivals(conn: sa.Connection, query: Query, first_day: dt.date, last_day: dt.date,
             dialect: str) -> list[Arrival]:
    """The papers matching `query` that arrived on a list day from `first_day` to
    `last_day` (both included), in no particular order."""
    met = _met(query.upvotes)
    text = criterion(Query(query.text_clauses), dialect)  # the search index's terms
    # The matching papers' numbers first, alone: both engines plan that well, where a
    # text criterion joined to the pass below or to a list of numbers (SQLite ran its
    # FTS match once per row) cost several times the pass itself.
    matching = None if text is None else set(conn.execute(
        sa.select(papers.c.num).where(text)).scalars())
    if matching is not None and not matching:
        return []
    days, lists = _days_since(conn, met, first_day)
    candidates = [num for num, held in days.items()
                  if min(held) <= last_day and (matching is None or num in matching)]
    pinned = latest_snapshot_id(conn)
    rows = [row for chunk in _chunks(candidates)
            for row in conn.execute(paper_select(pinned).where(papers.c.num.in_(chunk)))]
    earlier = _met_before(conn, [row.num for row in rows], met, first_day) if met else set()
    found: list[Arrival] = []
    for row in rows:
        # Without upvotes terms, a paper's appearances count every list that ever held
        # it: it was on none before the window exactly when they are those counted.
        if row.num not in earlier and (met or row.appearances == lists[row.num]):
            held = {day: r for day, r in days[row.num].items() if day <= last_day}
            found.append(Arrival(to_paper(row), min(held), held))
    return found


def days_since_select(met: list[sa.ColumnElement[bool]], first_day: dt.date) -> sa.Select[Any]:
    """The pass of `_days_since`: the lists of `first_day` and after through the index on
    their days, and their ranks by snapshot (tests/test_digests.py reads its plan)."""
    return (sa.select(ranks.c.paper_num, snapshots.c.list_date, sa.func.min(ranks.c.rank),
                      sa.func.max(ranks.c.upvotes), sa.func.count())
            .select_from(snapshots.join(ranks, ranks.c.snapshot_id == snapshots.c.id))
            .where(snapshots.c.list_date >= first_day, *met)
            # (in this order: grouped by paper first, SQLite walked every paper's ranks
            # through ranks_paper, the whole history, instead of the window's lists)
            .group_by(snapshots.c.list_date, ranks.c.paper_num))


def _days_since(conn: sa.Connection, met: list[sa.ColumnElement[bool]], first_day: dt.date
                ) -> tuple[dict[int, dict[dt.date, DayRank]], dict[int, int]]:
    """One pass over the lists of `first_day` and after, driven by the snapshots: per
    paper that met the upvotes terms there (each list's own count, never the paper's
    latest), its best rank and most upvotes on each day, and how many lists held it."""
    stmt = days_since_select(met, first_day)
    days: dict[int, dict[dt.date, DayRank]] = {}
    lists: dict[int, int] = {}
    for num, day, rank, upvotes, count in conn.execute(stmt):
        days.setdefault(num, {})[day] = DayRank(rank, upvotes)
        lists[num] = lists.get(num, 0) + count
    return days, lists


def _met_before(conn: sa.Connection, nums: list[int], met: list[sa.ColumnElement[bool]],
                first_day: dt.date) -> set[int]:
    """Those of the papers numbered `nums` that met the upvotes terms on a list before
    `first_day`: they arrived earlier."""
    earlier: set[int] = set()
    for chunk in _chunks(nums):
        earlier.update(conn.execute(
            sa.select(ranks.c.paper_num).distinct()
            .select_from(ranks.join(snapshots, snapshots.c.id == ranks.c.snapshot_id))
            .where(ranks.c.paper_num.in_(chunk), snapshots.c.list_date < first_day, *met)
        ).scalars())
    return earlier


def _chunks(nums: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(nums), _CHUNK):
        yield nums[start:start + _CHUNK]
