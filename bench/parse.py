"""`python -m bench.parse`: parse + normalize of a ~20 MiB text capture, in one process.

Builds the capture in memory from the bundled 74-paper sample (`examples/trending-page.txt`),
repeated with distinct titles until it reaches the size asked for, in today's page shape
(per-paper lines: `Submitted by`, the upvote count, `· N authors`, `Published on`,
`Upvote`, link labels, star counts) or in the classic shape (title / abstract pairs).
It then times `service.sources.parse` on the bytes and `service.normalize.normalize` on
every record, the work `ingest` does before the store, and prints the seconds (the best
of `--rounds`, so that a busy machine shows the code's cost, not its neighbours').
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from service.normalize import normalize
from service.sources import parse

SAMPLE = Path(__file__).parent.parent / "examples" / "trending-page.txt"
MIB = 1024 * 1024


def _card(copy: int, index: int, title: str, abstract: str) -> str:
    """One paper as today's trending page shows it once copied."""
    n = copy * 1000 + index
    lines = [f"{title} ({copy})", f"Submitted by user{n % 97}", str(n % 500),
             f"· {n % 12 + 1} authors", f"Published on Mar {n % 28 + 1}, 2025", "Upvote",
             "GitHub", f"★ {n % 90 / 10:.1f}k", "arXiv Page", abstract]
    return "\n".join(lines)


def build_capture(size: int, shape: str) -> bytes:
    """The sample repeated (each copy's titles suffixed with its number) to `size` bytes."""
    raw = parse(SAMPLE.read_bytes())
    parts = ["Trending Papers", "Mar 17"]
    total = 0
    copy = 0
    while total < size:
        copy += 1
        for index, paper in enumerate(raw.papers):
            if shape == "card":
                part = _card(copy, index, paper.title, paper.abstract)
            else:
                part = f"{paper.title} ({copy})\n\n{paper.abstract}"
            parts.append(part)
            total += len(part.encode()) + 2
            if total >= size:
                break
    return "\n\n".join(parts).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description="parse + normalize of a big text capture "
                                                 "(see bench/README.md)")
    parser.add_argument("--mib", type=float, default=20.0, help="size of the capture in MiB")
    parser.add_argument("--shape", choices=("card", "classic"), default="card",
                        help="today's page with per-paper lines, or title/abstract pairs")
    parser.add_argument("--rounds", type=int, default=3, help="runs; the best is reported")
    args = parser.parse_args()

    data = build_capture(int(args.mib * MIB), args.shape)
    timings: list[tuple[float, float]] = []
    count = 0
    for _ in range(args.rounds):
        started = time.perf_counter()
        raw = parse(data, format="text", name="bench")
        parsed = time.perf_counter()
        count = sum(1 for _ in map(normalize, raw.papers))
        timings.append((parsed - started, time.perf_counter() - parsed))
    parse_s, normalize_s = min(timings, key=sum)
    print(f"{args.shape} capture: {len(data) / MIB:.1f} MiB, {count:,} papers; "
          f"parse {parse_s:.2f} s + normalize {normalize_s:.2f} s = "
          f"{parse_s + normalize_s:.2f} s (best of {args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
