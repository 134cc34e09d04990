"""A large synthetic history: `python -m bench.generate URL --papers 100000`.

Papers arrive as daily lists of 1,000 (a history of 100 lists), through the real
ingest path (normalize, store, index), with words drawn from a skewed vocabulary:
common terms match most of the history (`diffusion`: 99% of papers, the hard case for
"newest 50 matches"), phrases a few percent, nonsense terms nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from service.ingest import normalized_entries
from service.model import RawList, RawPaper
from service.store import open_store

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL, e.g. sqlite:///bench/big.db")
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args()
    generate(args.url, args.papers)


if __name__ == "__main__":
    main()
