"""`python -m bench`: the service against its own ceiling, in one run, on loopback.

Starts gunicorn with the production settings (service.serve): the ceiling app
(bench/ceiling.py, a constant body the size of the feed); the service on the bundled
sample on SQLite; two instances on the sample in one PostgreSQL schema with nginx in
front (deploy/nginx.conf, rendered by bench/nginx.py), which also serves the feed's
bytes as a static file; and the service on a generated history of 100,000 papers on each
engine. wrk drives each; the table gives requests/s and p50/p99 latency, and the ratios
to the ceiling. Then it sends 100,000 distinct q values and reports a worker's memory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from . import nginx

HERE = Path(__file__).parent
FEED = "/feeds/trending.atom"


@dataclass
class Result:
    name: str  # its first letter is the row of bench/README.md
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str


def median(runs: list[Result]) -> Result:
    """The run with the median requests/s (its latencies with it)."""
    ordered = sorted(runs, key=lambda r: r.rps)
    return ordered[len(ordered) // 2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """A gunicorn master running `command`; yields its pid once /livez or / answers."""
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out,
                                   start_new_session=True)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1).status_code in (200, 404):
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(name: str, url: str, *, duration: int, connections: int, threads: int = 2,
        headers: tuple[str, ...] = (), script: tuple[str, ...] = (),
        cpus: str | None = None) -> Result:
    """wrk's run of `url`; `cpus`: the cores it may use (taskset's list), or any."""
    command = ["taskset", "-c", cpus] if cpus else []
    command += ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(HERE / "unique.lua"), url, "--", *script]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    problems = ", ".join(filter(None, [f"{bad.group(1)} non-2xx/3xx" if bad else "",
                                       errors.group(1) if errors else ""]))
    return Result(name, rps, p50, p99, total, problems)


def distinct_queries(url: str, template: str, count: int, clients: int = 8) -> int:
    """Send `count` requests, each with its own q value; returns how many answered 200."""
    def run(offset: int) -> int:
        ok = 0
        with httpx.Client(base_url=url, timeout=30) as http:
            for n in range(offset, count, clients):
                ok += http.get(template.format(n=n)).status_code == 200
        return ok

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(run, range(clients)))


def worker_rss_mb(master: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                              text=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
        sizes.append(kb / 1024)
    return sizes


@dataclass(frozen=True)
class KeywordMiss:
    """A keyword feed over the big history, a new query (so a cache miss) every time."""
    what: str
    prefix: str  # unique.lua puts zq<thread>x<n> between prefix and suffix
    suffix: str = ".atom?scope=all"


KEYWORD_MISSES = (
    KeywordMiss("a common term", "/feeds/keyword/diffusion+-"),  # diffusion: 99% of papers
    KeywordMiss("a phrase", "/feeds/keyword/%22neural+network%22+-"),  # about 3%
    KeywordMiss("a term that matches nothing", "/feeds/keyword/"),  # zq...: no paper
)
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def schema_url(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema`."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


@contextlib.contextmanager
def pg_schema(admin: sa.Engine, name: str, keep: bool) -> Iterator[bool]:
    """The schema `name`, made when missing; yields whether it already held papers.
    Dropped afterwards unless `keep`."""
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {name}")
        filled = conn.execute(sa.text(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = :s AND table_name = 'papers'"), {"s": name}).scalar()
        if filled:
            filled = conn.exec_driver_sql(f"SELECT count(*) FROM {name}.papers").scalar()
    try:
        yield bool(filled)
    finally:
        if not keep:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")


def alternate(scenarios: list[tuple[str, str, tuple[str, ...]]], rounds: int, duration: int,
              connections: int) -> list[Result]:
    """Runs of each scenario in alternating rounds (a 1 s warm-up before each), so that
    the machine's drift touches all alike; the median run of each."""
    runs: dict[str, list[Result]] = {name: [] for name, _, _ in scenarios}
    for _ in range(rounds):
        for name, target, headers in scenarios:
            wrk("warm-up", target, duration=1, connections=connections, headers=headers)
            runs[name].append(wrk(name, target, duration=duration, connections=connections,
                                  headers=headers))
    return [median(found) for found in runs.values()]


def plain_get(url: str) -> httpx.Response:
    """A GET with no Accept-Encoding, as wrk sends it (the same Vary variant)."""
    with httpx.Client(timeout=30) as http:
        http.headers.pop("accept-encoding", None)
        return http.get(url)


