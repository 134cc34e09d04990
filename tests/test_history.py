"""Reads bounded by what they show, not by the history's age (issue: a decade at the real
cadence): a paper's rank history is one entry per list day, the chart a few hundred
points at most, and the undo journal kept for the latest UNDO_DEPTH snapshots only.
Both engines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from service.chart import MAX_POINTS, downsampled, rank_chart
from service.model import Links, NormalPaper, RankEntry
from service.store import SqlStore, UndoError, schema
from service.store.writes import UNDO_DEPTH

from .conftest import ENGINES
from .consistency import violations

WATCHED = "2603.00001"


def entry(n: int, upvotes: int) -> NormalPaper:
    return NormalPaper(title=f"Paper {n}", title_key=f"paper {n}", slug=f"paper-{n}",
                       abstract=f"About {n}.", arxiv_id=f"2603.{n:05d}", authors=(),
                       keywords=(), upvotes=upvotes, links=Links())


def refresh(store: SqlStore, when: dt.datetime, order: list[int], upvotes: int) -> Any:
    return store.apply_snapshot([entry(n, upvotes) for n in order],
                                list_time=dt.datetime.combine(when.date(), dt.time()),
                                ingested_at=when, source="test", format="hf-json",
                                sha256=f"{when.isoformat()}")


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_history_is_one_entry_per_day_with_that_day_s_best(store: SqlStore) -> None:
    start = dt.datetime(2026, 3, 1)
    for quarter in range(3 * 96):  # three days at the 15-minute cadence
        when = start + dt.timedelta(minutes=15 * quarter)
        rank = 1 + quarter % 4  # the watched paper moves between ranks 1 and 4
        order = [n for n in range(2, 6)]
        order.insert(rank - 1, 1)
        refresh(store, when, order, upvotes=quarter)
    days = store.history(WATCHED)
    assert [(d.list_date.day, d.best_rank, d.lists) for d in days] == \
        [(1, 1, 96), (2, 1, 96), (3, 1, 96)]
    last = days[-1]
    assert (last.rank, last.upvotes, last.ingested_at) == \
        (4, 287, start + dt.timedelta(minutes=15 * 287))
    assert violations(store) == []


def _day(i: int, rank: int) -> RankEntry:
    day = dt.date(2020, 1, 1) + dt.timedelta(days=i)
    return RankEntry(i + 1, day, dt.datetime.combine(day, dt.time()), rank, None, rank, 1)


def test_the_chart_of_a_long_history_is_downsampled_and_keeps_the_peak() -> None:
    history = [_day(i, 40 + i % 7) for i in range(3650)]  # ten years on the list
    history[1234] = _day(1234, 1)  # one day at the top
    chart = rank_chart(history)
    assert len(chart.points) == MAX_POINTS
    assert min(p.rank for p in chart.points) == 1  # the peak survives
    assert [label for _, label, _ in chart.x_labels] == ["2020-01-01", "2029-12-28"]
    assert downsampled(history[:MAX_POINTS]) == history[:MAX_POINTS]


def _spread(i: int, best: int, last: int) -> RankEntry:
    """A day whose best rank (`best`) is not its last list's (`last`)."""
    day = dt.date(2020, 1, 1) + dt.timedelta(days=i)
    return RankEntry(i + 1, day, dt.datetime.combine(day, dt.time(23)), last, None, best, 96)


def test_the_chart_shows_each_days_best_rank_not_its_last_lists() -> None:
    """#1 every morning, #8 by night: the chart says #1, as the page's best rank does."""
    history = [_spread(i, 1, 8) for i in range(5)]
    chart = rank_chart(history)
    assert [p.rank for p in chart.points] == [1] * 5
    assert chart.label.startswith("Best rank per day over 5 days: #1 on 2020-01-01, ")


@pytest.mark.parametrize("peak", [0, 3, 1800, 3646, 3649])
def test_a_peak_anywhere_survives_the_downsampling(peak: int) -> None:
    """In the first or the last run too, and where the day's last list was worse: the
    chart's best point is the history's best day."""
    history = [_spread(i, 40 + i % 7, 45) for i in range(3650)]
    history[peak] = _spread(peak, 1, 45)
    chart = rank_chart(history)
    assert len(chart.points) == MAX_POINTS
    assert min(p.rank for p in chart.points) == 1
    assert f"best #1 on {history[peak].list_date.isoformat()}" in chart.label
    assert chart.label.startswith("Best rank per day over 3650 days: ")
    assert [label for _, label, _ in chart.x_labels] == ["2020-01-01", "2029-12-28"]


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_undo_journal_is_kept_for_the_latest_snapshots_only(store: SqlStore) -> None:
    start = dt.datetime(2026, 3, 1)
    total = UNDO_DEPTH + 20
    for i in range(total):
        refresh(store, start + dt.timedelta(minutes=15 * i), [1 + i % 3, 4, 5, 6][:3 + i % 2],
                upvotes=i)
    with store.engine.connect() as conn:
        journalled = set(conn.execute(sa.select(schema.paper_undo.c.snapshot_id)).scalars())
    assert min(journalled) == total - UNDO_DEPTH + 1 and max(journalled) == total
    for _ in range(UNDO_DEPTH):
        store.undo_latest()
    assert violations(store) == []
    with pytest.raises(UndoError, match=f"over the {UNDO_DEPTH} latest snapshots"):
        store.undo_latest()
