"""REST API v1: paging with cursors, single resources, status, ingest over HTTP, problems."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from service import create_app

from .conftest import ENGINES, HF_JSON, NOW, TRENDING, ingest_file, ingest_text

PROBLEM = "application/problem+json"


# A later list (a capture dated Mar 20): one new paper, on transformers.
LATE_LIST = "Mar 20\n\nA Late Transformer Paper\n\nAbout transformers.\n"


def walk(client: Any, params: str, between_pages: Any = None) -> list[str]:
    """Follow next_cursor to the end; returns the ids in the order served."""
    seen: list[str] = []
    url = f"/api/v1/papers?{params}"
    pages = 0
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        if not body["next_cursor"]:
            assert "Link" not in response.headers
            return seen
        link = response.headers["Link"]
        assert link.startswith("<http://feeds.test/api/v1/papers?") and link.endswith('rel="next"')
        next_url = link[1:link.index(">")]
        assert parse_qs(urlsplit(next_url).query)["cursor"] == [body["next_cursor"]]
        url = next_url.removeprefix("http://feeds.test")
        pages += 1
        if between_pages:
            between_pages(pages)


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("params", ["limit=7", "limit=7&sort=rank", "limit=7&sort=first_seen",
                                    "limit=7&sort=-first_seen", "limit=7&scope=all",
                                    "limit=10&scope=all&sort=rank", "limit=5&q=transformer"])
def test_the_cursor_walks_every_paper_once_even_while_a_list_is_ingested(
        loaded_app: Any, params: str) -> None:
    client = loaded_app.test_client()
    store = loaded_app.extensions["trendfeed"].store
    whole = "&".join(p for p in params.split("&") if not p.startswith("limit="))
    first = client.get(f"/api/v1/papers?{whole}&limit=200").get_json()
    expected = [item["id"] for item in first["items"]]
    assert first["total"] == len(expected) and first["next_cursor"] is None
    assert walk(client, params) == expected

    def ingest_meanwhile(page: int) -> None:
        if page == 2:  # reverses the ranking and adds new papers, between two pages
            ingest_file(store, HF_JSON, now=NOW + dt.timedelta(days=1))
        if page == 4:
            ingest_text(store, LATE_LIST,
                        now=NOW + dt.timedelta(days=2))

    during = walk(client, params, between_pages=ingest_meanwhile)
    assert len(during) == len(set(during)), "a paper was served twice"
    assert set(expected) <= set(during), "a paper of the walk was skipped"



@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("params", ["limit=2", "limit=10&scope=all&sort=rank",
                                    "limit=10&scope=all"])
def test_a_walk_whose_list_is_undone_meanwhile_is_told_to_start_again(
        loaded_app: Any, params: str) -> None:
    """The walk is pinned to its list; once that list is undone the next page was an
    empty 200 (the walk just stopped) or repeated the first page's papers: a 410 naming
    the cursor now, and a walk started again sees the list as it is."""
    client = loaded_app.test_client()
    store = loaded_app.extensions["trendfeed"].store
    ingest_file(store, HF_JSON, now=NOW + dt.timedelta(days=1))
    first = client.get(f"/api/v1/papers?{params}").get_json()
    assert first["next_cursor"] is not None
    store.undo_latest()
    response = client.get(f"/api/v1/papers?{params}&cursor={first['next_cursor']}")
    assert response.status_code == 410, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    assert list(response.get_json()["errors"]) == ["cursor"]
    again = walk(client, params)
    assert len(again) == len(set(again)) == client.get(
        f"/api/v1/papers?{params}").get_json()["total"]


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("params", ["", "scope=all", "q=transformer", "scope=all&q=transformer",
                                    "scope=all&q=upvotes:>=10", "scope=all&sort=-upvotes"])
def test_the_total_counts_what_the_walk_gives_with_several_lists_stored(
        loaded_app: Any, params: str) -> None:
    """The count is its own statement (without the page's joins to the ranks): over
    three lists it counts the latest one's papers, or the whole history's, as a walk
    finds them."""
    client = loaded_app.test_client()
    store = loaded_app.extensions["trendfeed"].store
    ingest_file(store, HF_JSON, now=NOW + dt.timedelta(days=1))
    ingest_text(store, LATE_LIST,
                now=NOW + dt.timedelta(days=2))
    ids = walk(client, f"{params}&limit=7")
    total = client.get(f"/api/v1/papers?{params}").get_json()["total"]
    assert total == len(ids) == len(set(ids)) > 0


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("scope", ["current", "all"])
def test_a_walk_by_upvotes_is_told_to_start_again_once_the_counts_move(
        loaded_app: Any, scope: str) -> None:
    """sort=-upvotes orders by the papers' latest counts, which every list rewrites: a
    list ingested between two pages repeated a paper or skipped one. The next page is a
    410 naming the cursor; with no write between, the walk goes to its end."""
    client = loaded_app.test_client()
    store = loaded_app.extensions["trendfeed"].store
    ingest_file(store, HF_JSON, now=NOW + dt.timedelta(days=1))
    params = f"scope={scope}&sort=-upvotes&limit=2"
    ids = walk(client, params)
    assert len(ids) == len(set(ids)) == client.get(
        f"/api/v1/papers?{params}").get_json()["total"]
    first = client.get(f"/api/v1/papers?{params}").get_json()
    ingest_text(store, LATE_LIST,
                now=NOW + dt.timedelta(days=2))
    response = client.get(f"/api/v1/papers?{params}&cursor={first['next_cursor']}")
    assert response.status_code == 410, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == ["cursor"]
    ids = walk(client, params)  # started again: every paper once
    assert len(ids) == len(set(ids))

def test_the_sample_walks_74_papers_for_every_sort(client: Any) -> None:
    for sort in ("rank", "first_seen", "-first_seen"):
        ids = walk(client, f"limit=9&sort={sort}")
        assert len(ids) == len(set(ids)) == 74


def test_the_default_sorts_and_limits(client: Any) -> None:
    body = client.get("/api/v1/papers").get_json()
    assert len(body["items"]) == 20 and body["total"] == 74
    assert [p["rank"] for p in body["items"]] == list(range(1, 21))
    assert body["items"][0]["id"] == "forward-learning-of-graph-neural-networks"


@pytest.mark.parametrize(("url", "status", "name"), [
    ("/api/v1/papers?limit=0", 400, "limit"),
    ("/api/v1/papers?limit=abc", 400, "limit"),
    ("/api/v1/papers?limit=1_0", 400, "limit"),
    ("/api/v1/papers?limit=201", 400, "limit"),
    ("/api/v1/papers?sort=nope", 400, "sort"),
    ("/api/v1/papers?scope=nope", 400, "scope"),
    ("/api/v1/papers?q=%22unbalanced", 400, "q"),
    ("/api/v1/papers?q=" + "diffusion " * 1024, 400, "q"),
    ("/api/v1/papers?cursor=garbage!", 400, "cursor"),
    ("/api/v1/papers?cursor=eyJ2IjoxfQ", 400, "cursor"),
    ("/api/v1/snapshots?cursor=xyz", 400, "cursor"),
    ("/api/v1/snapshots?limit=-1", 400, "limit"),
    ("/api/v1/papers/no-such-paper", 404, "no-such-paper"),
    ("/api/v1/papers/%00evil", 404, "evil"),
    ("/api/v1/snapshots/99", 404, "99"),
    ("/api/v1/snapshots/99999999999999999999", 404, "99999999999999999999"),
    ("/api/v1/snapshots/first", 404, "first"),
])
def test_bad_requests_answer_a_problem_naming_the_parameter_or_id(
        client: Any, url: str, status: int, name: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.content_type == PROBLEM
    problem = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == status and name in problem["detail"]
    if status == 400:
        assert name in problem["errors"]


def test_a_cursor_of_another_query_is_refused(client: Any) -> None:
    cursor = client.get("/api/v1/papers?limit=5&sort=rank").get_json()["next_cursor"]
    response = client.get(f"/api/v1/papers?limit=5&sort=first_seen&cursor={cursor}")
    assert response.status_code == 400
    assert "another query" in response.get_json(force=True)["errors"]["cursor"][0]


def test_unknown_query_parameters_are_ignored(client: Any) -> None:
    plain = client.get("/api/v1/papers?limit=3").get_json()
    assert client.get("/api/v1/papers?limit=3&utm=1&page=9").get_json() == plain


def test_one_paper_with_its_history(client: Any, loaded_app: Any) -> None:
    ingest_file(loaded_app.extensions["trendfeed"].store, HF_JSON, now=NOW + dt.timedelta(1))
    body = client.get("/api/v1/papers/forward-learning-of-graph-neural-networks").get_json()
    assert body["arxiv_id"] == "2403.99901" and body["rank"] == 2
    assert body["history"] == [
        {"snapshot_id": 1, "list_date": "2026-03-17", "ingested_at": "2026-11-27T08:00:00Z",
         "rank": 1, "best_rank": 1, "lists": 1, "upvotes": None},
        {"snapshot_id": 2, "list_date": "2026-11-28", "ingested_at": "2026-11-28T08:00:00Z",
         "rank": 2, "best_rank": 2, "lists": 1, "upvotes": 41}]


def test_snapshots_listing_latest_and_by_id(client: Any, loaded_app: Any) -> None:
    ingest_file(loaded_app.extensions["trendfeed"].store, HF_JSON, now=NOW + dt.timedelta(1))
    listing = client.get("/api/v1/snapshots?limit=1").get_json()
    assert listing["total"] == 2 and [s["id"] for s in listing["items"]] == [2]
    rest = client.get(f"/api/v1/snapshots?limit=1&cursor={listing['next_cursor']}").get_json()
    assert [s["id"] for s in rest["items"]] == [1] and rest["next_cursor"] is None
    latest = client.get("/api/v1/snapshots/latest").get_json()
    assert latest["id"] == 2 and [e["rank"] for e in latest["entries"]] == [1, 2, 3]
    first = client.get("/api/v1/snapshots/1").get_json()
    assert first["paper_count"] == 74 and len(first["entries"]) == 74
    assert first["entries"][0]["paper"]["id"] == "forward-learning-of-graph-neural-networks"


def test_status(client: Any) -> None:
    body = client.get("/api/v1/status").get_json()
    assert body["data_version"] == 1
    assert body["latest_snapshot"]["paper_count"] == 74
    assert body["totals"] == {"papers": 74, "snapshots": 1}


def test_wrong_methods_answer_405_with_allow(client: Any) -> None:
    response = client.delete("/api/v1/papers")
    assert response.status_code == 405 and response.content_type == PROBLEM
    assert "GET" in response.headers["Allow"]


# -- POST /api/v1/snapshots --------------------------------------------------------------


@pytest.fixture
def ingest_client(database_url: str) -> Any:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "ingest_token": "s3cret", "version_check": 0})
    yield app.test_client()
    app.extensions["trendfeed"].store.close()


AUTH = {"Authorization": "Bearer s3cret"}


def test_ingest_over_http_is_off_without_a_token_and_says_only_401(client: Any,
                                                                    ingest_client: Any) -> None:
    """A caller without the token cannot tell whether ingest is enabled at all."""
    off = client.post("/api/v1/snapshots", data=TRENDING.read_bytes(),
                      content_type="text/plain", headers=AUTH)
    on = ingest_client.post("/api/v1/snapshots", data=TRENDING.read_bytes(),
                            content_type="text/plain", headers={"Authorization": "Bearer x"})
    for response in (off, on):
        assert response.status_code == 401 and response.content_type == PROBLEM
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert off.get_json() == on.get_json()


def test_ingest_over_http(ingest_client: Any) -> None:
    body = TRENDING.read_bytes()
    assert ingest_client.post("/api/v1/snapshots", data=body,
                              content_type="text/plain").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert ingest_client.post("/api/v1/snapshots", data=body, content_type="text/plain",
                              headers=wrong).status_code == 401
    created = ingest_client.post("/api/v1/snapshots", data=body,
                                 content_type="text/plain; charset=utf-8", headers=AUTH)
    assert created.status_code == 201
    assert created.headers["Location"] == "/api/v1/snapshots/1"
    assert created.get_json()["summary"] == "snapshot 1: 74 papers, 74 new"
    again = ingest_client.post("/api/v1/snapshots", data=body, content_type="text/plain",
                               headers=AUTH)
    assert again.status_code == 200 and again.get_json()["unchanged"] is True
    hf = ingest_client.post("/api/v1/snapshots", data=HF_JSON.read_bytes(),
                            content_type="application/json", headers=AUTH)
    assert hf.status_code == 201 and hf.get_json()["new_count"] == 2


@pytest.mark.parametrize(("data", "content_type", "status", "detail"), [
    (b"Title\n\nAbstract\n\nOrphan\n", "text/plain", 400, "line 5"),
    (b'{"a": 1}', "application/json", 400, "expected a JSON array"),
    (b"<xml/>", "application/xml", 415, "text/plain or application/json"),
])
def test_bad_ingest_bodies_are_problems_and_write_nothing(
        ingest_client: Any, data: bytes, content_type: str, status: int, detail: str) -> None:
    response = ingest_client.post("/api/v1/snapshots", data=data, content_type=content_type,
                                  headers=AUTH)
    assert response.status_code == status and response.content_type == PROBLEM
    assert detail in response.get_json(force=True)["detail"]
    assert ingest_client.get("/api/v1/snapshots").get_json()["total"] == 0


def test_livez_and_readyz(app: Any) -> None:
    client = app.test_client()
    assert client.get("/livez").get_json() == {"status": "ok"}
    empty = client.get("/readyz")
    assert empty.status_code == 503 and empty.content_type == PROBLEM
    ingest_file(app.extensions["trendfeed"].store, TRENDING)
    assert client.get("/readyz").get_json() == {"status": "ready", "latest_snapshot": 1}
