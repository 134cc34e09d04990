"""True over days (both engines): honest first_seen and published dates, arXiv ids and
upvotes as first-class, keyword URLs that combine with q, history that means what it
says, and a same-ranking list that is not a new appearance."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import feedparser
import pytest

from service import create_app
from service.listing import Listing

from .conftest import ENGINES, HF_JSON, NOW, TRENDING, ingest_file, ingest_text

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)
BASE = "http://feeds.test"
FORWARD = "forward-learning-of-graph-neural-networks"


@pytest.fixture
def day_two(loaded_app: Any) -> Any:
    """The 74-paper capture (dated Mar 17), then the HF JSON example ingested "today"."""
    ingest_file(loaded_app.extensions["trendfeed"].store, HF_JSON, now=NOW)
    return loaded_app.test_client()


def test_papers_first_seen_through_hf_json_are_dated_the_day_of_the_list(day_two: Any) -> None:
    feed = feedparser.parse(day_two.get("/feeds/trending.atom?scope=all").data)
    assert feed.bozo == 0
    today = "2026-11-27T00:00:00Z"
    first_two = feed.entries[:2]
    assert [e.id.rsplit("/", 1)[1] for e in first_two] == ["2509.04664", "2403.99902"]
    assert [e.published_parsed[:6] for e in first_two] == [(2026, 11, 27, 0, 0, 0)] * 2
    assert all(e.published_parsed[:3] == (2026, 3, 17) for e in feed.entries[2:])
    # Their own publication dates travel as `published`.
    document = json.loads(day_two.get("/feeds/trending.json?scope=all").data)
    item = document["items"][0]
    assert item["date_published"] == today
    assert item["_trendfeed"]["published"] == "2025-09-04T21:26:31Z"
    assert "Published: 2025-09-04" in item["content_html"]
    api = day_two.get("/api/v1/papers/2509.04664").get_json()
    assert api["first_seen"] == today and api["published"] == "2025-09-04T21:26:31Z"
    assert api["submitter"] == "taesiri"


def test_published_after_filters_the_api(day_two: Any) -> None:
    body = day_two.get("/api/v1/papers?scope=all&published_after=2025-01-01").get_json()
    assert {p["id"] for p in body["items"]} == {"2509.04664", "2403.99902", FORWARD} - {
        p["id"] for p in body["items"] if p["published"] is None}
    assert all(p["published"] > "2025-01-01" for p in body["items"]) and body["items"]
    later = day_two.get("/api/v1/papers?scope=all&published_after=2025-09-05T00:00:00Z")
    assert all(p["published"] > "2025-09-05" for p in later.get_json()["items"])
    bad = day_two.get("/api/v1/papers?published_after=yesterday")
    assert bad.status_code == 400 and "published_after" in bad.get_json()["errors"]


def test_a_paper_answers_under_its_arxiv_id_too(day_two: Any) -> None:
    by_id = day_two.get(f"/api/v1/papers/{FORWARD}").get_json()
    by_arxiv = day_two.get("/api/v1/papers/2403.99901").get_json()
    assert by_arxiv == by_id and by_arxiv["id"] == FORWARD
    page = day_two.get("/papers/2403.99901")
    assert page.status_code == 200 and b"Forward Learning of Graph Neural Networks" in page.data
    found = day_two.get("/api/v1/papers?q=2403.99901").get_json()
    assert [p["id"] for p in found["items"]] == [FORWARD]
    assert [p["id"] for p in day_two.get("/api/v1/papers?q=arxiv:2403.99901")
            .get_json()["items"]] == [FORWARD]
    assert day_two.get("/api/v1/papers/2403.00000").status_code == 404


def test_items_with_an_arxiv_id_link_to_its_abstract_and_pdf(day_two: Any) -> None:
    feed = feedparser.parse(day_two.get("/feeds/trending.atom").data)
    entry = next(e for e in feed.entries if e.id.endswith(FORWARD))
    related = {(link.type, link.href) for link in entry.links if link.rel == "related"}
    assert related == {("text/html", "https://arxiv.org/abs/2403.99901"),
                       ("application/pdf", "https://arxiv.org/pdf/2403.99901")}
    assert "https://arxiv.org/pdf/2403.99901" in entry.content[0].value
    document = json.loads(day_two.get("/feeds/trending.json").data)
    item = next(i for i in document["items"] if i["id"].endswith(FORWARD))
    assert item["_trendfeed"]["links"]["arxiv"] == "https://arxiv.org/abs/2403.99901"
    assert item["_trendfeed"]["links"]["pdf"] == "https://arxiv.org/pdf/2403.99901"
    everything = feedparser.parse(day_two.get("/feeds/trending.atom?scope=all&limit=200").data)
    plain = [e for e in everything.entries if not e.id.endswith(("2509.04664", "2403.99902",
                                                                 FORWARD))]
    assert len(plain) == 73
    assert not [link for e in plain for link in e.links if link.rel == "related"]


def test_upvotes_are_shown_filtered_and_sorted(day_two: Any) -> None:
    body = day_two.get("/api/v1/papers?scope=all&sort=-upvotes&limit=2").get_json()
    assert [(p["id"], p["upvotes"]) for p in body["items"]] == [(FORWARD, 41),
                                                                ("2509.04664", 26)]
    walked, cursor = [], None
    while True:
        url = "/api/v1/papers?scope=all&sort=-upvotes&limit=7"
        page = day_two.get(url + (f"&cursor={cursor}" if cursor else "")).get_json()
        walked += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(walked) == len({p["id"] for p in walked}) == 76
    assert [p["upvotes"] for p in walked[:3]] == [41, 26, 7]
    assert all(p["upvotes"] is None for p in walked[3:])
    voted = day_two.get("/api/v1/papers?scope=all&q=upvotes:>=26").get_json()
    assert {p["id"] for p in voted["items"]} == {FORWARD, "2509.04664"}
    history = day_two.get(f"/api/v1/papers/{FORWARD}").get_json()["history"]
    assert [(h["rank"], h["upvotes"]) for h in history] == [(1, None), (2, 41)]
    extension = json.loads(day_two.get("/feeds/trending.json").data)["items"][1]["_trendfeed"]
    assert extension["upvotes"] == 41


def test_a_keyword_url_narrowed_by_q_serves_papers_matching_both(client: Any) -> None:
    narrowed = feedparser.parse(client.get("/feeds/keyword/diffusion.atom?q=-video").data)
    combined = feedparser.parse(client.get("/feeds/trending.atom?q=diffusion -video").data)
    everything = feedparser.parse(client.get("/feeds/keyword/diffusion.atom").data)
    ids = [e.id for e in narrowed.entries]
    assert ids == [e.id for e in combined.entries]
    assert 0 < len(ids) < len(everything.entries)
    self_link = next(link.href for link in narrowed.feed.links if link.rel == "self")
    assert self_link == f"{BASE}/feeds/keyword/-video+diffusion.atom"
    same = client.get("/feeds/keyword/-video+diffusion.atom")
    assert same.data == client.get("/feeds/keyword/diffusion.atom?q=-video").data
    too_many = "+".join(f"w{i}" for i in range(10))
    more = "%20".join(f"v{i}" for i in range(10))
    refused = client.get(f"/feeds/keyword/{too_many}.atom?q={more}")
    assert refused.status_code == 400 and "q" in refused.get_json()["errors"]


def test_last_seen_is_an_ingest_time_and_history_is_in_snapshot_order(store: Any) -> None:
    ingest_text(store, "Mar 19\n\nAlpha Paper\n\nAbout alpha.\n")
    # A list ingested later but dated earlier: history stays in snapshot order.
    later = NOW + dt.timedelta(hours=5)
    ingest_text(store, "Mar 12\n\nBeta Paper\n\nAbout beta.\n\nAlpha Paper\n\nAbout alpha.\n",
                now=later)
    alpha = store.paper("alpha-paper")
    assert alpha.last_seen == later and alpha.last_list_date == dt.date(2026, 3, 12)
    assert alpha.first_seen == dt.datetime(2026, 3, 19)  # first on a list we ingested
    history = store.history("alpha-paper")
    assert [(h.snapshot_id, h.list_date, h.ingested_at, h.rank) for h in history] == [
        (1, dt.date(2026, 3, 19), NOW, 1), (2, dt.date(2026, 3, 12), later, 2)]


def test_the_same_ranking_again_is_not_a_new_appearance(store: Any) -> None:
    ingest_file(store, TRENDING)
    version = store.data_state()[0]
    crlf = TRENDING.read_bytes().replace(b"\n", b"\r\n")
    from service.ingest import ingest_bytes

    result = ingest_bytes(store, crlf, source="crlf", now=NOW + dt.timedelta(hours=2))
    assert result.unchanged and result.summary().startswith("unchanged: same ranking")
    assert store.count_snapshots() == 1
    assert store.data_state()[0] == version  # nothing changed at all
    assert store.paper(FORWARD).appearances == 1


def test_the_same_ranking_with_new_upvotes_and_text_updates_in_place(store: Any) -> None:
    ingest_file(store, HF_JSON)
    version = store.data_state()[0]
    entries = json.loads(HF_JSON.read_text())
    entries[0]["paper"]["upvotes"] = 99
    entries[1]["paper"]["summary"] = entries[1]["summary"] = "A revised abstract."
    result = ingest_text(store, json.dumps(entries), now=NOW + dt.timedelta(hours=3))
    assert result.unchanged and result.updated_count == 1
    assert store.count_snapshots() == 1 and store.data_state()[0] > version
    paper = store.paper("2509.04664")
    assert paper.upvotes == 99 and paper.appearances == 1
    assert [h.upvotes for h in store.history("2509.04664")] == [99]
    revised = store.paper("2403.99901")
    assert revised.abstract == "A revised abstract."
    assert revised.updated == NOW + dt.timedelta(hours=3)
    assert [p.id for p in store.papers(Listing(), limit=None)][:1] == ["2509.04664"]


def test_the_arxiv_route_is_the_same_body_under_both_urls(database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": BASE, "version_check": 0})
    ingest_file(app.extensions["trendfeed"].store, HF_JSON)
    client = app.test_client()
    assert client.get("/api/v1/papers/2403.99902").data == \
        client.get("/api/v1/papers/2403.99902").data
    app.extensions["trendfeed"].store.close()


def test_a_capture_of_todays_page_keeps_upvotes_submitter_and_publication(
        app: Any) -> None:
    capture = (Path(__file__).parent / "data" / "captures" / "today-page.txt").read_bytes()
    from service.ingest import ingest_bytes

    ingest_bytes(app.extensions["trendfeed"].store, capture, source="today", now=NOW)
    client = app.test_client()
    items = client.get("/api/v1/papers").get_json()["items"]
    assert [(p["upvotes"], p["submitter"], p["published"]) for p in items] == [
        (214, "akhaliq", "2025-03-12T00:00:00Z"),
        # `Published on Mar 14` without a year: the latest Mar 14 not after the list date
        (89, "taesiri", "2026-03-14T00:00:00Z"),
        (1024, "Rbin", "2025-02-02T00:00:00Z")]
    assert all(p["first_seen"] == "2026-11-27T00:00:00Z" for p in items)
    voted = client.get("/api/v1/papers?q=upvotes:>=100&sort=-upvotes").get_json()["items"]
    assert [p["upvotes"] for p in voted] == [1024, 214]
