"""Undo of the latest snapshot (store, API, CLI) on both engines: removing it leaves the
store as it was before that ingest, every table and every feed byte for byte."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service import cli, create_app
from service.ingest import ingest_bytes
from service.listing import Listing
from service.query import parse
from service.store import SqlStore, UndoError, open_store, schema

from .conftest import (
    ENGINES,
    HF_JSON,
    NOW,
    TRENDING,
    dump,
    ingest_file,
    ingest_text,
    postgres_admin_url,
)

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

PROBLEM = "application/problem+json"
AUTH = {"Authorization": "Bearer secret"}
DAY = dt.timedelta(days=1)
FEEDS = ["/feeds/trending.rss", "/feeds/trending.atom", "/feeds/trending.json",
         "/feeds/trending.rss?scope=all", "/feeds/trending.atom?scope=all",
         "/feeds/trending.json?scope=all", "/feeds/keyword/graph.atom",
         "/api/v1/papers?scope=all", "/api/v1/papers?scope=all&limit=200",
         "/api/v1/snapshots", "/api/v1/snapshots/latest", "/feeds.opml?q=graph"]
ALPHA_BETA = "Mar 17\n\nAlpha Paper\n\nAbout alpha.\n\nBeta Paper\n\nAbout beta.\n"
BETA_ALPHA = "Mar 18\n\nBeta Paper\n\nAbout beta.\n\nAlpha Paper\n\nAbout alpha.\n"


NOT_RESTORED = ("data_version", "last_snapshot_id", "store_identity")


def logical_dump(store: SqlStore) -> list[Any]:
    """Every row of every table in a stable order, without the data version and the
    last snapshot id handed out (both must move) and the store's random identity, and,
    on SQLite, with the FTS5 index as its logical content instead of its shadow tables
    (their segments differ after a delete and an insert)."""
    out: list[Any] = []
    with store.engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            if name.startswith("paper_search"):
                continue
            rows = conn.execute(sa.text(f"SELECT * FROM {name}")).all()
            if name == "meta":  # two counters that only grow, and a random per store
                rows = [r for r in rows if r[0] not in NOT_RESTORED]
            out.append((name, sorted(repr(tuple(r)) for r in rows)))
        if store.dialect == "sqlite":
            index = "SELECT rowid, title, abstract, authors, keywords, flags FROM paper_search"
        else:
            index = "SELECT num, search_key, doc::text FROM paper_search"
        out.append(("paper_search", sorted(repr(tuple(r))
                                           for r in conn.execute(sa.text(index)))))
    return out


def version(store: SqlStore) -> int:
    return store.data_state()[0]


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database of the same engine."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin_url = postgres_admin_url()
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


@pytest.fixture
def undo_app(database_url: str) -> Iterator[Any]:
    application = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                              "version_check": 0, "ingest_token": "secret"})
    application.config["TESTING"] = True
    yield application
    application.extensions["trendfeed"].store.close()


def bodies(client: Any) -> dict[str, tuple[int, bytes, str | None]]:
    out = {}
    for url in FEEDS:
        response = client.get(url)
        out[url] = (response.status_code, response.get_data(), response.headers.get("ETag"))
    return out


# -- the store ----------------------------------------------------------------------------


def test_undoing_the_hf_list_restores_every_table_and_every_feed(undo_app: Any) -> None:
    store: SqlStore = undo_app.extensions["trendfeed"].store
    client = undo_app.test_client()
    ingest_file(store, TRENDING)
    before, served = logical_dump(store), bodies(client)
    assert all(status == 200 for status, _, _ in served.values())
    version_before = version(store)

    result = ingest_file(store, HF_JSON, now=NOW + DAY)
    assert result.summary() == "snapshot 2: 3 papers, 2 new"
    forward = store.paper("forward-learning-of-graph-neural-networks")
    assert forward.arxiv_id == "2403.99901" and forward.authors == ("Ada Example",)
    assert bodies(client) != served

    removed = store.undo_latest()
    assert removed.id == 2 and removed.new_count == 2
    assert version(store) > version_before + 1  # the ingest and the undo both moved it
    assert logical_dump(store) == before
    assert bodies(client) == served
    forward = store.paper("forward-learning-of-graph-neural-networks")
    assert forward.arxiv_id is None and forward.authors == () and forward.keywords == ()
    assert store.paper("2509.04664") is None and store.paper("2403.99902") is None
    assert store.count_papers() == 74


def test_the_undone_arxiv_id_and_words_no_longer_match_a_search(store: SqlStore) -> None:
    ingest_file(store, TRENDING)
    ingest_file(store, HF_JSON, now=NOW + DAY)
    for q in ("arxiv:2403.99901", "hallucinate", "author:ada"):
        assert store.papers(Listing(parse(q), "all"), limit=None), q
    store.undo_latest()
    for q in ("arxiv:2403.99901", "hallucinate", "author:ada"):
        assert store.papers(Listing(parse(q), "all"), limit=None) == [], q
    found = store.papers(Listing(parse('title:"forward learning of graph"'), "all"))
    assert [p.id for p in found] == ["forward-learning-of-graph-neural-networks"]


def test_repeated_undo_walks_back_to_an_empty_store(store: SqlStore, fresh_url: str) -> None:
    ingest_text(store, ALPHA_BETA)
    after_first = logical_dump(store)
    ingest_text(store, BETA_ALPHA.replace("About alpha.", "About alpha, revised."),
                now=NOW + DAY)
    ingest_file(store, HF_JSON, now=NOW + 2 * DAY)
    assert [s.id for s in store.snapshots()] == [3, 2, 1]
    assert store.undo_latest().id == 3
    assert store.undo_latest().id == 2
    assert logical_dump(store) == after_first
    assert store.paper("alpha-paper").abstract == "About alpha."

    start = version(store)
    assert store.undo_latest().id == 1
    assert version(store) == start + 1
    assert store.latest_snapshot() is None and store.count_papers() == 0
    fresh = open_store(fresh_url)
    try:
        assert logical_dump(store) == logical_dump(fresh)
    finally:
        fresh.close()
    with pytest.raises(UndoError, match="no snapshot"):
        store.undo_latest()


def test_undo_reverts_a_same_ranking_refresh_of_the_latest_snapshot(store: SqlStore) -> None:
    ingest_text(store, ALPHA_BETA)
    before = logical_dump(store)
    ingest_text(store, BETA_ALPHA, now=NOW + DAY)
    refreshed = ingest_text(store, BETA_ALPHA.replace("About alpha.", "About alpha, revised."),
                            now=NOW + 2 * DAY)
    assert refreshed.unchanged and not refreshed.same_content and refreshed.updated_count == 1
    assert refreshed.snapshot.id == 2
    assert store.paper("alpha-paper").abstract == "About alpha, revised."

    assert store.undo_latest().id == 2
    assert logical_dump(store) == before
    alpha = store.paper("alpha-paper")
    assert alpha.abstract == "About alpha." and alpha.updated == dt.datetime(2026, 3, 17)


def test_undo_reverts_a_refresh_of_a_paper_the_latest_snapshot_inserted(
        store: SqlStore) -> None:
    ingest_text(store, "Mar 17\n\nAlpha Paper\n\nAbout alpha.\n")
    before = logical_dump(store)
    ingest_text(store, ALPHA_BETA.replace("Mar 17", "Mar 18"), now=NOW + DAY)
    again = ingest_text(store, ALPHA_BETA.replace("Mar 17", "Mar 18")
                        .replace("About beta.", "About beta, revised."), now=NOW + 2 * DAY)
    assert again.unchanged and again.updated_count == 1
    store.undo_latest()
    assert logical_dump(store) == before
    assert store.paper("beta-paper") is None


def hf_list(*papers: tuple[str, str]) -> bytes:
    return json.dumps([{"paper": {"id": arxiv_id, "title": title, "summary": f"On {title}."}}
                       for arxiv_id, title in papers]).encode()


def test_undo_restores_a_title_key_that_passed_from_one_paper_to_another(
        store: SqlStore) -> None:
    ingest_bytes(store, hf_list(("2401.00001", "Paper X"), ("2401.00002", "Paper Z")),
                 source="first", now=NOW)
    before = logical_dump(store)
    # A renames itself to Y (freeing X's key), then C renames itself to X.
    ingest_bytes(store, hf_list(("2401.00001", "Paper Y"), ("2401.00002", "Paper X"),
                                ("2401.00003", "Paper W")), source="second", now=NOW + DAY)
    assert [(p.arxiv_id, p.title) for p in store.papers(limit=None)] == [
        ("2401.00001", "Paper Y"), ("2401.00002", "Paper X"), ("2401.00003", "Paper W")]
    store.undo_latest()
    assert logical_dump(store) == before


def test_after_undo_the_same_list_gets_the_same_paper_ids_and_a_new_snapshot_id(
        store: SqlStore) -> None:
    ingest_file(store, TRENDING)
    first = ingest_file(store, HF_JSON, now=NOW + DAY)
    ids = [p.id for p in store.papers(limit=None)]
    with store.engine.connect() as conn:
        nums = sorted(conn.execute(sa.select(schema.papers.c.num)).scalars())

    store.undo_latest()
    again = ingest_file(store, HF_JSON, now=NOW + DAY)
    # A snapshot id is never used twice: a cursor, ETag or cache entry naming snapshot 2
    # can never meet a different snapshot 2.
    assert again.snapshot == dataclasses.replace(first.snapshot, id=3)
    assert store.snapshot(2) is None
    assert [p.id for p in store.papers(limit=None)] == ids
    with store.engine.connect() as conn:
        assert sorted(conn.execute(sa.select(schema.papers.c.num)).scalars()) == nums
    store.undo_latest()
    store.undo_latest()
    assert ingest_file(store, TRENDING).snapshot.id == 4  # not even in an emptied store


def test_a_snapshot_older_than_the_journal_is_refused_and_nothing_is_written(
        store: SqlStore) -> None:
    ingest_file(store, TRENDING)
    ingest_file(store, HF_JSON, now=NOW + DAY)
    latest = store.latest_snapshot()
    with store.engine.begin() as conn:
        conn.execute(schema.meta.update().where(schema.meta.c.key == "undo_from")
                     .values(value=latest.id + 1))
    before = dump(store)
    with pytest.raises(UndoError, match=f"snapshot {latest.id} was stored before"):
        store.undo_latest()
    assert dump(store) == before


def test_undo_on_an_empty_store_raises_and_writes_nothing(store: SqlStore) -> None:
    before = dump(store)
    with pytest.raises(UndoError, match="nothing to undo"):
        store.undo_latest()
    assert dump(store) == before


# -- DELETE /api/v1/snapshots/latest --------------------------------------------------------


def test_delete_needs_the_bearer_token(undo_app: Any) -> None:
    ingest_file(undo_app.extensions["trendfeed"].store, TRENDING)
    client = undo_app.test_client()
    missing = client.delete("/api/v1/snapshots/latest")
    assert missing.status_code == 401 and missing.content_type == PROBLEM
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    wrong = client.delete("/api/v1/snapshots/latest", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    basic = client.delete("/api/v1/snapshots/latest", headers={"Authorization": "Basic secret"})
    assert basic.status_code == 401
    assert undo_app.extensions["trendfeed"].store.latest_snapshot().id == 1


def test_delete_on_a_server_without_a_token_is_unauthorized(loaded_app: Any) -> None:
    response = loaded_app.test_client().delete("/api/v1/snapshots/latest", headers=AUTH)
    assert response.status_code == 401 and response.content_type == PROBLEM
    assert loaded_app.extensions["trendfeed"].store.latest_snapshot().id == 1


def test_only_the_latest_snapshot_can_be_deleted(undo_app: Any) -> None:
    ingest_file(undo_app.extensions["trendfeed"].store, TRENDING)
    response = undo_app.test_client().delete("/api/v1/snapshots/1", headers=AUTH)
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert "latest" in response.get_json(force=True)["detail"]
    assert undo_app.extensions["trendfeed"].store.latest_snapshot().id == 1


def test_delete_on_an_empty_store_is_a_conflict(undo_app: Any) -> None:
    response = undo_app.test_client().delete("/api/v1/snapshots/latest", headers=AUTH)
    assert response.status_code == 409 and response.content_type == PROBLEM
    problem = response.get_json(force=True)
    assert problem["status"] == 409 and "nothing to undo" in problem["detail"]


def test_delete_answers_what_it_removed_and_cached_feeds_change_at_once(undo_app: Any) -> None:
    store = undo_app.extensions["trendfeed"].store
    client = undo_app.test_client()
    ingest_file(store, TRENDING)
    after_capture = bodies(client)
    ingest_file(store, HF_JSON, now=NOW + DAY)
    cached = bodies(client)
    assert bodies(client) == cached  # served from the cache
    assert cached != after_capture

    response = client.delete("/api/v1/snapshots/latest", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"removed", "latest_snapshot"}
    assert body["removed"]["id"] == 2 and body["removed"]["new_count"] == 2
    assert body["latest_snapshot"]["id"] == 1 and body["latest_snapshot"]["paper_count"] == 74
    assert bodies(client) == after_capture

    last = client.delete("/api/v1/snapshots/latest", headers=AUTH)
    assert last.status_code == 200 and last.get_json()["latest_snapshot"] is None
    assert client.get("/api/v1/snapshots").get_json()["total"] == 0
    assert client.delete("/api/v1/snapshots/latest", headers=AUTH).status_code == 409


def test_a_conditional_request_sees_the_change_after_delete(undo_app: Any) -> None:
    store = undo_app.extensions["trendfeed"].store
    client = undo_app.test_client()
    ingest_file(store, TRENDING)
    ingest_file(store, HF_JSON, now=NOW + DAY)
    etag = client.get("/feeds/trending.atom").headers["ETag"]
    assert client.get("/feeds/trending.atom",
                      headers={"If-None-Match": etag}).status_code == 304
    assert client.delete("/api/v1/snapshots/latest", headers=AUTH).status_code == 200
    changed = client.get("/feeds/trending.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# -- trendfeed snapshots list | delete latest ------------------------------------------------


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def cli_store(env: str) -> Iterator[SqlStore]:
    opened = open_store(env)
    yield opened
    opened.close()


def test_snapshots_list_prints_one_line_per_snapshot_newest_first(
        cli_store: SqlStore, capsys: pytest.CaptureFixture[str]) -> None:
    ingest_file(cli_store, TRENDING)
    ingest_file(cli_store, HF_JSON, now=NOW + DAY)
    assert cli.main(["snapshots", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "2" and "3 papers" in lines[0] and "hf-json" in lines[0]
    assert lines[1].split()[0] == "1" and "74 papers" in lines[1] and "text" in lines[1]
    assert cli.main(["snapshots", "list", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1

    assert cli.main(["snapshots", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in listed] == [2, 1]
    assert listed[0]["paper_count"] == 3 and listed[0]["new_count"] == 2


def test_snapshots_delete_latest_undoes_the_latest_ingest(
        cli_store: SqlStore, capsys: pytest.CaptureFixture[str]) -> None:
    ingest_file(cli_store, TRENDING)
    before = logical_dump(cli_store)
    ingest_file(cli_store, HF_JSON, now=NOW + DAY)
    assert cli.main(["snapshots", "delete", "latest"]) == 0
    out = capsys.readouterr().out
    assert out == "removed snapshot 2 (3 papers, 2 new); snapshot 1 is the latest\n"
    assert logical_dump(cli_store) == before
    assert cli.main(["snapshots", "delete", "latest"]) == 0
    assert capsys.readouterr().out == \
        "removed snapshot 1 (74 papers, 74 new); the store is empty\n"


def test_snapshots_delete_latest_on_an_empty_store_exits_2(
        cli_store: SqlStore, capsys: pytest.CaptureFixture[str]) -> None:
    before = dump(cli_store)
    assert cli.main(["snapshots", "delete", "latest"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("trendfeed: error: ") and "nothing to undo" in captured.err
    assert dump(cli_store) == before


def test_snapshots_delete_refuses_a_snapshot_older_than_the_journal(
        cli_store: SqlStore, capsys: pytest.CaptureFixture[str]) -> None:
    ingest_file(cli_store, TRENDING)
    with cli_store.engine.begin() as conn:
        conn.execute(schema.meta.update().where(schema.meta.c.key == "undo_from")
                     .values(value=2))
    before = dump(cli_store)
    assert cli.main(["snapshots", "delete", "latest"]) == 2
    assert "snapshot 1 was stored before" in capsys.readouterr().err
    assert dump(cli_store) == before
