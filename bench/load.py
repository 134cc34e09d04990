"""`python -m bench.load`: load with faults, on SQLite and on PostgreSQL.

For each engine: `trendfeed serve` (2 workers, the production settings) on the bundled
sample; wrk at 64 connections for 60 s over a mix of feeds, keyword feeds, API pages
and 304s (bench/load.lua); meanwhile another process ingests a new snapshot every
second and a third kills a worker (SIGKILL) every 10 s, while a monitor reads the feed
four times a second. It reports, in one table: requests, 5xx, socket errors (a killed
worker's in-flight requests are the only ones expected), the ingests applied and found
afterwards, whether the feed's ETag changed exactly when its data did, and reader
latency against the ingest transactions' durations.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from .__main__ import free_port, server

HERE = Path(__file__).parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# The ingesting process: a new HF-JSON list every second (three new papers, the rest
# reordered), each ingested in its own transaction; one JSON line per ingest.
INGESTER = r"""
import json, sys, time
from service.ingest import ingest_bytes
from service.store import open_store
url, seconds = sys.argv[1], float(sys.argv[2])
store = open_store(url)
start, n = time.monotonic(), 0
while time.monotonic() - start < seconds:
    n += 1
    papers = [{"paper": {"id": f"2601.{10000 + i:05d}", "title": f"Load paper {i}",
               "summary": f"A diffusion study number {i} under load.", "upvotes": i}}
              for i in range(3 * n, 3 * n + 30)]
    began = time.monotonic()
    result = ingest_bytes(store, json.dumps(papers).encode(), source="load")
    took = (time.monotonic() - began) * 1000
    print(json.dumps({"id": result.snapshot.id, "unchanged": result.unchanged,
                      "ms": round(took, 1)}), flush=True)
    time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))
"""


@dataclass
class Row:
    engine: str
    requests: int = 0
    rps: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    sockets: dict[str, int] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    kills: int = 0
    ingests: int = 0
    present: int = 0
    ingest_ms: list[float] = field(default_factory=list)
    etag_changes: int = 0
    data_changes: int = 0
    etag_mismatches: int = 0


def _pg_schema() -> tuple[str, str]:
    schema = "load_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(schema: str) -> None:
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def _killer(master: int, stop: threading.Event, every: float, row: Row) -> None:
    while not stop.wait(every):
        children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                                  text=True).stdout.split()
        workers = [int(pid) for pid in children if _is_worker(int(pid))]
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            row.kills += 1


def _is_worker(pid: int) -> bool:
    """gunicorn's workers, not the refresher or anything else the server started."""
    try:
        return "refresh" not in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def _monitor(base: str, stop: threading.Event, seen: list[tuple[str, str]]) -> None:
    """The feed's (updated, ETag) four times a second: one ETag per data moment."""
    with httpx.Client(base_url=base, timeout=10) as client:
        while not stop.wait(0.25):
            try:
                response = client.get("/feeds/trending.atom")
            except httpx.HTTPError:
                continue  # a killed worker's connection
            found = re.search(rb"<updated>([^<]+)</updated>", response.content)
            if response.status_code == 200 and found:
                seen.append((found.group(1).decode(), response.headers["ETag"]))


