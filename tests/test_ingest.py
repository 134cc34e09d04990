"""Pure parts of ingest: the list date rules of SPEC 1.1."""

from __future__ import annotations

import datetime as dt

from service.ingest import resolve_list_time
from service.model import RawList, RawPaper

from .conftest import NOW


def test_list_dates_without_a_year_are_the_latest_such_day_not_after_now() -> None:
    raw = RawList(format="text", papers=(RawPaper("t", "a", "line 1"),), list_month_day=(12, 30))
    assert resolve_list_time(raw, NOW, None) == dt.datetime(2025, 12, 30)
    raw = RawList(format="text", papers=raw.papers, list_month_day=(2, 29))
    assert resolve_list_time(raw, NOW, None) == dt.datetime(2024, 2, 29)
    assert resolve_list_time(raw, NOW, dt.date(2026, 1, 2)) == dt.datetime(2026, 1, 2)
    no_date = RawList(format="text", papers=raw.papers)
    assert resolve_list_time(no_date, NOW, None) == dt.datetime(2026, 11, 27)  # the ingest day