def main() -> int:
    parser = argparse.ArgumentParser(description="trendfeed benchmark (see bench/README.md)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=200,
                        help="wrk connections for a-d, g and h (the workers' connection cap, "
                             "2 x 100, is what spreads them over both workers)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating runs of a-d and of g-h; the median of each is "
                             "reported")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--papers", type=int, default=100_000, help="size of the big history")
    parser.add_argument("--distinct-q", type=int, default=100_000,
                        help="distinct q values with empty results, to one worker")
    parser.add_argument("--distinct-full", type=int, default=2_000,
                        help="then distinct q values that render a full feed each")
    parser.add_argument("--postgres", default=os.environ.get(
        "TRENDFEED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL database to make schemas in (default: "
             "TRENDFEED_TEST_POSTGRES_URL, else the local server's `test`)")
    parser.add_argument("--big-db", help="reuse this generated SQLite file (made if missing)")
    parser.add_argument("--big-schema",
                        help="reuse this PostgreSQL schema's generated history (made if "
                             "missing, kept afterwards)")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or (tool == "nginx" and nginx.installed())):
            print(f"{tool} is not installed: apt-get install {tool}", file=sys.stderr)
            return 2
    admin = sa.create_engine(args.postgres)
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL does not answer at {args.postgres}: {exc}", file=sys.stderr)
        return 2

    load_at_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="trendfeed-bench-"))
    bin_dir = Path(sys.executable).parent
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TRENDFEED_")}
    d, c, w = args.duration, args.connections, args.workers
    results: list[Result] = []

    def serve(port: int, workers: int = w) -> list[str]:
        return [str(bin_dir / "trendfeed"), "serve", "--port", str(port),
                "--workers", str(workers)]

    # The service on the bundled sample and the ceiling (same settings, a constant body
    # of the feed's size), both up at once so that their runs can alternate.
    port = free_port()
    sample_env = {**base_env, "TRENDFEED_DATABASE_URL": f"sqlite:///{work / 'sample.db'}",
                  "TRENDFEED_SAMPLE": "on"}
    with server(serve(port), sample_env, port, work / "sample.log"):
        url = f"http://127.0.0.1:{port}"
        size = len(httpx.get(url + FEED).content)
        gz_etag = httpx.get(url + FEED, headers={"Accept-Encoding": "gzip"}).headers["etag"]
        print(f"feed: {FEED}, {size} bytes, 50 entries", flush=True)
        ceiling_port = free_port()
        ceiling = [sys.executable, "-m", "bench.ceiling", "--port", str(ceiling_port),
                   "--workers", str(w), "--body-size", str(size)]
        # The same service and store under the worker settings serve had before (gthread,
        # 4 threads, 100 connections): the cached hit before and after, in one run.
        before_port = free_port()
        before = [sys.executable, "-m", "bench.gthread", "--port", str(before_port),
                  "--workers", str(w)]
        with server(ceiling, base_env, ceiling_port, work / "ceiling.log"), \
                server(before, {**sample_env, "TRENDFEED_BASE_URL": url}, before_port,
                       work / "before.log"):
            before_url = f"http://127.0.0.1:{before_port}"
            assert len(httpx.get(before_url + FEED).content) == size
            results += alternate([
                ("a ceiling (constant body)", f"http://127.0.0.1:{ceiling_port}/", ()),
                ("b cached feed hit", url + FEED, ()),
                ("b cached feed hit, before: gthread (bench/gthread.py)", before_url + FEED, ()),
                ("c cached gzip hit", url + FEED, ("Accept-Encoding: gzip",)),
                ("d 304 revalidation", url + FEED,
                 ("Accept-Encoding: gzip", f"If-None-Match: {gz_etag}")),
            ], args.rounds, d, c)
        results.append(wrk("e cache miss (fresh q), SQLite", url, duration=d, connections=8,
                           script=(f"{FEED}?q=-",)))

    # Two instances on the sample in one PostgreSQL schema, nginx in front with the
    # deployed configuration, and the same nginx serving the feed's bytes from a file.
    sample_schema = "bench_" + uuid.uuid4().hex[:12]
    with pg_schema(admin, sample_schema, keep=False):
        # One base for both instances: links would otherwise follow the Host a request
        # used (nginx's upstream address), and the bytes compared below would differ.
        pg_env = {**base_env, "TRENDFEED_BASE_URL": "http://localhost:8000",
                  "TRENDFEED_DATABASE_URL": schema_url(args.postgres, sample_schema)}
        port_a, port_b, proxy_port, static_port = (free_port() for _ in range(4))
        with server(serve(port_a), {**pg_env, "TRENDFEED_SAMPLE": "on"}, port_a,
                    work / "pg-a.log"), \
                server(serve(port_b), pg_env, port_b, work / "pg-b.log"):
            url = f"http://127.0.0.1:{port_a}"
            body = plain_get(url + FEED).content
            proxied = work / "nginx"
            (proxied / "static").mkdir(parents=True)
            (proxied / "static" / "trending.atom").write_bytes(body)
            static_server = (f"    server {{\n        listen 127.0.0.1:{static_port};\n"
                             f"        root {proxied / 'static'};\n"
                             f"        types {{ application/atom+xml atom; }}\n    }}\n")
            conf = nginx.render(proxied, upstreams=(f"127.0.0.1:{port_a}",
                                                    f"127.0.0.1:{port_b}"),
                                port=proxy_port, extra=static_server)
            with nginx.running(proxied, conf, proxy_port) as proxy:
                static = f"http://127.0.0.1:{static_port}/trending.atom"
                plain_get(proxy + FEED)
                hit = plain_get(proxy + FEED)
                assert hit.headers.get("x-cache-status") == "HIT", hit.headers
                assert hit.content == body == plain_get(static).content
                results += alternate([
                    ("g feed hit through nginx's cache", proxy + FEED, ()),
                    ("h nginx: the same bytes, a static file", static, ()),
                ], args.rounds, d, c)
            results.append(wrk("e cache miss (fresh q), PostgreSQL", url, duration=d,
                               connections=8, script=(f"{FEED}?q=-",)))

    # Keyword feeds over a large history on each engine, every request a cache miss.
    big = Path(args.big_db) if args.big_db else work / "big.db"
    big_schema = args.big_schema or "bench_big_" + uuid.uuid4().hex[:12]
    with pg_schema(admin, big_schema, keep=bool(args.big_schema)) as filled:
        urls = {"sqlite": f"sqlite:///{big}",
                "postgresql": schema_url(args.postgres, big_schema)}
        made = {"sqlite": big.exists(), "postgresql": filled}
        for engine, database in urls.items():
            if not made[engine]:
                subprocess.run([sys.executable, "-m", "bench.generate", database,
                                "--papers", str(args.papers)], check=True)
            port = free_port()
            env = {**base_env, "TRENDFEED_DATABASE_URL": database}
            with server(serve(port), env, port, work / f"big-{engine}.log"):
                url = f"http://127.0.0.1:{port}"
                for miss in KEYWORD_MISSES:
                    # One connection: the latency of the work itself. With 4, all of
                    # them could land on one worker and queue for its GIL (p50 = 4 x).
                    results.append(wrk(f"f keyword miss, {miss.what}, {ENGINES[engine]}",
                                       url, duration=d, connections=1, threads=1,
                                       script=(miss.prefix, miss.suffix)))

    # Memory: one worker answers every distinct q value (the cache's bounds must hold).
    port = free_port()
    with server(serve(port, workers=1), sample_env, port, work / "memory.log") as master:
        url = f"http://127.0.0.1:{port}"
        httpx.get(url + FEED)
        before = worker_rss_mb(master)
        started = time.perf_counter()
        small = distinct_queries(url, FEED + "?q=zq{n}", args.distinct_q)
        after_small = worker_rss_mb(master)
        large = distinct_queries(url, FEED + "?q=-zq{n}", args.distinct_full)
        after = worker_rss_mb(master)
        elapsed = time.perf_counter() - started
        status = httpx.get(url + "/api/v1/status").json()["cache"]

    ceiling_rps = results[0].rps
    print()
    print("| row | req/s | p50 ms | p99 ms | x ceiling | errors |")
    print("|---|---:|---:|---:|---:|---|")
    for r in results:
        print(f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
              f"{r.rps / ceiling_rps:.2f} | {r.errors or '-'} |")
    print()
    by = {r.name: r for r in results}
    first = {r.name[0]: r for r in reversed(results)}
    print(f"ratios: b/a = {first['b'].rps / ceiling_rps:.2f}, "
          f"c/a = {first['c'].rps / ceiling_rps:.2f}, d/a = {first['d'].rps / ceiling_rps:.2f}")
    worker_ratio = first["b"].rps / by["b cached feed hit, before: gthread (bench/gthread.py)"].rps
    print(f"goal, a cached feed hit at least 0.9 x the gthread worker's: {worker_ratio:.2f} "
          f"({'met' if worker_ratio >= 0.9 else 'NOT met'})")
    nginx_ratio = first["g"].rps / first["h"].rps
    print(f"goal, a feed hit through nginx's cache >= 0.8 x nginx serving the same bytes "
          f"as a static file: g/h = {nginx_ratio:.2f} "
          f"({'met' if nginx_ratio >= 0.8 else 'NOT met'})")
    for label in ENGINES.values():
        p50s = [by[f"f keyword miss, {m.what}, {label}"].p50_ms for m in KEYWORD_MISSES]
        figures = ", ".join(f"{m.what} {p50:.1f} ms" for m, p50 in zip(KEYWORD_MISSES, p50s,
                                                                       strict=True))
        print(f"goal, keyword miss over {args.papers:,} papers p50 <= 50 ms, {label}: "
              f"{figures} ({'met' if max(p50s) <= 50 else 'NOT met'})")
    print(f"memory, one worker: {small:,} distinct q (empty results) then {large:,} distinct "
          f"q (full 50-entry feeds) in {elapsed:.0f} s; worker RSS {before[0]:.0f} MB at start, "
          f"{after_small[0]:.0f} MB after the {small:,}, {after[0]:.0f} MB at the end; cache: "
          f"{status['entries']} entries, {status['bytes'] / 1e6:.1f} MB of "
          f"{status['max_bytes'] / 1e6:.0f} MB, {status['evictions']:,} evictions")
    print("load average (1, 5, 15 min) at the start: {:.2f} {:.2f} {:.2f}, at the end: "
          "{:.2f} {:.2f} {:.2f}".format(*load_at_start, *os.getloadavg()))
    admin.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
