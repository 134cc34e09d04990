"""`python -m bench.workers`: the worker class before and after, in one run.

Two servers on one SQLite store (the bundled sample), up at the same time and with the
same base URL, so that they serve the same bytes: `trendfeed serve` as it is (gevent
loop, Flask in threads: service/worker.py) and the same service under the gthread
settings it had before (bench/gthread.py). For each:

- a cached feed hit (row b of `python -m bench`): wrk, alternating rounds, the median;
  the goal is after >= 0.9 x before. Beside it, the workers' CPU time per request (from
  /proc), which a busy machine disturbs far less than requests/s. wrk runs on core 0
  and both servers on the others (`--no-pin`: everything anywhere): on a machine of
  two cores, unpinned, the figure is how Linux shares them out between wrk and the
  server, which favours the server with more runnable threads (gthread's four per
  worker against the event loop's one), not what the server does with a core;
- 1,000 idle half-sent requests held open, then /livez and the cached feed on new
  connections, 10 of each: the slowest answer (2 s is "no answer");
- /livez while 12 writes wait for the SQLite write lock another process holds (more
  writes than the workers have threads): the slowest of 5.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from .__main__ import FEED, Result, free_port, median, server, wrk

TOKEN = "bench-token"
NO_ANSWER = 2.0


def cpu_seconds(master: int) -> float:
    """User and system CPU time of the master's children (its workers) so far."""
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                              text=True).stdout.split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rounds(servers: list[tuple[str, str, int]], count: int, duration: int,
           connections: int, cpus: str | None) -> list[tuple[Result, float]]:
    """wrk on each (name, url, master) in alternating rounds (a 1 s warm-up before
    each): the median run of each, and its median CPU microseconds per request."""
    runs: dict[str, list[tuple[Result, float]]] = {name: [] for name, _, _ in servers}
    for _ in range(count):
        for name, url, master in servers:
            wrk("warm-up", url, duration=1, connections=connections, cpus=cpus)
            before = cpu_seconds(master)
            result = wrk(name, url, duration=duration, connections=connections, cpus=cpus)
            cpu = (cpu_seconds(master) - before) / result.requests * 1e6
            runs[name].append((result, cpu))
            print(f"{name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 "
                  f"{result.p99_ms:.1f} ms, {cpu:.0f} us CPU per hit, "
                  f"{result.errors or 'no errors'}", flush=True)
    out = []
    for found in runs.values():
        cpus = sorted(cpu for _, cpu in found)
        out.append((median([r for r, _ in found]), cpus[len(cpus) // 2]))
    return out


def slowest(port: int, paths: tuple[str, ...], rounds: int) -> float:
    """The slowest of `rounds` GETs of each path, each on a new connection and read to
    the end; NO_ANSWER when one does not answer within it."""
    worst = 0.0
    for _ in range(rounds):
        for path in paths:
            started = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=NO_ANSWER) as sock:
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\n"
                                 "Connection: close\r\n\r\n".encode())
                    while sock.recv(65536):
                        pass
            except OSError:
                return NO_ANSWER
            worst = max(worst, time.perf_counter() - started)
    return worst


def beside_idle_clients(port: int, count: int) -> float:
    idle = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET /feeds/trending.atom HTTP/1.1\r\nHost: be")
            idle.append(sock)
        time.sleep(0.5)  # accepted
        return slowest(port, ("/livez", FEED), 10)
    finally:
        for sock in idle:
            sock.close()
        time.sleep(0.5)


def beside_waiting_writes(port: int, database: Path, body: bytes) -> float:
    def post() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"http://127.0.0.1:{port}/api/v1/snapshots", content=body, timeout=30,
                       headers={"Authorization": f"Bearer {TOKEN}",
                                "Content-Type": "text/plain"})

    writers = [threading.Thread(target=post) for _ in range(12)]
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        for writer in writers:
            writer.start()
        time.sleep(1.0)
        return slowest(port, ("/livez",), 5)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        for writer in writers:
            writer.join()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle", type=int, default=1000, help="idle half-sent requests")
    parser.add_argument("--no-pin", action="store_true",
                        help="run wrk and the servers on any core (default: wrk on core 0, "
                        "the servers on the others)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    pinned = not args.no_pin and cores > 1
    wrk_cpus, server_cpus = ("0", f"1-{cores - 1}") if pinned else (None, None)
    pin = ["taskset", "-c", server_cpus] if server_cpus else []
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.idle + 256 <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.idle + 256, hard))
    work = Path(tempfile.mkdtemp(prefix="trendfeed-bench-workers-"))
    bin_dir = Path(sys.executable).parent
    after_port, before_port = free_port(), free_port()
    database = work / "sample.db"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TRENDFEED_")},
           "TRENDFEED_DATABASE_URL": f"sqlite:///{database}", "TRENDFEED_SAMPLE": "on",
           "TRENDFEED_INGEST_TOKEN": TOKEN,
           "TRENDFEED_BASE_URL": f"http://localhost:{after_port}"}
    after = [*pin, str(bin_dir / "trendfeed"), "serve", "--port", str(after_port),
             "--workers", str(args.workers)]
    before = [*pin, sys.executable, "-m", "bench.gthread", "--port", str(before_port),
              "--workers", str(args.workers)]
    body = (Path(__file__).parent.parent / "examples" / "trending-page.txt").read_bytes()
    with server(after, env, after_port, work / "after.log") as after_master, \
            server(before, env, before_port, work / "before.log") as before_master:
        feeds = [httpx.get(f"http://127.0.0.1:{port}{FEED}").content
                 for port in (after_port, before_port)]
        assert feeds[0] == feeds[1], "the two servers must serve the same bytes"
        results = rounds([
            ("after: gevent loop, Flask in 4 threads (service/worker.py)",
             f"http://127.0.0.1:{after_port}{FEED}", after_master),
            ("before: gthread, 4 threads, 100 connections (bench/gthread.py)",
             f"http://127.0.0.1:{before_port}{FEED}", before_master),
        ], args.rounds, args.duration, args.connections, wrk_cpus)
        idle = [beside_idle_clients(port, args.idle) for port in (after_port, before_port)]
        writes = [beside_waiting_writes(port, database, body)
                  for port in (after_port, before_port)]

    def shown(seconds: float) -> str:
        return "no answer within 2 s" if seconds >= NO_ANSWER else f"{seconds * 1000:.1f} ms"

    print()
    print(f"| worker | cached hit req/s | p50 ms | p99 ms | errors | CPU us per hit | "
          f"slowest /livez or feed beside {args.idle:,} idle clients | slowest /livez "
          f"while 12 writes wait |")
    print("|---|---:|---:|---:|---|---:|---|---|")
    for (r, cpu), i, w in zip(results, idle, writes, strict=True):
        print(f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
              f"{r.errors or '-'} | {cpu:.0f} | {shown(i)} | {shown(w)} |")
    ratio = results[0][0].rps / results[1][0].rps
    print(f"\ngoal, a cached hit after >= 0.9 x before: {ratio:.2f} "
          f"({'met' if ratio >= 0.9 else 'NOT met'}); CPU per hit after / before: "
          f"{results[0][1] / results[1][1]:.2f}")
    print(f"wrk on cores {wrk_cpus}, the servers on {server_cpus}" if pinned else
          "wrk and the servers on any core (not pinned)")
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(
        *os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
