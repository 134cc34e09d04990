"""Inputs and settings that used to answer 500 or leak: forged cursors, cache settings
too small to work, ids in other digits, who may learn about ingest and the source, and
a store newer than the code."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from service import cli, create_app
from service.config import Config, ConfigError
from service.sources import SourceError, parse
from service.store import SchemaError, open_store, schema

from .conftest import ENGINES, HF_JSON, ingest_file


def _cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


WHAT = {"q": "", "scope": "current", "sort": "rank"}


@pytest.mark.parametrize("payload", [
    {"v": 1, "w": WHAT, "s": 1, "a": [2**70, 1]},
    {"v": 1, "w": WHAT, "s": 2**70, "a": [1, 1]},
    {"v": 1, "w": WHAT, "s": -1, "a": [1, 1]},
    {"v": 1, "w": WHAT, "s": 1, "a": [1.5, 1]},
    {"v": 1, "w": WHAT, "s": 1, "a": [True, 1]},
    {"v": 1, "w": WHAT, "s": 1, "a": list(range(100))},
])
def test_a_forged_cursor_is_a_400_naming_cursor(client: Any, payload: dict[str, Any]) -> None:
    response = client.get(f"/api/v1/papers?cursor={_cursor(payload)}")
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["cursor"]


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize(("sort", "after", "status"), [
    ("rank", [2**31, 1], 400), ("rank", [1, 2**31], 400), ("rank", [-2**31 - 1, 1], 400),
    ("-upvotes", [2**31, 1], 400), ("-upvotes", [1, -2**31 - 1], 400),
    ("rank", [2**31 - 1, 2**31 - 1], 200), ("-upvotes", [-2**31, -2**31], 200),
    ("first_seen", [2**63], 400), ("first_seen", [2**62], 200), ("-first_seen", [-2**63], 200),
])
def test_a_cursor_key_past_its_columns_range_is_a_400_not_a_503(
        client: Any, sort: str, after: list[int], status: int) -> None:
    """rank, upvotes and num are 32-bit columns: PostgreSQL refused a key of 2**31 in the
    statement, which answered 503 as if the store were down (SQLite compared it)."""
    what = {"q": "", "scope": "all", "sort": sort}
    payload = {"v": 1, "w": what, "s": None, "a": after}
    if sort == "-upvotes":  # its walks carry the data version they began at
        payload["d"] = client.get("/api/v1/status").get_json()["data_version"]
    response = client.get(f"/api/v1/papers?scope=all&sort={sort}&cursor={_cursor(payload)}")
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 400:
        assert list(response.get_json()["errors"]) == ["cursor"]


@pytest.mark.parametrize("after", [2**70, 0, -5, "1"])
def test_a_forged_snapshots_cursor_is_a_400(client: Any, after: Any) -> None:
    cursor = _cursor({"v": 1, "w": {"resource": "snapshots"}, "s": None, "a": [after]})
    response = client.get(f"/api/v1/snapshots?cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.get_json()["errors"]


@pytest.mark.parametrize(("env", "message"), [
    ({"TRENDFEED_CACHE_ENTRIES": "0"}, "TRENDFEED_CACHE_ENTRIES must be at least 1"),
    ({"TRENDFEED_CACHE_BYTES": "0"}, "TRENDFEED_CACHE_BYTES must be at least 1048576"),
    ({"TRENDFEED_CACHE_BYTES": "1000"}, "TRENDFEED_CACHE_BYTES must be at least 1048576"),
    ({"TRENDFEED_STATUS_DETAILS": "all"}, "TRENDFEED_STATUS_DETAILS must be private or public"),
])
def test_cache_settings_too_small_to_work_are_refused_at_start(env: dict[str, str],
                                                               message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_the_smallest_cache_settings_still_serve(database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "version_check": 0, "cache_entries": 1, "cache_bytes": 1024 * 1024})
    ingest_file(app.extensions["trendfeed"].store, HF_JSON)
    client = app.test_client()
    for _ in range(2):
        for path in ("/feeds/trending.atom", "/feeds/trending.rss", "/api/v1/papers"):
            assert client.get(path).status_code == 200
    app.extensions["trendfeed"].store.close()


def test_an_arxiv_id_in_other_digits_is_refused() -> None:
    arabic_indic = "\u0662\u0664\u0660\u0663.\u0661\u0662\u0663\u0664\u0665"
    document = json.dumps([{"paper": {"id": arabic_indic, "title": "T", "summary": "S"}}])
    with pytest.raises(SourceError, match="expected an arXiv id"):
        parse(document.encode())


def test_status_names_the_source_only_to_an_authenticated_caller(database_url: str) -> None:
    base = {"database_url": database_url, "base_url": "http://feeds.test",
            "source_url": "https://upstream.example/api/daily_papers", "ingest_token": "tok"}
    private = create_app(base).test_client()
    anonymous = private.get("/api/v1/status").get_json()["source"]
    assert anonymous["url"] is None and anonymous["refresher"] is None
    wrong = private.get("/api/v1/status", headers={"Authorization": "Bearer nope"})
    assert wrong.get_json()["source"]["url"] is None
    known = private.get("/api/v1/status", headers={"Authorization": "Bearer tok"})
    assert known.get_json()["source"]["url"] == base["source_url"]
    public = create_app({**base, "status_details": "public"}).test_client()
    assert public.get("/api/v1/status").get_json()["source"]["url"] == base["source_url"]


def test_a_store_newer_than_the_code_is_one_line_and_exit_1(
        database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(database_url)
    with store.engine.begin() as conn:
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version")
                     .values(value=99))
    store.close()
    assert issubclass(SchemaError, Exception)
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    assert cli.main(["papers"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer than this trendfeed" in err


INJECTIONS = ["'; DROP TABLE papers; --", 'graph" OR "1"="1', "NEAR(graph neural)", "graph*",
              "^graph", "title : graph", "{title abstract}: graph", "graph & !neural",
              "graph <-> neural", "graph:*", "'graph':A", "\\x00graph", "ｇｒａｐｈ",
              "graph) OR (1=1", "-- comment", "/* graph */", "$$graph$$", "%' OR '1'='1"]


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("q", INJECTIONS)
def test_query_syntax_of_the_engines_is_only_ever_words(client: Any, q: str) -> None:
    """No text of q reaches SQL, FTS5 or tsquery syntax: the store is asked for folded
    words, so an injection attempt is words (or a 400 naming q), and the data is intact."""
    response = client.get("/api/v1/papers", query_string={"q": q, "scope": "all"})
    assert response.status_code in (200, 400), response.data
    if response.status_code == 400:
        assert list(response.get_json()["errors"]) == ["q"]
    assert client.get("/api/v1/status").get_json()["totals"]["papers"] == 74


def test_a_future_date_over_http_names_the_date_parameter(database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "ingest_token": "tok"})
    response = app.test_client().post(
        "/api/v1/snapshots?date=2999-01-01", data=HF_JSON.read_bytes(),
        content_type="application/json", headers={"Authorization": "Bearer tok"})
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["date"]
    assert "in the future" in response.get_json()["errors"]["date"][0]


def test_an_upvote_count_that_is_not_an_integer_says_so() -> None:
    # An optional field (SPEC 1.2): dropped with a warning naming entry and field.
    document = json.dumps([{"paper": {"id": "2401.00001", "title": "T", "summary": "S",
                                      "upvotes": 41.5}}])
    parsed = parse(document.encode())
    assert parsed.papers[0].upvotes is None
    assert len(parsed.warnings) == 1
    assert re.search("entry 0, field 'paper.upvotes'.*expected a count .*, found 41.5",
                     parsed.warnings[0])


@pytest.mark.parametrize(("sort", "version"), [("-upvotes", None), ("rank", 1),
                                               ("-upvotes", -1), ("-upvotes", "1")])
def test_a_data_version_only_in_the_cursors_of_an_upvotes_walk(
        client: Any, sort: str, version: Any) -> None:
    payload: dict[str, Any] = {"v": 1, "w": {"q": "", "scope": "all", "sort": sort},
                               "s": None, "a": [1, 1]}
    if version is not None:
        payload["d"] = version
    response = client.get(f"/api/v1/papers?scope=all&sort={sort}&cursor={_cursor(payload)}")
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["cursor"]
