"""`python -m bench.rich`: what the richer items (SPEC 6: AI summary, organization, rank
move, counts, stars, thumbnail) cost, in one run.

Two SQLite stores hold the same 50 papers as their latest list: one from
examples/hf-trending.json as the upstream sends it, one from the same list with
today's fields taken out (the items as they were rendered before: abstract, authors,
links). For each, in-process through the app (a fresh response cache for every
request, so each is a real cache miss), the median time to render the whole current
feed in Atom, RSS and JSON Feed; then, over HTTP with wrk against `trendfeed serve`,
the cached-hit rate of the Atom feed. The ratios rich/plain are the point.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from service import create_app
from service.http.caching import ResponseCache
from service.ingest import ingest_bytes

from .__main__ import free_port, server, wrk

ROOT = Path(__file__).parent.parent
RICH_FIELDS = ("ai_summary", "githubStars", "organization", "submittedOnDailyAt")
ENTRY_FIELDS = ("thumbnail", "numComments", "organization")


def plain(document: bytes) -> bytes:
    entries = json.loads(document)
    for entry in entries:
        for name in ENTRY_FIELDS:
            entry.pop(name, None)
        for name in RICH_FIELDS:
            entry["paper"].pop(name, None)
    return json.dumps(entries).encode()


def make_store(path: Path, listing: bytes) -> str:
    url = f"sqlite:///{path}"
    app = create_app({"database_url": url})
    store = app.extensions["trendfeed"].store
    ingest_bytes(store, (ROOT / "examples" / "trending-page.txt").read_bytes(), source="bench")
    ingest_bytes(store, listing, source="bench")
    store.close()
    return url


def _fresh_cache(app: Any) -> None:
    """An empty response cache for the app and its fast path: the next GET is a miss."""
    config = app.extensions["trendfeed"].config
    cache = ResponseCache(read_version=app.extensions["trendfeed"].store.data_state,
                          check_interval=60, max_bytes=config.cache_bytes,
                          max_entries=config.cache_entries)
    app.extensions["trendfeed.cache"] = cache
    layer = app.wsgi_app
    while layer is not None:  # the fast path, under whatever wraps it
        if hasattr(layer, "responses"):
            layer.responses = cache
        layer = getattr(layer, "wsgi_app", getattr(layer, "app", None))


def misses_ms(stores: dict[str, str], path: str, rounds: int) -> dict[str, float]:
    """Median render time of `path` on a cold cache, the stores taking turns."""
    apps = {kind: create_app({"database_url": url, "base_url": "http://bench.test"})
            for kind, url in stores.items()}
    times: dict[str, list[float]] = {kind: [] for kind in apps}
    for _ in range(rounds):
        for kind, app in apps.items():
            _fresh_cache(app)
            started = time.perf_counter()
            response = app.test_client().get(path)
            times[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:200]
            assert response.headers.get("ETag")
    for app in apps.values():
        app.extensions["trendfeed"].store.close()
    return {kind: statistics.median(found) for kind, found in times.items()}


def hit_rates(stores: dict[str, str], folder: Path, seconds: int,
              rounds: int = 3) -> dict[str, float]:
    """Both servers up at once, measured in alternating rounds (so the machine's drift
    touches both alike); the median round of each."""
    with ExitStack() as running:
        targets = {}
        for kind, url in stores.items():
            port = free_port()
            env = {**os.environ, "TRENDFEED_DATABASE_URL": url, "TRENDFEED_SAMPLE": "off"}
            command = [str(Path(sys.executable).parent / "trendfeed"), "serve",
                       "--port", str(port)]
            running.enter_context(server(command, env, port, folder / f"rich-{kind}.log"))
            targets[kind] = f"http://127.0.0.1:{port}/feeds/trending.atom"
        runs: dict[str, list[float]] = {kind: [] for kind in targets}
        for _ in range(rounds):
            for kind, target in targets.items():
                wrk("warm-up", target, duration=1, connections=64)
                runs[kind].append(wrk("hit", target, duration=seconds, connections=64).rps)
    return {kind: statistics.median(found) for kind, found in runs.items()}


def main() -> int:
    rounds, seconds = 150, 5
    with tempfile.TemporaryDirectory(prefix="bench-rich-") as name:
        folder = Path(name)
        listing = (ROOT / "examples" / "hf-trending.json").read_bytes()
        stores = {"rich": make_store(folder / "rich.db", listing),
                  "plain": make_store(folder / "plain.db", plain(listing))}
        rows = []
        for fmt in ("atom", "rss", "json"):
            found = misses_ms(stores, f"/feeds/trending.{fmt}", rounds)
            rows.append((f"cache miss, whole current feed ({fmt}), p50 ms", found))
        rates = hit_rates(stores, folder, seconds)
        rows.append(("cached hit, Atom, requests/s (wrk, 64 connections)", rates))
        sizes = {}
        for kind, url in stores.items():
            app = create_app({"database_url": url, "base_url": "http://bench.test"})
            sizes[kind] = len(app.test_client().get("/feeds/trending.atom").data) / 1024
            app.extensions["trendfeed"].store.close()
        rows.append(("the Atom feed's body, KiB", sizes))
    print("\n| what | plain items | rich items | rich/plain |\n|---|---|---|---|")
    for what, found in rows:
        print(f"| {what} | {found['plain']:.1f} | {found['rich']:.1f} | "
              f"{found['rich'] / found['plain']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
