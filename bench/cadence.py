"""The real service's history, synthesized: the trending list fetched every 15 minutes.

Pure and deterministic (one seed, one start): `Timeline(...).refreshes(count)` yields each
refresh's moment and the list as the upstream's hf-json would carry it (the bytes a
refresher fetches). The shape: about ten papers join HF's daily list each day (in the
working hours of UTC), each is in the running for 1 to 10 days, and some come back for a
second wave weeks later; the list holds the 50 with the best trending score (upvotes,
discounted by the whole days the paper has been in the running), so the bottom of the
list comes and goes and the order moves whenever upvotes move. Upvotes, GitHub stars and
comments only grow; a few papers gain a code link after their first day. At night few
upvotes arrive, so some refreshes find the very same list (same bytes: the ingest skips
it) or the same order with new counts (the ingest updates the latest list in place).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

TICK = dt.timedelta(minutes=15)
TICKS_PER_DAY = 96
START = dt.datetime(2016, 1, 1)  # every history starts here: a week is a prefix of a year
DAILY_DISCOUNT = 0.72  # the trending score of a paper per whole day in the running


@dataclass(frozen=True)
class Shape:
    """What the upstream's list looks like (the default: what HF's trending list does;
    tests use a smaller list to run faster)."""

    list_size: int = 50
    arrivals_per_day: tuple[int, int] = (10, 14)
    stay_days: tuple[int, int] = (1, 10)
    second_wave: float = 0.15  # the share of papers that trend again after leaving
    second_wave_gap_days: tuple[int, int] = (7, 56)
    second_wave_days: tuple[int, int] = (1, 3)
    warm: int = 60  # papers already in the running when the history starts


REAL = Shape()

WORDS = (  # noqa: SIM905 (a paragraph reads better than a list of strings)
    "diffusion transformer graph neural network operator learning model vision language "
    "token attention sparse efficient federated reinforcement policy agent reasoning "
    "retrieval benchmark dataset scaling inference quantization pruning kernel flow "
    "video image generation segmentation detection tracking 3d point cloud mesh physics "
    "spectral robust adversarial privacy causal bayesian optimization gradient theory "
    "multimodal speech audio music protein molecule chemistry climate weather forecasting "
    "anomaly recommendation ranking contrastive self supervised alignment preference "
    "reward instruction tuning adapter distillation compression memory long context"
).split()
FILLER = ("we propose a novel method that improves the state of the art on several tasks "  # noqa: SIM905
          "and show strong results with fewer parameters and less compute while keeping "
          "the training recipe simple and the code open").split()
GIVEN = ("Ana Wei Jonas Priya Omar Elif Hiro Lena Tariq Qing Marta Kofi Ines Dmitri Sara "  # noqa: SIM905
         "Yuki Pablo Noor Felix Chen").split()
FAMILY = ("Martin Lopez Ivanova Gonzalez Dubois Kowalski Wang Jensen Bianchi Tanaka Okafor "  # noqa: SIM905
          "Silva Novak Haddad Kim Schmidt Rossi Nguyen Papadopoulos Li").split()
ORGANIZATIONS = ("Google", "Meta AI", "NVIDIA", "Alibaba Qwen", "DeepSeek", "ByteDance Seed",
                 "Microsoft Research", "Tsinghua University", "Stanford University")


def hf_time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Trending:
    """One synthetic paper: what never changes (`entry`, an hf-json list element without
    its counts) and what grows."""

    entry: dict[str, Any]
    windows: list[tuple[int, int]]  # [start, end) ticks in the running
    popularity: float
    upvotes: int
    comments: int
    stars: int | None  # None: no code link (yet)
    code_from: int  # the tick its code link appears (its first tick: from the start)
    code_url: str | None
    encoded: tuple[str, str] | None = None

    def window(self, tick: int) -> tuple[int, int] | None:
        return next((w for w in self.windows if w[0] <= tick < w[1]), None)

    def score(self, tick: int, start: int) -> float:
        return self.upvotes * DAILY_DISCOUNT ** ((tick - start) // TICKS_PER_DAY)

    def listed(self, tick: int) -> Listed:
        """The paper in this refresh (what never changes is encoded once: encoding 50
        whole papers every refresh would cost more than everything else here)."""
        if self.encoded is None:
            paper = {k: v for k, v in self.entry["paper"].items()
                     if k not in ("githubRepo", "githubStars")}
            rest = {k: v for k, v in self.entry.items() if k != "paper"}
            self.encoded = (json.dumps(paper, ensure_ascii=False)[:-1],
                            json.dumps(rest, ensure_ascii=False)[1:-1])
        code = self.code_url is not None and tick >= self.code_from
        repo = f'"{self.code_url}", "githubStars": {self.stars}' if code else \
            'null, "githubStars": null'
        element = (f'{{"paper": {self.encoded[0]}, "upvotes": {self.upvotes}, "githubRepo": '
                   f'{repo}}}, {self.encoded[1]}, "numComments": {self.comments}}}')
        return Listed(self.entry["paper"]["id"], element, self.upvotes,
                      self.stars if code else None, self.comments)


@dataclass(frozen=True)
class Listed:
    """One paper of one refresh: its element of the JSON array and the counts in it."""

    arxiv_id: str
    element: str
    upvotes: int
    github_stars: int | None
    comments: int


@dataclass(frozen=True)
class Refresh:
    """One fetch of the trending list: when, the bytes the upstream answered, and the
    papers in them (for a loader that does not parse the bytes again)."""

    tick: int
    at: dt.datetime
    body: bytes
    listed: tuple[Listed, ...]


@dataclass
class Timeline:
    seed: int = 7
    start: dt.datetime = START
    shape: Shape = REAL
    rng: random.Random = field(init=False)
    papers: list[Trending] = field(init=False, default_factory=list)
    arxiv_counter: dict[str, int] = field(init=False, default_factory=dict)
    made: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        for _ in range(self.shape.warm):  # a list already under way when the history starts
            self._new_paper(None)

    def moment(self, tick: int) -> dt.datetime:
        return self.start + tick * TICK

    def refreshes(self, count: int) -> Iterator[Refresh]:
        """The first `count` refreshes (call once: the timeline only moves forward)."""
        for tick in range(count):
            if tick % TICKS_PER_DAY == 0:
                for _ in range(self.rng.randint(*self.shape.arrivals_per_day)):
                    self._new_paper(tick + self.rng.randint(24, 72))  # 06:00-18:00 UTC
            running = self._running(tick)
            ranked = running[:self.shape.list_size]
            self._grow(running, tick)
            listed = tuple(p.listed(tick) for p in ranked)
            body = "[" + ", ".join(e.element for e in listed) + "]"
            yield Refresh(tick, self.moment(tick), body.encode(), listed)

    def _running(self, tick: int) -> list[Trending]:
        """The papers in the running, best trending score first."""
        running = []
        for paper in self.papers:
            window = paper.window(tick)
            if window is not None:
                running.append((-paper.score(tick, window[0]), paper.entry["paper"]["id"],
                                paper))
            elif paper.windows[-1][1] == tick and self.rng.random() < self.shape.second_wave:
                begin = tick + self.rng.randint(*self.shape.second_wave_gap_days) * TICKS_PER_DAY
                days = self.rng.randint(*self.shape.second_wave_days)
                paper.windows.append((begin, begin + days * TICKS_PER_DAY))
        running.sort(key=lambda r: r[:2])
        # Papers that will never run again leave the working set.
        self.papers = [p for p in self.papers if p.windows[-1][1] >= tick]
        return [paper for _, _, paper in running]

    def _grow(self, running: list[Trending], tick: int) -> None:
        """The counts this refresh sees (the order is the previous moment's score): most
        of the day every paper gains upvotes, at night (22:00-06:00 UTC) few do."""
        hour = (tick % TICKS_PER_DAY) // 4
        active = 0.6 if 6 <= hour < 22 else 0.015
        for paper in running:
            if self.rng.random() < active:
                paper.upvotes += 1 + int(self.rng.random() * paper.popularity)
                if self.rng.random() < 0.1:
                    paper.comments += 1
                if paper.stars is not None and tick >= paper.code_from:
                    paper.stars += self.rng.randint(0, 3)

    def _arxiv_id(self, when: dt.datetime) -> str:
        month = when.strftime("%y%m")
        number = self.arxiv_counter.get(month, self.rng.randint(1, 900)) + \
            self.rng.randint(1, 40)
        self.arxiv_counter[month] = number
        return f"{month}.{number:05d}"

    def _new_paper(self, first: int | None) -> None:
        """A paper in the running from tick `first` (None: since before the start, and
        still at it)."""
        rng = self.rng
        stay = rng.randint(*self.shape.stay_days) * TICKS_PER_DAY
        first = -rng.randint(0, stay - 1) if first is None else first
        day = self.moment(first).replace(hour=0, minute=0, second=0)
        arxiv_id = self._arxiv_id(day - dt.timedelta(days=1))
        topic = rng.sample(WORDS, rng.randint(4, 9))
        self.made += 1  # in the name: titles never collide
        name = "".join(w[0] for w in rng.sample(WORDS, 3)).upper() + str(self.made)
        title = f"{name}: " + " ".join(topic).capitalize()
        sentences = []
        while sum(len(s) for s in sentences) < rng.randint(900, 1800):
            sentences.append(" ".join(rng.choice(FILLER) if rng.random() < 0.55
                                      else rng.choice(WORDS) for _ in range(rng.randint(12, 28)))
                             .capitalize() + ".")
        abstract = " ".join(sentences)
        # hard-wrapped at about 72 characters, as HF's summaries come
        wrapped, line = [], ""
        for word in abstract.split():
            if len(line) + len(word) > 72:
                wrapped.append(line)
                line = ""
            line = f"{line} {word}".strip()
        abstract = "\n".join([*wrapped, line])
        authors = [{"_id": f"{arxiv_id}-{i}", "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    "hidden": False} for i in range(rng.randint(2, 14))]
        paper: dict[str, Any] = {
            "id": arxiv_id, "authors": authors,
            "publishedAt": hf_time(day - dt.timedelta(hours=rng.randint(7, 40))),
            "submittedOnDailyAt": hf_time(day + dt.timedelta(hours=3, seconds=rng.randint(0, 3600),
                                                             milliseconds=rng.randint(0, 999))),
            "title": title, "summary": abstract,
            "ai_summary": f"The paper presents {name}, a {' '.join(topic[:3])} method that "
                          "reports gains over strong baselines.",
            "ai_keywords": rng.sample(WORDS, rng.randint(4, 12)),
            "githubRepo": None, "githubStars": None,
        }
        if rng.random() < 0.2:
            paper["projectPage"] = f"https://{name.lower()}.github.io"
        if rng.random() < 0.3:
            paper["organization"] = {"name": "org", "fullname": rng.choice(ORGANIZATIONS)}
        entry = {"paper": paper, "publishedAt": paper["submittedOnDailyAt"], "title": title,
                 "summary": abstract,
                 "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/"
                              f"{arxiv_id}.png",
                 "submittedBy": {"name": rng.choice(GIVEN).lower()}, "isAuthorParticipating":
                     rng.random() < 0.4}
        has_code = rng.random() < 0.45
        self.papers.append(Trending(
            entry=entry, windows=[(first, first + stay)],
            popularity=rng.lognormvariate(0.3, 0.8), upvotes=rng.randint(3, 40),
            comments=rng.randint(0, 3), stars=rng.randint(0, 50) if has_code else None,
            code_from=first + (TICKS_PER_DAY if rng.random() < 0.2 else 0),
            code_url=f"https://github.com/{name.lower()}/{name.lower()}" if has_code else None))