def run_engine(engine: str, seconds: int, connections: int, work: Path) -> Row:
    row = Row(engine)
    schema = ""
    if engine == "sqlite":
        url = f"sqlite:///{work / 'load.db'}"
    else:
        url, schema = _pg_schema()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TRENDFEED_DATABASE_URL": url, "TRENDFEED_SAMPLE": "on",
           "TRENDFEED_VERSION_CHECK": "1", "TRENDFEED_BASE_URL": base}
    command = [str(Path(sys.executable).parent / "trendfeed"), "serve", "--port", str(port),
               "--workers", "2"]
    try:
        with server(command, env, port, work / f"{engine}.log") as master:
            for _ in range(100):
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
                time.sleep(0.2)
            before = httpx.get(f"{base}/api/v1/snapshots?limit=1", timeout=5).json()["total"]
            stop = threading.Event()
            seen: list[tuple[str, str]] = []
            threads = [threading.Thread(target=_killer, args=(master, stop, 10.0, row)),
                       threading.Thread(target=_monitor, args=(base, stop, seen))]
            ingester = subprocess.Popen([sys.executable, "-c", INGESTER, url, str(seconds)],
                                        stdout=subprocess.PIPE, text=True)
            for thread in threads:
                thread.start()
            output = subprocess.run(
                ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                 "-s", str(HERE / "load.lua"), base], capture_output=True, text=True).stdout
            stop.set()
            for thread in threads:
                thread.join()
            lines, _ = ingester.communicate(timeout=30)
            ingested = [json.loads(line) for line in lines.splitlines() if line.strip()]
            row.ingests = sum(not i["unchanged"] for i in ingested)
            row.ingest_ms = sorted(i["ms"] for i in ingested)
            ids = {i["id"] for i in ingested if not i["unchanged"]}
            listed: set[int] = set()
            with httpx.Client(base_url=base, timeout=10) as client:
                cursor = ""
                while True:
                    page = client.get("/api/v1/snapshots?limit=200" + cursor).json()
                    listed |= {s["id"] for s in page["items"]}
                    if not page["next_cursor"]:
                        break
                    cursor = f"&cursor={page['next_cursor']}"
            row.present = len(ids & listed)
            assert len(listed) == before + row.ingests, (len(listed), before, row.ingests)
            _read_wrk(output, row)
            _check_etags(seen, row)
    finally:
        if schema:
            _drop_schema(schema)
    return row


def _read_wrk(output: str, row: Row) -> None:
    counts = re.search(r"LOAD ok=(\d+) not_modified=(\d+) server_error=(\d+) other=(\d+)",
                       output)
    sockets = re.search(r"LOAD socket connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+)",
                        output)
    latency = re.search(r"LOAD latency p50=([\d.]+) p99=([\d.]+) max=([\d.]+)", output)
    if not (counts and sockets and latency):
        raise RuntimeError(f"wrk said: {output}")
    row.counts = dict(zip(("200", "304", "5xx", "other"), map(int, counts.groups()),
                          strict=True))
    row.sockets = dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()),
                           strict=True))
    row.latency = dict(zip(("p50", "p99", "max"), map(float, latency.groups()), strict=True))
    row.requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    row.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def _check_etags(seen: list[tuple[str, str]], row: Row) -> None:
    """Each data moment (the feed's <updated>) has one ETag, and each ETag one moment."""
    by_moment: dict[str, set[str]] = {}
    by_etag: dict[str, set[str]] = {}
    for moment, etag in seen:
        by_moment.setdefault(moment, set()).add(etag)
        by_etag.setdefault(etag, set()).add(moment)
    row.data_changes = len(by_moment)
    row.etag_changes = len(by_etag)
    row.etag_mismatches = sum(len(v) > 1 for v in by_moment.values()) + \
        sum(len(v) > 1 for v in by_etag.values())


def table(rows: list[Row]) -> str:
    lines = ["| engine | requests | req/s | 200 | 304 | 5xx | socket errors (read/connect) "
             "| worker kills | ingests applied / found | feed moments / ETags / mismatches "
             "| reader p50 / p99 / max ms | ingest transaction p50 / max ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ms = r.ingest_ms or [0.0]
        lines.append(
            f"| {r.engine} | {r.requests} | {r.rps:.0f} | {r.counts['200']} | "
            f"{r.counts['304']} | **{r.counts['5xx']}** | {r.sockets['read']}/"
            f"{r.sockets['connect']} | {r.kills} | {r.ingests} / {r.present} | "
            f"{r.data_changes} / {r.etag_changes} / **{r.etag_mismatches}** | "
            f"{r.latency['p50']:.1f} / {r.latency['p99']:.1f} / {r.latency['max']:.1f} | "
            f"{ms[len(ms) // 2]:.1f} / {ms[-1]:.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="trendfeed-load-") as folder:
        for engine in args.engines.split(","):
            rows.append(run_engine(engine, args.seconds, args.connections, Path(folder)))
            print(table(rows[-1:]), flush=True)
    print()
    print(table(rows))
    return 0 if all(r.counts["5xx"] == 0 and r.etag_mismatches == 0
                    and r.present == r.ingests for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
