"""Today's upstream fields (SPEC 1.2) kept in the store and in every representation
(SPEC 4), with `previous_rank`; merge rules for them; undo restores them. Both engines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import feedparser
import pytest

from service.feeds.common import rank_move
from service.listing import Listing
from service.model import Links, NormalPaper, Paper
from service.represent import paper_dict
from service.store import SqlStore

from .conftest import ENGINES, EXAMPLES, NOW, ingest_file
from .consistency import violations
from .test_undo import logical_dump

BOTH = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

RICH = {"ai_summary": "A method that does X.", "thumbnail": "https://cdn.example/t.png",
        "github_stars": 120, "comments": 4, "organization": "Example Lab",
        "hf_daily_at": dt.datetime(2026, 3, 16, 9, 30)}


def paper(n: int, **fields: Any) -> NormalPaper:
    return NormalPaper(title=f"Rich Paper {n}", title_key=f"rich paper {n}",
                       slug=f"rich-paper-{n}", abstract=f"About {n}.", arxiv_id=f"2603.{n:05d}",
                       authors=("Ada Example",), keywords=(), upvotes=10 + n, links=Links(),
                       **fields)


def apply(store: SqlStore, entries: list[NormalPaper], day: int) -> Any:
    when = dt.datetime(2026, 3, day)
    return store.apply_snapshot(entries, list_time=when, ingested_at=NOW.replace(day=day),
                                source="test", format="hf-json", sha256=f"s{day}")


@BOTH
def test_the_upstream_fields_are_stored_and_represented(store: SqlStore) -> None:
    apply(store, [paper(1, **RICH), paper(2)], 17)
    found = store.paper("2603.00001")
    assert found is not None
    assert {name: getattr(found, name) for name in RICH} == RICH
    shown = paper_dict(found)
    assert shown["ai_summary"] == RICH["ai_summary"] and shown["github_stars"] == 120
    assert shown["hf_daily_at"] == "2026-03-16T09:30:00Z" and shown["previous_rank"] is None
    bare = paper_dict(store.paper("2603.00002"))  # type: ignore[arg-type]
    assert [bare[name] for name in RICH] == [None] * 6


@BOTH
def test_counts_and_values_follow_the_latest_list_and_a_missing_one_keeps_the_old(
        store: SqlStore) -> None:
    apply(store, [paper(1, **RICH)], 17)
    later = dict(RICH, github_stars=150, comments=9, ai_summary="A better summary.",
                 hf_daily_at=dt.datetime(2026, 3, 18))
    apply(store, [paper(2), paper(1, **later)], 18)
    found = store.paper("2603.00001")
    assert (found.github_stars, found.comments, found.ai_summary) == (150, 9, "A better summary.")
    assert found.hf_daily_at == RICH["hf_daily_at"]  # the first known day is kept
    apply(store, [paper(1), paper(2)], 19)  # a list without them: nothing is forgotten
    again = store.paper("2603.00001")
    assert (again.github_stars, again.thumbnail) == (150, RICH["thumbnail"])


@BOTH
def test_previous_rank_is_the_rank_on_the_list_before_the_latest(store: SqlStore) -> None:
    apply(store, [paper(1), paper(2), paper(3)], 17)
    apply(store, [paper(3), paper(1), paper(4)], 18)
    ranks = {p.id: (p.rank, p.previous_rank)
             for p in store.papers(Listing(scope="all"), limit=None)}
    assert ranks == {"2603.00003": (1, 3), "2603.00001": (2, 1), "2603.00004": (3, None),
                     "2603.00002": (None, 2)}
    assert [paper_dict(p)["previous_rank"] for p in store.papers(limit=None)
            if p.id == "2603.00004"] == [None]


@BOTH
def test_an_undo_restores_the_upstream_fields(store: SqlStore) -> None:
    apply(store, [paper(1, **RICH)], 17)
    before = logical_dump(store)
    apply(store, [paper(2), paper(1, **dict(RICH, github_stars=999, organization="Other"))], 18)
    store.undo_latest()
    assert logical_dump(store) == before and violations(store) == []
    restored = store.paper("2603.00001")
    assert restored is not None
    assert (restored.github_stars, restored.organization) == (120, "Example Lab")


# -- items that need no click (SPEC 6) ----------------------------------------------------


MFTCODER = ":paper/mftcoder-boosting-code-llms-with-multitask-fine-tuning"


@pytest.fixture
def rich_client(loaded_app: Any) -> Any:
    store = loaded_app.extensions["trendfeed"].store
    ingest_file(store, EXAMPLES / "hf-trending.json", now=NOW.replace(hour=9))
    return loaded_app.test_client()


@BOTH
def test_items_carry_what_a_reader_wants_without_a_click(rich_client: Any) -> None:
    atom = feedparser.parse(rich_client.get("/feeds/trending.atom").data)
    rss = feedparser.parse(rich_client.get("/feeds/trending.rss").data)
    for feed in (atom, rss):
        assert feed.bozo == 0
        item = next(e for e in feed.entries if e.id.endswith(MFTCODER))
        body = item.content[0].value if feed is atom else item.description
        # the AI summary, labelled as machine-written, above the abstract
        summary = body.index("AI summary</strong> (machine-written by Hugging Face): The "
                             "paper presents MFTCoder")
        assert summary < body.index("Code LLMs")
        assert "#2, up from #26" in body and "upvotes" in body and "18 comments" in body
        assert "(2,596 stars on GitHub)" in body
        assert 'href="https://huggingface.co/papers/2404.10153"' in body
        assert 'href="https://arxiv.org/abs/2404.10153"' in body
        assert 'href="https://arxiv.org/pdf/2404.10153"' in body
        assert item.media_thumbnail == [{"url": "https://cdn-thumbnails.huggingface.co/"
                                                "social-thumbnails/papers/2404.10153.png"}]
    items = rich_client.get("/feeds/trending.json").json["items"]
    first = next(i for i in items if i["id"].endswith(MFTCODER))
    assert first["image"].endswith("/2404.10153.png")
    assert first["summary"].startswith("The paper presents MFTCoder")
    assert first["_trendfeed"]["previous_rank"] == 26 and first["_trendfeed"]["comments"] == 18


@pytest.mark.parametrize(("rank", "previous", "appearances", "expected"), [
    (3, None, 1, "#3, new today"), (3, None, 4, "#3, back on the list"),
    (3, 7, 2, "#3, up from #7"), (5, 2, 2, "#5, down from #2"), (3, 3, 4, "#3, 4 lists"),
    (None, 3, 4, None)])
def test_the_rank_and_its_move_in_words(rank: int | None, previous: int | None,
                                        appearances: int, expected: str | None) -> None:
    paper = Paper(id="p", title="T", abstract="A", arxiv_id=None, authors=(), keywords=(),
                  upvotes=None, links=Links(), first_seen=NOW, last_seen=NOW, updated=NOW,
                  rank=rank, best_rank=1, appearances=appearances, previous_rank=previous)
    assert rank_move(paper) == expected
