"""Real feed clients no one here wrote, over days of lists with ranks, counts and rich
item bodies moving every day: the `reader` library and newsboat each see every paper
once, with a stable id and its honest date (the day it was first on a list).

A week of lists is posted to a live `trendfeed serve`; after each day both clients
update from the trending feed (Atom for reader, RSS for newsboat)."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from reader import make_reader

from .conftest import serving

TOKEN = "readers-token"
DAYS = 7


def day_list(day: int, rng: random.Random) -> tuple[bytes, list[str]]:
    """An hf-json list for Mar `day`: about 20 of a pool of 40 papers (papers leave and
    come back), in a new order, with growing counts and a changing AI summary."""
    chosen = sorted(rng.sample(range(40), 20), key=lambda _: rng.random())
    entries = [{
        "paper": {"id": f"2603.{n:05d}", "title": f"Reader Paper {n}",
                  "summary": f"About reader topic {n}.", "upvotes": 10 * day + n,
                  "ai_summary": f"Day {day}: a machine-written summary of paper {n}.",
                  "githubRepo": f"https://github.com/example/p{n}", "githubStars": day * n},
        "numComments": day, "thumbnail": f"https://cdn.example/{n}.png"}
        for n in chosen]
    return json.dumps(entries).encode(), [f"2603.{n:05d}" for n in chosen]


def post(base: str, body: bytes, day: int) -> None:
    answer = httpx.post(f"{base}/api/v1/snapshots?date=2026-03-{day:02d}", content=body,
                        headers={"Content-Type": "application/json",
                                 "Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert answer.status_code == 201, answer.text


def newsboat_items(folder: Path, url: str) -> list[tuple[str, int]]:
    """Reload the feed in newsboat; (guid, pubDate) of every item in its cache."""
    urls, cache = folder / "urls", folder / "cache.db"
    urls.write_text(url + "\n")
    (folder / "config").write_text("")
    subprocess.run(["newsboat", "-x", "reload", "-u", str(urls), "-c", str(cache),
                    "-C", str(folder / "config")], check=True, capture_output=True,
                   timeout=60, env={"HOME": str(folder), "PATH": "/usr/bin:/bin"})
    with sqlite3.connect(cache) as conn:
        return list(conn.execute("SELECT guid, pubDate FROM rss_item"))


def test_reader_and_newsboat_see_every_paper_once_with_its_first_day(tmp_path: Path) -> None:
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        pytest.fail("newsboat is not installed (Debian package newsboat; .ci/run installs it)")
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'readers.db'}",
           "TRENDFEED_INGEST_TOKEN": TOKEN, "TRENDFEED_SAMPLE": "off",
           "TRENDFEED_VERSION_CHECK": "0", "TRENDFEED_CACHE_TTL": "0"}
    rng = random.Random(5)
    first_day: dict[str, int] = {}
    boat = tmp_path / "newsboat"
    boat.mkdir()
    with serving(tmp_path, env) as server:
        feed = make_reader(str(tmp_path / "reader.sqlite"))
        feed.add_feed(f"{server.base}/feeds/trending.atom")
        for day in range(1, DAYS + 1):
            # HTTP dates have whole seconds, and newsboat revalidates with
            # If-Modified-Since: two lists ingested within one second share a
            # Last-Modified (lists come every 15 minutes; here, a second apart).
            time.sleep(1.1)
            body, ids = day_list(day, rng)
            post(server.base, body, day)
            for paper_id in ids:
                first_day.setdefault(paper_id, day)
            feed.update_feeds(scheduled=False)  # every day, not when its schedule says
            items = newsboat_items(boat, f"{server.base}/feeds/trending.rss")
        entries = list(feed.get_entries())
        feed.close()
    expected = {f"tag:trendfeed,2026:paper/{paper_id}": dt.datetime(2026, 3, day, tzinfo=dt.UTC)
                for paper_id, day in first_day.items()}
    # reader: one entry per paper ever on the feed, dated by its first list
    assert len(entries) == len({e.id for e in entries}) == len(expected)
    assert {e.id: e.published for e in entries} == expected
    # newsboat: one item per paper, the same ids and dates
    guids = [guid for guid, _ in items]
    assert len(guids) == len(set(guids)) == len(expected)
    assert {guid: dt.datetime.fromtimestamp(stamp, dt.UTC) for guid, stamp in items} == expected
