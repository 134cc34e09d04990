"""Cache misses over HTTP, and `trendfeed serve`'s start, for bench/decade.py.

Each server is `trendfeed serve` with one worker and a response cache of one entry
(`TRENDFEED_CACHE_ENTRIES=1`): requests that go round several URLs each evict the one
before, so every one is rendered; /metrics confirms that no request was a cache hit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from .__main__ import free_port


@contextmanager
def serving(url: str, log: Path) -> Iterator[tuple[str, float]]:
    """`trendfeed serve` (one worker, a cache of one entry) on `url`: its base URL and how
    long it took to answer /readyz with a 200."""
    port = free_port()
    env = {**os.environ, "TRENDFEED_DATABASE_URL": url, "TRENDFEED_CACHE_ENTRIES": "1",
           "TRENDFEED_SAMPLE": "off"}
    for name in ("TRENDFEED_SOURCE_URL", "TRENDFEED_BASE_URL", "TRENDFEED_INGEST_TOKEN"):
        env.pop(name, None)
    base = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        started = time.perf_counter()
        server = subprocess.Popen([str(Path(sys.executable).parent / "trendfeed"), "serve",
                                   "--port", str(port), "--workers", "1"],
                                  env=env, stdout=out, stderr=out)
    try:
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"trendfeed serve did not start: see {log}")
            time.sleep(0.01)
        yield base, time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)


def cache_hits(client: httpx.Client) -> float:
    text = client.get("/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("trendfeed_cache_hits"))


def last_snapshots_page(client: httpx.Client) -> str:
    """The URL of the last page at the default limit, reached by next links as a client
    would: pages of 200 first (a decade is 13,000 pages of 20, each a cache miss), the
    default limit from the cursor that led to the last of them."""
    def walk(path: str, limit: str) -> tuple[str, str | None]:
        """(the last page's path, the cursor that led to it)"""
        cursor = None
        while True:
            response = client.get(path + limit)
            response.raise_for_status()
            following = response.json()["next_cursor"]
            if following is None:
                return path, cursor
            cursor, path = following, f"/api/v1/snapshots?cursor={following}"

    _, cursor = walk("/api/v1/snapshots?", "&limit=200")
    start = f"/api/v1/snapshots?cursor={cursor}" if cursor else "/api/v1/snapshots?"
    path, _ = walk(start, "")
    return path.removesuffix("?")


def serve_starts(urls: list[str], rounds: int, log: Path) -> list[list[float]]:
    """Seconds from `trendfeed serve` to its first 200, `rounds` times each, in turn."""
    starts: list[list[float]] = [[] for _ in urls]
    for _ in range(rounds):
        for i, url in enumerate(urls):
            with serving(url, log) as (_, seconds):
                starts[i].append(seconds)
    return starts


def misses(stores: list[tuple[str, str]], rounds: int, log: Path) -> list[dict[str, list[float]]]:
    """Seconds of each cache miss, `rounds` times: one server per (store URL, the id of
    its paper with the longest history), all up at once, the requests going round the
    stores and the URLs (a busy moment of the machine falls on every store alike)."""
    with ExitStack() as stack:
        clients, paths = [], []
        for url, paper in stores:
            base, _ = stack.enter_context(serving(url, log))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=60))
            clients.append(client)
            paths.append({"feed": "/feeds/trending.atom", "page": f"/papers/{paper}",
                          "api": f"/api/v1/papers/{paper}",
                          "snapshots": last_snapshots_page(client),
                          "daily": "/feeds/digest/daily.atom",
                          "weekly": "/feeds/digest/weekly.atom"})
            for path in paths[-1].values():  # warm: templates, connections, plans
                client.get(path).raise_for_status()
        hits = [cache_hits(client) for client in clients]
        samples: list[dict[str, list[float]]] = [{name: [] for name in p} for p in paths]
        for _ in range(rounds):
            for client, named, found in zip(clients, paths, samples, strict=True):
                for name, path in named.items():
                    started = time.perf_counter()
                    response = client.get(path)
                    found[name].append(time.perf_counter() - started)
                    response.raise_for_status()
        for client, before in zip(clients, hits, strict=True):
            assert cache_hits(client) == before, "every measured request was a cache miss"
    return samples


