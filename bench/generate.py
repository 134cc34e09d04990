"""Synthetic histories, in two shapes.

`python -m bench.generate URL --papers 100000`: many papers (for keyword search). They
arrive as daily lists of 1,000 (a history of 100 lists), through the real ingest path
(normalize, store, index), with words drawn from a skewed vocabulary: common terms match
most of the history (`diffusion`: 99% of papers, the hard case for "newest 50
matches"), phrases a few percent, nonsense terms nothing.

`python -m bench.generate [URL] --cadence 15m --years N` (or `--days N`): the real
service's history (into an empty store; without URL `bench/stores/cadence-<N>y.db`),
a trending list of about 50 papers every 15 minutes (bench/cadence.py).
The last `--real-days` (default 7) go through the real ingest path, the refresher's
ingest (`ingest_bytes` on the upstream's bytes, the clock injected; not its size guard
nor its record in source_state); the days
before them through `bench.bulk.BulkLoader`, which writes the same rows in batches
(the real path costs 22-36 ms a refresh on a quiet machine, two or three times that on
a busy one: a year would take 13 to 60 minutes per engine).
`--real-days 0` loads everything in bulk; `--all-real` nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable

import sqlalchemy as sa

from service.ingest import ingest_bytes, normalized_entries
from service.model import IngestResult, NormalPaper, RawList, RawPaper
from service.sources import parse
from service.store import SqlStore, open_store

from .bulk import BulkLoader
from .cadence import REAL, TICKS_PER_DAY, Refresh, Shape, Timeline

VOCABULARY = (  # noqa: SIM905 (a paragraph reads better than a list of 150 strings)
    "diffusion transformer graph neural network operator learning model vision language "
    "token attention sparse efficient federated personalized reinforcement policy agent "
    "reasoning retrieval benchmark dataset scaling inference quantization pruning kernel "
    "flow rectified sampler video image generation segmentation detection tracking 3d "
    "point cloud mesh physics equation fourier spectral frequency robust adversarial "
    "privacy fairness causal bayesian optimization gradient descent convergence theory "
    "multimodal speech audio music protein molecule drug chemistry climate weather time "
    "series forecasting anomaly recommendation search ranking contrastive self supervised "
    "alignment preference reward instruction tuning adapter lora distillation compression"
).split()
FILLER = ("we propose a novel method that improves the state of the art on several tasks "  # noqa: SIM905
          "and show strong results with fewer parameters and less compute").split()


def synthetic_list(rng: random.Random, start: int, count: int) -> RawList:
    weights = [1.0 / (i + 1) ** 0.7 for i in range(len(VOCABULARY))]
    papers = []
    for n in range(start, start + count):
        title_words = rng.choices(VOCABULARY, weights, k=rng.randint(4, 9))
        title = " ".join(title_words).title() + f" {n}"
        abstract = " ".join(rng.choice(FILLER) if rng.random() < 0.6 else
                            rng.choices(VOCABULARY, weights)[0]
                            for _ in range(rng.randint(80, 160)))
        papers.append(RawPaper(title=title, abstract=abstract.capitalize() + ".",
                               where=f"paper {n}", authors=(f"Author {n % 977}",)))
    return RawList(format="text", papers=tuple(papers))


def generate(url: str, papers: int, per_list: int = 1000, seed: int = 7) -> None:
    store = open_store(url)
    rng = random.Random(seed)
    day = dt.datetime(2026, 1, 1)
    started = time.perf_counter()
    for index, start in enumerate(range(0, papers, per_list)):
        raw = synthetic_list(rng, start, min(per_list, papers - start))
        when = day + dt.timedelta(days=index)
        store.apply_snapshot(normalized_entries(raw, when.date()), list_time=when, ingested_at=when,
                             source="bench", format="text", sha256=f"bench-{seed}-{start}")
        if store.dialect == "postgresql" and index % 5 == 0:
            # Planner statistics for a table that grows this fast (autovacuum may be off).
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    print(f"generated {store.count_papers()} papers in {store.count_snapshots()} lists "
          f"in {time.perf_counter() - started:.0f} s")
    store.close()


# -- the real cadence ---------------------------------------------------------------

SOURCE = "refresher"  # what the refresher's ingests are recorded as


def ingest_refresh(store: SqlStore, refresh: Refresh) -> IngestResult:
    """One refresh through the real ingest path, as the refresher applies a fetch."""
    return ingest_bytes(store, refresh.body, source=SOURCE, now=refresh.at)


class BulkEntries:
    """A refresh's papers as the real path normalizes them, without parsing the whole
    list again: each paper is parsed and normalized once (per code link: one may appear
    later), and only its counts change from refresh to refresh."""

    def __init__(self) -> None:
        self.normal: dict[tuple[str, bool], NormalPaper] = {}

    def __call__(self, refresh: Refresh) -> list[NormalPaper]:
        entries = []
        for listed in refresh.listed:
            key = (listed.arxiv_id, listed.github_stars is not None)
            base = self.normal.get(key)
            if base is None:
                raw = parse(f"[{listed.element}]".encode(), "hf-json", name=SOURCE)
                base = self.normal[key] = normalized_entries(raw, refresh.at.date(),
                                                             refresh.at)[0]
            entries.append(dataclasses.replace(base, upvotes=listed.upvotes,
                                               github_stars=listed.github_stars,
                                               comments=listed.comments))
        if refresh.tick % TICKS_PER_DAY == 0 and len(self.normal) > 2000:
            self.normal.clear()  # papers long gone (a paper that comes back is parsed again)
        return entries


def tidy(store: SqlStore) -> None:
    """What autovacuum would have done by now on PostgreSQL (it is off on a test server,
    and the planner needs statistics for tables this large)."""
    if store.dialect != "postgresql":
        return
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in sa.inspect(conn).get_table_names():
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


@dataclasses.dataclass
class Generated:
    store: SqlStore  # open
    following: list[Refresh]  # the refreshes after the history, not applied


def cadence(url: str, days: float, *, real_days: float | None = 7, seed: int = 7,
            shape: Shape = REAL, following: int = 0,
            report: Callable[[str], None] = print) -> Generated:
    """`days` of refreshes every 15 minutes into the empty store at `url`: the last
    `real_days` through the real path (None: all of them), the rest in bulk; and the
    `following` refreshes of the same timeline, for a bench to ingest."""
    store = open_store(url)
    ticks = round(days * TICKS_PER_DAY)
    after: list[Refresh] = []
    bulk_ticks = 0 if real_days is None else max(0, ticks - round(real_days * TICKS_PER_DAY))
    loader = BulkLoader(store) if bulk_ticks else None
    entries = BulkEntries()
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for refresh in Timeline(seed=seed, shape=shape).refreshes(ticks + following):
        if refresh.tick >= ticks:
            after.append(refresh)
            continue
        if refresh.tick < bulk_ticks:
            assert loader is not None
            outcome = loader.apply(entries(refresh), list_time=dt.datetime.combine(
                refresh.at.date(), dt.time()), ingested_at=refresh.at, source=SOURCE,
                format="hf-json", sha256=hashlib.sha256(refresh.body).hexdigest())
        else:
            if loader is not None:
                loader.close()
                loader = None
                tidy(store)
            result = ingest_refresh(store, refresh)
            outcome = "same content" if result.same_content else \
                "same ranking" if result.unchanged else "new"
            if refresh.tick % TICKS_PER_DAY == TICKS_PER_DAY - 1:
                tidy(store)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if refresh.tick % (30 * TICKS_PER_DAY) == 0 and refresh.tick:
            report(f"  day {refresh.tick // TICKS_PER_DAY}: {outcomes} "
                   f"({time.perf_counter() - started:.0f} s)")
    if loader is not None:
        loader.close()
    tidy(store)
    report(f"generated {ticks} refreshes ({outcomes}), {store.count_papers()} papers in "
           f"{store.count_snapshots()} lists in {time.perf_counter() - started:.0f} s")
    return Generated(store, after)


def _amount(text: str) -> float:
    """A positive, finite number of years or days (argparse type)."""
    value = float(text)
    if not 0 < value < 1e6:  # (also refuses nan and inf)
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def _days(text: str) -> float:
    """--real-days: 0 (everything in bulk) or a positive, finite number."""
    return 0.0 if float(text) == 0 else _amount(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="an empty store's database URL (default: "
                        "sqlite:///bench/stores/cadence-<N>y.db or -<N>d.db with --cadence, "
                        "sqlite:///bench/stores/papers.db without)")
    parser.add_argument("--papers", type=int, default=100_000,
                        help="the keyword-search history: this many papers in lists of 1,000")
    parser.add_argument("--cadence", choices=["15m"],
                        help="the real cadence instead: a list every 15 minutes")
    parser.add_argument("--years", type=_amount, help="with --cadence: this many years")
    parser.add_argument("--days", type=_amount, help="with --cadence: this many days")
    parser.add_argument("--real-days", type=_days, default=7,
                        help="with --cadence: the last days through the real path (default 7)")
    parser.add_argument("--all-real", action="store_true",
                        help="with --cadence: every list through the real path")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.cadence is not None and (args.years is None) == (args.days is None):
        parser.error("--cadence takes --years or --days")
    if args.cadence is None and (args.years, args.days) != (None, None):
        parser.error("--years and --days go with --cadence")
    if args.cadence is not None and (args.days or args.years * 365) * TICKS_PER_DAY < 1:
        parser.error("that is less than one refresh (15 minutes)")
    if args.papers < 1:
        parser.error("--papers must be at least 1")
    url = args.url or "sqlite:///bench/stores/" + (
        "papers.db" if args.cadence is None else
        f"cadence-{args.years:g}y.db" if args.years is not None else f"cadence-{args.days:g}d.db")
    store = open_store(url)  # (a store that holds lists would get a second history)
    held = store.count_snapshots()
    store.close()
    if held:
        parser.error(f"{sa.make_url(url).render_as_string(hide_password=True)} already "
                     f"holds {held} lists: generate into an empty store")
    print(f"generating into {sa.make_url(url).render_as_string(hide_password=True)}",
          flush=True)
    if args.cadence is None:
        generate(url, args.papers)
        return
    days = args.days if args.days is not None else args.years * 365
    cadence(url, days, real_days=None if args.all_real else args.real_days,
            seed=args.seed).store.close()


if __name__ == "__main__":
    main()
