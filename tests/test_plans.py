"""Reads of the whole history walk an index, both engines (store step 8): the most
upvoted papers first, and an `upvotes:` term's count. Over a decade's 43,397 papers
each read every paper (65-84 ms a page of `sort=-upvotes`, 30 ms a count, on SQLite);
bench/README.md has the figures. The digests' plans are in tests/test_digests.py."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from service.listing import Listing
from service.query import parse
from service.store import SqlStore
from service.store.paging import count_select, page_select

from .conftest import ENGINES


def plan_of(store: SqlStore, stmt: sa.Select[Any]) -> str:
    """The plan of `stmt` as the service runs it: its values bound, not written in (a
    bound value in an indexed expression is not the index's expression)."""
    with store.engine.connect() as conn:
        compiled = stmt.compile(conn)
        if store.dialect == "sqlite":
            values = tuple(compiled.params[name] for name in compiled.positiontup or ())
            return " | ".join(row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", values))
        # too few rows for the planner to prefer an index: can it use one?
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL enable_sort = off")
        return " | ".join(row[0] for row in conn.exec_driver_sql(
            f"EXPLAIN {compiled}", compiled.params))


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("after", [None, [12, 7]])
def test_the_most_upvoted_first_walks_its_index(store: SqlStore, after: list[int] | None) -> None:
    """(NO_UPVOTES is written into the SQL: bound, the expression was not the index's.)"""
    stmt, _ = page_select(Listing(parse(""), "all", "-upvotes"), 5, store.dialect, 21, after)
    plan = plan_of(store, stmt)
    assert "papers_upvotes_order" in plan, plan


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_upvotes_terms_count_reads_its_index(store: SqlStore) -> None:
    plan = plan_of(store, count_select(Listing(parse("upvotes:>=50"), "all"), 5, store.dialect))
    assert "papers_upvotes" in plan, plan
