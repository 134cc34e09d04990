"""`python -m bench`: the service against its own ceiling, in one run, on loopback.

Starts gunicorn with the production settings (service.serve) three times: the ceiling
app (bench/ceiling.py, a constant body the size of the feed), the service on the
bundled sample, and the service on a generated history of 100,000 papers. wrk drives
each; the table gives requests/s and p50/p99 latency, and the ratios to the ceiling.
Then it sends 100,000 distinct q values and reports the workers' resident memory.
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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).parent
FEED = "/feeds/trending.atom"


@dataclass
class Result:
    name: str
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
        headers: tuple[str, ...] = (), script: tuple[str, ...] = ()) -> Result:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
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


def main() -> int:
    parser = argparse.ArgumentParser(description="trendfeed benchmark (see bench/README.md)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=200,
                        help="wrk connections for a-d (the workers' connection cap, 2 x 100, "
                             "is what spreads them over both workers)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating runs of a-d; the median of each is reported")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--papers", type=int, default=100_000, help="size of the big history")
    parser.add_argument("--distinct-q", type=int, default=100_000,
                        help="distinct q values with empty results, to one worker")
    parser.add_argument("--distinct-full", type=int, default=2_000,
                        help="then distinct q values that render a full feed each")
    parser.add_argument("--big-db", help="reuse this generated SQLite file (made if missing)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="trendfeed-bench-"))
    bin_dir = Path(sys.executable).parent
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TRENDFEED_")}
    d, c, w = args.duration, args.connections, args.workers
    results: list[Result] = []

    # The service on the bundled sample (loaded by `trendfeed serve` on first start) and
    # the ceiling (same settings, a constant body of the feed's size), both up at once so
    # that their runs can alternate: the machine's drift then touches both alike.
    port = free_port()
    env = {**base_env, "TRENDFEED_DATABASE_URL": f"sqlite:///{work / 'sample.db'}"}
    serve = [str(bin_dir / "trendfeed"), "serve", "--port", str(port), "--workers", str(w)]
    with server(serve, env, port, work / "sample.log"):
        url = f"http://127.0.0.1:{port}"
        size = len(httpx.get(url + FEED).content)
        gz_etag = httpx.get(url + FEED, headers={"Accept-Encoding": "gzip"}).headers["etag"]
        print(f"feed: {FEED}, {size} bytes, 50 entries", flush=True)
        ceiling_port = free_port()
        ceiling = [sys.executable, "-m", "bench.ceiling", "--port", str(ceiling_port),
                   "--workers", str(w), "--body-size", str(size)]
        with server(ceiling, base_env, ceiling_port, work / "ceiling.log"):
            scenarios = [
                ("a ceiling (constant body)", f"http://127.0.0.1:{ceiling_port}/", ()),
                ("b cached feed hit", url + FEED, ()),
                ("c cached gzip hit", url + FEED, ("Accept-Encoding: gzip",)),
                ("d 304 revalidation", url + FEED,
                 ("Accept-Encoding: gzip", f"If-None-Match: {gz_etag}")),
            ]
            rounds: dict[str, list[Result]] = {name: [] for name, _, _ in scenarios}
            for _ in range(args.rounds):
                for name, target, headers in scenarios:
                    wrk("warm-up", target, duration=1, connections=c, headers=headers)
                    rounds[name].append(wrk(name, target, duration=d, connections=c,
                                            headers=headers))
            for runs in rounds.values():
                results.append(median(runs))
        results.append(wrk("e cache miss (fresh q)", url, duration=d, connections=8,
                           script=(f"{FEED}?q=-",)))

    # A keyword feed over a large history, every request a cache miss.
    big = Path(args.big_db) if args.big_db else work / "big.db"
    if not big.exists():
        subprocess.run([sys.executable, "-m", "bench.generate", f"sqlite:///{big}",
                        "--papers", str(args.papers)], check=True)
    port = free_port()
    env = {**base_env, "TRENDFEED_DATABASE_URL": f"sqlite:///{big}"}
    serve = [str(bin_dir / "trendfeed"), "serve", "--port", str(port), "--workers", str(w)]
    with server(serve, env, port, work / "big.log"):
        url = f"http://127.0.0.1:{port}"
        results.append(wrk(f"f keyword feed, {args.papers:,} papers, miss", url, duration=d,
                           connections=4, script=("/feeds/keyword/diffusion+-", ".atom?scope=all")))

    # Memory: one worker answers every distinct q value (the cache's bounds must hold).
    port = free_port()
    env = {**base_env, "TRENDFEED_DATABASE_URL": f"sqlite:///{work / 'sample.db'}"}
    serve = [str(bin_dir / "trendfeed"), "serve", "--port", str(port), "--workers", "1"]
    with server(serve, env, port, work / "memory.log") as master:
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
    print(f"{'scenario':38} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x ceiling':>9}  errors")
    for r in results:
        print(f"{r.name:38} {r.rps:9.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} "
              f"{r.rps / ceiling_rps:9.2f}  {r.errors or '-'}")
    print()
    by = {r.name[0]: r for r in results}
    print(f"ratios: b/a = {by['b'].rps / ceiling_rps:.2f}, c/a = {by['c'].rps / ceiling_rps:.2f}, "
          f"d/a = {by['d'].rps / ceiling_rps:.2f}")
    print(f"keyword feed over {args.papers:,} papers, cache miss: p50 {by['f'].p50_ms:.1f} ms, "
          f"p99 {by['f'].p99_ms:.1f} ms")
    print(f"memory, one worker: {small:,} distinct q (empty results) then {large:,} distinct "
          f"q (full 50-entry feeds) in {elapsed:.0f} s; worker RSS {before[0]:.0f} MB at start, "
          f"{after_small[0]:.0f} MB after the {small:,}, {after[0]:.0f} MB at the end; cache: "
          f"{status['entries']} entries, {status['bytes'] / 1e6:.1f} MB of "
          f"{status['max_bytes'] / 1e6:.0f} MB, {status['evictions']:,} evictions")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
