"""`python -m bench.ingest`: how long the largest accepted POST takes, on each engine.

The proxy in deploy/ (nginx.conf `proxy_read_timeout`) must outlast the slowest write a
caller may send, or a writer is told that a write which landed has failed. The largest
accepted list is TRENDFEED_MAX_PAPERS papers (default 2,000) in at most 20 MiB; this
sends such lists to `trendfeed serve` over HTTP (the production settings, 2 workers)
and times the answer: a list of new papers (every paper inserted and indexed), the same
papers again with new text in a new order (every paper updated and journalled), and the
undo of that. Two shapes: typical papers (a 1,500-character abstract), and papers that
fill the 20 MiB body cap.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

from service.ingest import MAX_INPUT_BYTES

from .__main__ import free_port, pg_schema, schema_url, server

TOKEN = "bench"


def hf_list(papers: int, abstract_chars: int, revision: int) -> bytes:
    words = ["diffusion", "transformer", "graph", "neural", "operator", "sparse",
             "attention", "policy", "retrieval", "benchmark", "kernel", "spectral",
             "alignment"]
    entries = []
    for n in range(papers):
        text = " ".join(words[(n + i) % len(words)] for i in range(abstract_chars // 9))
        entries.append({"paper": {
            "id": f"2601.{n:05d}", "title": f"Bench Paper {n} On {words[n % len(words)]}",
            "summary": f"Revision {revision}. {text}."[:abstract_chars],
            "authors": [{"name": f"Author {n % 97} {k}"} for k in range(8)],
            "upvotes": n % 300 + revision, "publishedAt": "2026-01-02T00:00:00.000Z"}})
    if revision:
        entries.reverse()  # a new order: a new snapshot, not the same ranking
    return json.dumps(entries).encode()


def timed(client: httpx.Client, method: str, path: str, body: bytes | None = None) -> float:
    started = time.perf_counter()
    response = client.request(method, path, content=body,
                              headers={"Content-Type": "application/json"} if body else {})
    elapsed = time.perf_counter() - started
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return elapsed


def measure(url: str, papers: int, folder: Path) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "TRENDFEED_DATABASE_URL": url, "TRENDFEED_INGEST_TOKEN": TOKEN,
           "TRENDFEED_SAMPLE": "on", "TRENDFEED_MAX_PAPERS": str(papers)}
    command = [str(Path(sys.executable).parent / "trendfeed"), "serve", "--port", str(port)]
    figures: dict[str, float] = {}
    # Typical papers; then papers that fill the body cap (bytes per paper, headroom kept).
    filling = max(1500, (MAX_INPUT_BYTES - 64 * 1024) // papers - 700)
    with server(command, env, port, folder / f"ingest-{port}.log"), \
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600,
                         headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for shape, chars in (("typical", 1500), ("20 MiB", filling)):
            new, revised = hf_list(papers, chars, 0), hf_list(papers, chars, 1)
            assert len(revised) <= MAX_INPUT_BYTES, len(revised)
            figures[f"{shape}: {len(new) / 2**20:.1f} MiB, new papers"] = \
                timed(client, "POST", "/api/v1/snapshots", new)
            figures[f"{shape}: the same papers updated"] = \
                timed(client, "POST", "/api/v1/snapshots", revised)
            figures[f"{shape}: undo of that"] = timed(client, "DELETE", "/api/v1/snapshots/latest")
            figures[f"{shape}: undo of the first"] = \
                timed(client, "DELETE", "/api/v1/snapshots/latest")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2000, help="TRENDFEED_MAX_PAPERS")
    parser.add_argument("--postgres", default=os.environ.get(
        "TRENDFEED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as name:
        folder = Path(name)
        results["SQLite"] = measure(f"sqlite:///{folder / 'ingest.db'}", args.papers, folder)
        admin = sa.create_engine(args.postgres)
        schema = "bench_ingest_" + uuid.uuid4().hex[:8]
        with pg_schema(admin, schema, keep=False):
            results["PostgreSQL"] = measure(schema_url(args.postgres, schema), args.papers,
                                            folder)
        admin.dispose()
    rows = list(results["SQLite"])
    print(f"\nPOST of a {args.papers}-paper list (TRENDFEED_MAX_PAPERS), seconds to the answer")
    print(f"| {'what':<42} | SQLite | PostgreSQL |\n|{'-' * 44}|--------|------------|")
    for row in rows:
        print(f"| {row:<42} | {results['SQLite'][row]:6.2f} | "
              f"{results['PostgreSQL'][row]:10.2f} |")
    worst = max(max(found.values()) for found in results.values())
    print(f"\nslowest: {worst:.2f} s (deploy/nginx.conf proxy_read_timeout must exceed it "
          "with margin)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
