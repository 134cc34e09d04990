"""A date per feed (SPEC 6): in a feed that asks for more than being on a list (an
`upvotes:` term, or a `limit` below the list's length) an item is dated by the first
list on which its paper met those conditions, so a paper that just arrived in such a
feed is never filed among those read days ago. Same id in every feed; the dates never
move as more lists arrive. Both engines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import feedparser
import pytest

from service import create_app
from service.model import Links, NormalPaper
from service.query import parse
from service.store import SqlStore

from .conftest import ENGINES

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

WATCHED = "2603.00099"
# (rank, upvotes) of the watched paper on five days: 50 upvotes on day 3, the top 10 on 4
WATCHED_DAYS = [(15, 20), (12, 40), (11, 55), (8, 70), (5, 90)]


def entry(arxiv_id: str, title: str, upvotes: int) -> NormalPaper:
    return NormalPaper(title=title, title_key=title.lower(), slug=title.lower().replace(" ", "-"),
                       abstract=f"About {title}.", arxiv_id=arxiv_id, authors=(), keywords=(),
                       upvotes=upvotes, links=Links())


def day_list(day: int) -> list[NormalPaper]:
    rank, upvotes = WATCHED_DAYS[day - 1] if day <= len(WATCHED_DAYS) else (3, 100 + day)
    others = [entry(f"2603.{n:05d}", f"Filler Paper {n}", 10) for n in range(1, 20)]
    others.insert(rank - 1, entry(WATCHED, "Watched Paper", upvotes))
    return others


def ingest_day(store: SqlStore, day: int) -> None:
    when = dt.datetime(2026, 3, day)
    store.apply_snapshot(day_list(day), list_time=when, ingested_at=when.replace(hour=8),
                         source="test", format="hf-json", sha256=f"day-{day}")


def test_the_store_says_when_a_paper_first_met_the_conditions(store: SqlStore) -> None:
    for day in range(1, 6):
        ingest_day(store, day)
    votes = parse("upvotes:>=50").upvotes
    assert store.first_met([WATCHED], votes, None) == {WATCHED: dt.datetime(2026, 3, 3)}
    assert store.first_met([WATCHED], (), 10) == {WATCHED: dt.datetime(2026, 3, 4)}
    assert store.first_met([WATCHED], votes, 11) == {WATCHED: dt.datetime(2026, 3, 3)}
    assert store.first_met([WATCHED], parse("upvotes:>=50 upvotes:<60").upvotes, None) == \
        {WATCHED: dt.datetime(2026, 3, 3)}
    assert store.first_met([WATCHED], (), None) == {}
    assert store.first_met([WATCHED], parse("upvotes:>1000").upvotes, None) == {}


def _dates(client: Any, url: str) -> dict[str, dt.datetime]:
    """Each item's date as the reader sees it (Atom `published`, RSS `pubDate`)."""
    feed = feedparser.parse(client.get(url).data)
    return {e.id: dt.datetime(*e.published_parsed[:6]) for e in feed.entries}


def test_each_feed_dates_the_paper_by_when_it_met_its_conditions(database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "version_check": 0})
    store = app.extensions["trendfeed"].store
    client = app.test_client()
    watched_id = f"tag:trendfeed,2026:paper/{WATCHED}"
    seen: dict[str, str] = {}
    try:
        for day in range(1, 8):
            ingest_day(store, day)
            if day < 5:
                continue
            for fmt in ("atom", "rss"):
                plain = _dates(client, f"/feeds/trending.{fmt}")
                voted = _dates(client, f"/feeds/trending.{fmt}?q=upvotes:>=50")
                top = _dates(client, f"/feeds/trending.{fmt}?limit=10")
                assert watched_id in plain and watched_id in voted and watched_id in top
                got = {"plain": plain[watched_id], "voted": voted[watched_id],
                       "top": top[watched_id]}
                assert got == {"plain": dt.datetime(2026, 3, 1),
                               "voted": dt.datetime(2026, 3, 3),
                               "top": dt.datetime(2026, 3, 4)}, (fmt, day)
                seen.setdefault(fmt, str(got))
                assert str(got) == seen[fmt]  # the same on day 5, 6 and 7
            # A keyword feed with a limit counts places among its own matches: the
            # watched paper is the first "watched" paper on every list.
            assert _dates(client, "/feeds/keyword/watched.atom?limit=1")[watched_id] == \
                dt.datetime(2026, 3, 1)
            assert _dates(client, "/feeds/keyword/paper.atom?limit=10")[watched_id] == \
                dt.datetime(2026, 3, 4)
            items = client.get("/feeds/trending.json?q=upvotes:>=50").json["items"]
            watched = next(i for i in items if i["id"] == watched_id)
            assert watched["date_published"].startswith("2026-03-03")
    finally:
        store.close()
