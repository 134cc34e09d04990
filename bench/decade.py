"""`python -m bench.decade`: the figures of a long history at the real cadence, in one table.

For each engine (SQLite, PostgreSQL) it builds a week, a year (and with `--years 10` a
decade) of refreshes every 15 minutes with `bench.generate.cadence` (the last 7 days
through the real ingest path, the days before in bulk), then measures on each store:

- ingest of one list: `ingest_bytes` on the upstream's bytes of a following refresh (a
  new list: 10:00-23:45 of the next day), in this process, as the refresher applies it;
- the undo of that list (`Store.undo_latest`), right after it: the store is as before;
- cache misses over HTTP, on `trendfeed serve` (one worker) with a cache of one entry
  (`TRENDFEED_CACHE_ENTRIES=1`): the requests go round the six URLs, so each one evicts
  the one before and every request is rendered, which /metrics confirms (no cache hit):
  the whole current feed (`/feeds/trending.atom`), the paper page and
  `/api/v1/papers/<id>` of the paper with the longest history (the most rankings), and
  the last page of `/api/v1/snapshots` (default limit, reached by its next links), and
  the daily and weekly digests (`/feeds/digest/daily.atom`, `weekly.atom`);
- `trendfeed serve` to its first 200 (`/readyz`, which reads the store);
- the store's size as generated: the SQLite file after a checkpoint, the PostgreSQL
  relations of its schema (tables, indexes, TOAST), saved with a kept store.

Every sample goes round the stores of one engine in turn, so a busy moment of the
machine falls on all of them alike (the ratios to the week are the point). Latencies
are p50 over `--rounds` samples. `--keep DIR` keeps the stores (SQLite files in
DIR/sqlite, a PostgreSQL schema `decade_<size>` each, and DIR/<engine>-<size>.json
saying the store is complete, with the refreshes that follow it) and reuses them on the
next run: delete them after changing bench/cadence.py or bench/bulk.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service.ingest import ingest_bytes
from service.store import SqlStore, open_store
from service.store.journal import UNDO_DEPTH

from .__main__ import schema_url
from .cadence import TICKS_PER_DAY, Refresh
from .generate import SOURCE, cadence, tidy
from .misses import misses, serve_starts

SIZES = {"week": 7, "year": 365, "decade": 3650}
FOLLOWING = TICKS_PER_DAY  # the day after the history: its lists from 10:00 are new ones
FIGURES = [  # (key, row label, target, unit)
    ("ingest", "ingest of one list, p50", 50, "ms"),
    ("feed", "cache miss, the whole current feed, p50", 20, "ms"),
    ("page", "cache miss, the paper page (longest history), p50", 20, "ms"),
    ("api", "cache miss, /api/v1/papers/<id> (longest history), p50", 20, "ms"),
    ("snapshots", "last page of /api/v1/snapshots, p50", 20, "ms"),
    # No target in issue 18: flat from a year to a decade (a week's history is shorter
    # than the digests' window of 31 days or 31 weeks, so its figures are smaller).
    ("daily", "cache miss, the daily digest, p50", None, "ms"),
    ("weekly", "cache miss, the weekly digest, p50", None, "ms"),
    ("undo", "undo of the latest list, p50", 200, "ms"),
    ("serve", "trendfeed serve to its first 200, p50", 2, "s"),
    ("size", "store size", 2048, "MB"),  # the goal is a decade's
    ("size_year", "store size per year of history", None, "MB"),
    ("lists", "lists (snapshots)", None, ""),
    ("rankings", "rankings (rows of ranks)", None, ""),
    ("history", "longest history (rankings of one paper)", None, ""),
]


@dataclass
class Built:
    engine: str
    size: str
    url: str
    following: list[Refresh]
    figures: dict[str, float] = field(default_factory=dict)
    paper_id: str = ""  # the paper with the longest history


def _marker(folder: Path, engine: str, size: str) -> Path:
    return folder / f"{engine}-{size}.json"


def build(engine: str, size: str, folder: Path, postgres: str, keep: bool) -> Built:
    """The store of `size` on `engine`: reused when `folder` says it was completed."""
    schema = f"decade_{size}" if keep else f"decade_{size}_{os.getpid()}"
    url = f"sqlite:///{folder / (size + '.db')}" if engine == "sqlite" else \
        schema_url(postgres, schema)
    marker = _marker(folder, engine, size)
    if marker.exists():
        saved = json.loads(marker.read_text())
        following = [Refresh(r["tick"], dt.datetime.fromisoformat(r["at"]), r["body"].encode(),
                             ()) for r in saved["following"]]
        print(f"{engine} {size}: reusing {url}", flush=True)
        return Built(engine, size, url, following, {"size": saved["size"]})
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{folder / size}.db{suffix}").unlink(missing_ok=True)
    else:
        with sa.create_engine(postgres).begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    print(f"{engine} {size}: generating {SIZES[size]} days into {url}", flush=True)
    generated = cadence(url, SIZES[size], following=FOLLOWING,
                        report=lambda line: print(f"  {engine} {size}{line}", flush=True))
    # The size as generated: the measurements' ingests and undos leave dead rows behind
    # on PostgreSQL, which a kept store would otherwise count run after run.
    size_mb = store_mb(generated.store)
    generated.store.close()
    if engine == "postgresql":  # measure a settled store, not the checkpointer's flushing
        with sa.create_engine(postgres).begin() as conn:
            conn.exec_driver_sql("CHECKPOINT")
    marker.write_text(json.dumps({"days": SIZES[size], "size": size_mb, "following": [
        {"tick": r.tick, "at": r.at.isoformat(), "body": r.body.decode()}
        for r in generated.following]}))
    return Built(engine, size, url, generated.following, {"size": size_mb})


def store_mb(store: SqlStore) -> float:
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            path = make_url(store.db.url).database
            assert path is not None
            return sum(Path(path + s).stat().st_size for s in ("", "-wal")
                       if Path(path + s).exists()) / 2**20
        return int(conn.exec_driver_sql(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
            "AND c.relkind IN ('r', 'm')").scalar() or 0) / 2**20


def counts(store: SqlStore) -> tuple[int, int, str, int]:
    """(lists, rankings, the id of the paper with the longest history, its rankings)."""
    with store.engine.connect() as conn:
        lists = conn.exec_driver_sql("SELECT COUNT(*) FROM snapshots").scalar()
        rankings = conn.exec_driver_sql("SELECT COUNT(*) FROM ranks").scalar()
        paper, history = conn.exec_driver_sql(
            "SELECT p.id, r.n FROM (SELECT paper_num, COUNT(*) AS n FROM ranks "
            "GROUP BY paper_num ORDER BY n DESC, paper_num LIMIT 1) r "
            "JOIN papers p ON p.num = r.paper_num").one()
    return int(lists or 0), int(rankings or 0), str(paper), int(history)


def ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def measure_writes(stores: list[Built], rounds: int) -> None:
    """The refreshes of the next day from 10:00 on, each through the real ingest path
    (so each list is 15 minutes from the one before, as the refresher sees them), the
    stores in turn (a busy moment of the machine falls on all of them alike); then every
    list they made undone, the latest first: each store ends as it began (but for its
    counters, and the journal of its oldest undoable lists, which the ingests' retention
    dropped). Timed: each ingest that made a new list, but the first (ten hours of
    changes at once), and each undo."""
    samples: dict[str, dict[str, list[float]]] = {b.size: {"ingest": [], "undo": []}
                                                  for b in stores}
    opened = {b.size: open_store(b.url) for b in stores}
    made = dict.fromkeys(opened, 0)
    try:
        for i in range(min(rounds + 1, UNDO_DEPTH)):
            for built in stores:
                day = [r for r in built.following if r.tick % TICKS_PER_DAY >= 40]
                if i >= len(day):
                    continue
                started = time.perf_counter()
                result = ingest_bytes(opened[built.size], day[i].body, source=SOURCE,
                                      now=day[i].at)
                if not result.unchanged:
                    made[built.size] += 1
                    if i:
                        samples[built.size]["ingest"].append(time.perf_counter() - started)
        while any(made.values()):
            for built in stores:
                if made[built.size]:
                    started = time.perf_counter()
                    opened[built.size].undo_latest()
                    samples[built.size]["undo"].append(time.perf_counter() - started)
                    made[built.size] -= 1
    finally:
        for store in opened.values():
            store.close()
    for built in stores:
        built.figures.update({k: ms(v) for k, v in samples[built.size].items()})


def measure_reads(stores: list[Built], rounds: int, log: Path) -> None:
    starts = serve_starts([b.url for b in stores], 3, log)
    samples = misses([(b.url, b.paper_id) for b in stores], rounds, log)
    for built, start, found in zip(stores, starts, samples, strict=True):
        built.figures.update({name: ms(v) for name, v in found.items()},
                             serve=statistics.median(start))


def measure(stores: list[Built], rounds: int, log: Path) -> None:
    for built in stores:
        store = open_store(built.url)
        try:
            lists, rankings, built.paper_id, history = counts(store)
        finally:
            store.close()
        built.figures.update(lists=lists, rankings=rankings, history=history)
        if built.size != "week":  # (a week's size is mostly the undo journal: a constant)
            built.figures["size_year"] = built.figures["size"] / (SIZES[built.size] / 365)
    measure_writes(stores, rounds)
    for built in stores:  # what autovacuum would do after the writes (off on a test server)
        store = open_store(built.url)
        tidy(store)
        store.close()
    measure_reads(stores, rounds, log)


def cell(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("", "MB") and value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if unit == "s" else f"{value:.1f}"


def table(built: list[Built], sizes: list[str]) -> str:
    """Rows: the figures; columns: per engine, each store, then the ratios to the week
    (close to 1: the figure does not grow with the history's age)."""
    engines = list(dict.fromkeys(b.engine for b in built))
    found = {(b.engine, b.size): b.figures for b in built}
    longer = [s for s in sizes if s != "week"]
    head = ["figure", "target"]
    for engine in engines:
        head += [f"{engine} {s}" for s in sizes] + [f"{s}/week" for s in longer]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for key, label, target, unit in FIGURES:
        row = [f"{label}{f' ({unit})' if unit else ''}",
               f"<= {target:,} {unit}" if target is not None else ""]
        for engine in engines:
            values = {s: found.get((engine, s), {}).get(key) for s in sizes}
            for size in sizes:
                value = values[size]
                missed = target is not None and value is not None and value > target
                row.append(cell(value, unit) + (" **missed**" if missed else ""))
            for size in longer:
                week, value = values["week"], values[size]
                ratio = week and value and key not in ("size", "lists", "rankings", "history")
                row.append(f"{value / week:.2f}" if ratio else "")  # type: ignore[operator]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, choices=[1, 10], default=1,
                        help="1: a week and a year; 10: and a decade")
    parser.add_argument("--postgres", default=os.environ.get(
        "TRENDFEED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--keep", type=Path, help="keep the stores in this folder (and the "
                        "PostgreSQL schemas decade_<size>) and reuse them on the next run")
    parser.add_argument("--rounds", type=int, default=40, help="samples per latency")
    parser.add_argument("--sizes", help="instead of --years: some of week,year,decade")
    args = parser.parse_args()
    sizes = args.sizes.split(",") if args.sizes else \
        ["week", "year"] + (["decade"] if args.years == 10 else [])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-decade-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "serve.log"
    built: list[Built] = []
    try:
        for engine in args.engines.split(","):
            stores = [build(engine, size, folder / engine if engine == "sqlite" else folder,
                            args.postgres, keep=args.keep is not None) for size in sizes]
            measure(stores, args.rounds, log)
            built += stores
            for one in stores:
                print(f"{engine} {one.size}: " + ", ".join(
                    f"{k} {v:.1f}" for k, v in one.figures.items()), flush=True)
    finally:
        if args.keep is None:
            if "postgresql" in args.engines:
                with sa.create_engine(args.postgres).begin() as conn:
                    for size in sizes:
                        conn.exec_driver_sql(
                            f"DROP SCHEMA IF EXISTS decade_{size}_{os.getpid()} CASCADE")
            shutil.rmtree(folder, ignore_errors=True)
    print(table(built, sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
