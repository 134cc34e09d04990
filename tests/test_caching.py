"""Caching and HTTP semantics (SPEC 7): ETags, Last-Modified, 304s, HEAD, gzip, the
data-version check, canonical keys and the cache's bounds."""

from __future__ import annotations

import datetime as dt
import gzip
import threading
from typing import Any

import httpx
import pytest

from service import create_app
from service.http.caching import ResponseCache, make_entry
from service.model import DataState

from .conftest import HF_JSON, NOW, LiveServer, ingest_file

FEED = "/feeds/trending.atom"
CACHED_URLS = [FEED, "/feeds/keyword/diffusion.rss", "/feeds/trending.json?q=graph",
               "/feeds.opml?q=a", "/api/v1/papers?limit=5",
               "/api/v1/papers/forward-learning-of-graph-neural-networks",
               "/api/v1/snapshots", "/api/v1/snapshots/latest"]


def etag_of(client: Any, url: str = FEED, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return str(response.headers["ETag"])


@pytest.mark.parametrize("url", CACHED_URLS)
def test_every_cached_get_has_the_cache_headers(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["Last-Modified"] == "Fri, 27 Nov 2026 08:00:00 GMT"
    assert response.headers["Cache-Control"] == (
        "public, max-age=900, stale-while-revalidate=900, stale-if-error=86400")
    assert response.headers["Vary"] == "Accept-Encoding"
    assert "Set-Cookie" not in response.headers
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_the_same_data_gives_the_same_etag_in_separate_app_instances(
        loaded_app: Any, database_url: str) -> None:
    first = etag_of(loaded_app.test_client())
    other = create_app({"database_url": database_url, "base_url": "http://feeds.test"})
    assert etag_of(other.test_client()) == first
    assert etag_of(other.test_client(), **{"Accept-Encoding": "gzip"}) == \
        etag_of(loaded_app.test_client(), **{"Accept-Encoding": "gzip"})


def test_a_new_snapshot_changes_etag_and_last_modified(loaded_app: Any) -> None:
    client = loaded_app.test_client()
    old = client.get(FEED)
    ingest_file(loaded_app.extensions["trendfeed"].store, HF_JSON, now=NOW + dt.timedelta(1))
    new = client.get(FEED, headers={"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200
    assert new.headers["ETag"] != old.headers["ETag"]
    assert new.headers["Last-Modified"] == "Sat, 28 Nov 2026 08:00:00 GMT"
    assert client.get(FEED, headers={"If-Modified-Since": old.headers["Last-Modified"]}) \
        .status_code == 200


@pytest.mark.parametrize(("headers", "status"), [
    ({"If-None-Match": "{etag}"}, 304),
    ({"If-None-Match": '"nope", {etag}, "other"'}, 304),
    ({"If-None-Match": "W/{etag}"}, 304),
    ({"If-None-Match": "*"}, 304),
    ({"If-None-Match": '"nope"'}, 200),
    ({"If-Modified-Since": "Fri, 27 Nov 2026 08:00:00 GMT"}, 304),
    ({"If-Modified-Since": "Sat, 28 Nov 2026 00:00:00 GMT"}, 304),
    ({"If-Modified-Since": "Thu, 26 Nov 2026 08:00:00 GMT"}, 200),
    ({"If-Modified-Since": "Friday, 27-Nov-26 08:00:00 GMT"}, 304),  # RFC 850 form, a date
    ({"If-Modified-Since": "not a date"}, 200),
    ({"If-None-Match": '"nope"', "If-Modified-Since": "Sat, 28 Nov 2026 00:00:00 GMT"}, 200),
    ({"If-None-Match": "{etag}", "If-Modified-Since": "Thu, 26 Nov 2026 08:00:00 GMT"}, 304),
])
def test_conditional_requests(client: Any, headers: dict[str, str], status: int) -> None:
    etag = etag_of(client)
    sent = {k: v.replace("{etag}", etag) for k, v in headers.items()}
    response = client.get(FEED, headers=sent)
    assert response.status_code == status
    if status == 304:
        assert response.data == b""
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert response.headers["Vary"] == "Accept-Encoding"


def test_gzip_is_cached_beside_identity_and_its_etag_revalidates(client: Any) -> None:
    plain = client.get(FEED)
    zipped = client.get(FEED, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    again = client.get(FEED, headers={"Accept-Encoding": "gzip",
                                      "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"]
    refused = client.get(FEED, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data


def test_head_is_get_without_a_body(client: Any) -> None:
    get = client.get(FEED)
    head = client.head(FEED)
    assert head.status_code == 200 and head.data == b""
    for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Type",
                 "Content-Length"):
        assert head.headers[name] == get.headers[name]
    assert client.head(FEED, headers={"If-None-Match": get.headers["ETag"]}).status_code == 304


def test_equivalent_queries_share_one_cache_entry(loaded_app: Any) -> None:
    client = loaded_app.test_client()
    cache = loaded_app.extensions["trendfeed.cache"]
    first = client.get("/feeds/trending.atom?q=LLM%20agents")
    misses = cache.stats.misses
    second = client.get("/feeds/trending.atom?q=agents%20%20llm&utm_source=x&limit=200")
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert cache.stats.misses == misses  # the second was served from the first's entry


def test_a_repeated_request_is_served_without_validation_or_a_query(
        loaded_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = loaded_app.test_client()
    first = client.get("/api/v1/papers?q=graph&limit=3")
    store = loaded_app.extensions["trendfeed"].store

    def no_queries(*_: object, **__: object) -> None:
        raise AssertionError("the store was queried for a cached response")

    monkeypatch.setattr(store, "page", no_queries)
    monkeypatch.setattr(store, "count", no_queries)
    monkeypatch.setattr("service.routes.api.load", no_queries)
    again = client.get("/api/v1/papers?q=graph&limit=3")
    assert again.data == first.data and again.headers["Link"] == first.headers["Link"]


def test_errors_are_not_cached_and_say_no_store(client: Any) -> None:
    response = client.get("/feeds/trending.atom?limit=0")
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_data_version_is_read_at_most_once_per_interval() -> None:
    clock = FakeClock()
    reads: list[int] = []
    state = {"version": 1}

    def read_version() -> DataState:
        reads.append(state["version"])
        return DataState(state["version"], NOW, 7)

    cache = ResponseCache(read_version=read_version, check_interval=2.0, max_bytes=10**6,
                          max_entries=100, clock=clock)
    entry = make_entry(b"body", "text/plain", NOW)
    for _ in range(100):
        cache.get_or_render(("k", cache.data().version), "raw", lambda: entry)
    assert len(reads) == 1 and cache.stats.misses == 1 and cache.stats.hits == 99
    state["version"] = 2  # an ingest on another worker or host
    clock.now += 1.9
    assert cache.data().version == (7, 1)
    clock.now += 0.2
    assert cache.data().version == (7, 2) and len(reads) == 2
    assert cache.by_alias("raw") is None and cache.stats.resets == 1
    assert cache.stats.evictions == 0  # dropping a stale version is not eviction


def test_while_one_caller_re_reads_the_version_the_others_answer_at_once() -> None:
    """Under load a hundred connections find the check due at the same moment: one
    reads, the others answer with the version it replaces instead of queuing for the
    store; with no version yet (or just invalidated) every caller waits for a read."""
    clock = FakeClock()
    reading, release = threading.Event(), threading.Event()
    reads: list[int] = []

    def read_version() -> DataState:
        reads.append(1)
        if len(reads) == 2:  # the re-read after the interval: slow
            reading.set()
            release.wait(10)
        return DataState(len(reads), NOW, 7)

    cache = ResponseCache(read_version=read_version, check_interval=2.0, max_bytes=10**6,
                          max_entries=100, clock=clock)
    assert cache.data().version == (7, 1)
    clock.now += 3
    slow = threading.Thread(target=cache.data)
    slow.start()
    assert reading.wait(10)
    others = [cache.data().version for _ in range(50)]  # while the read is under way
    release.set()
    slow.join(10)
    assert others == [(7, 1)] * 50 and len(reads) == 2
    assert cache.data().version == (7, 2)
    cache.invalidate()
    assert cache.data().version == (7, 3) and len(reads) == 3


def test_the_cache_is_bounded_by_entries_and_by_bytes() -> None:
    cache = ResponseCache(read_version=lambda: DataState(1, NOW, 7), check_interval=60,
                          max_bytes=50_000, max_entries=10)
    for i in range(100):
        cache.get_or_render(i, None, lambda i=i: make_entry(b"x%d" % i, "text/plain", NOW))
    assert cache.snapshot_stats()["entries"] == 10
    big = bytes(range(256)) * 40  # about 10 kB each, gzip included
    for i in range(100, 130):
        cache.get_or_render(i, None, lambda b=big, i=i: make_entry(b + b"%d" % i, "x/y", NOW))
    stats = cache.snapshot_stats()
    assert stats["bytes"] <= 50_000 and stats["entries"] < 10
    assert stats["evictions"] > 90


def test_status_reports_the_cache(client: Any) -> None:
    client.get(FEED)
    client.get(FEED)
    cache = client.get("/api/v1/status").get_json()["cache"]
    assert cache["hits"] >= 1 and cache["misses"] >= 1 and cache["entries"] >= 1
    assert cache["bytes"] <= cache["max_bytes"]


def test_over_real_http_a_304_carries_one_date_and_the_cache_headers(
        live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base) as http:
        first = http.get(FEED, headers={"Accept-Encoding": "gzip"})
        assert first.headers["content-encoding"] == "gzip"
        assert first.text.startswith("<?xml")  # httpx decoded it
        second = http.get(FEED, headers={"Accept-Encoding": "gzip",
                                         "If-None-Match": first.headers["etag"]})
        assert second.status_code == 304
        for name in ("etag", "cache-control", "vary", "date"):
            assert second.headers.get_list(name), name
        assert len(second.headers.get_list("date")) == 1
        assert "set-cookie" not in second.headers
        head = http.head(FEED)
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) > 1000


def test_over_real_http_a_10_kb_q_is_a_problem_too(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.base}/api/v1/papers", params={"q": "diffusion " * 1024})
    assert response.status_code == 414
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 414 and "q" in problem["detail"]
    assert httpx.get(f"{live_server.base}/livez").status_code == 200


def test_a_version_read_begun_before_this_process_wrote_is_not_kept() -> None:
    """Read-your-writes on one worker: a re-read that began before this process's write
    and returns after its invalidate() must not put the old version back (it used to,
    for a whole interval, and drop the new version's bodies)."""
    clock = FakeClock()
    state = {"version": 1}
    gate, started = threading.Event(), threading.Event()

    def read_version() -> DataState:
        version = state["version"]  # what the read sees...
        if threading.current_thread().name == "slow":
            started.set()
            gate.wait(10)  # ...arrives after the write
        return DataState(version, NOW, 7)

    cache = ResponseCache(read_version=read_version, check_interval=2.0, max_bytes=10**6,
                          max_entries=100, clock=clock)
    assert cache.data().version == (7, 1)
    clock.now += 2.5
    slow = threading.Thread(target=cache.data, name="slow")
    slow.start()
    assert started.wait(10)
    state["version"] = 2
    cache.invalidate()  # this process wrote
    assert cache.data().version == (7, 2)
    gate.set()
    slow.join(10)
    for _ in range(3):
        clock.now += 0.6
        assert cache.data().version == (7, 2) and cache.last_served().version == (7, 2)
