"""The data the rest of the service passes around: frozen dataclasses, no Flask, no SQL.

`RawPaper` and `RawList` are what a source parser produces (wire format already
decoded, nothing cleaned yet); `Paper` and `Snapshot` are what the store keeps and
every output renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RawPaper:
    """One paper as a source gives it, before normalization.

    `where` names its place in the input ("line 12", "entry 3") for error messages.
    """

    title: str
    abstract: str
    where: str
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    upvotes: int | None = None
    code_url: str | None = None
    project_url: str | None = None
    listed_at: dt.datetime | None = None  # when it appeared on the list (hf-json)


@dataclass(frozen=True)
class RawList:
    """A whole trending list as parsed from one input."""

    format: str  # "text" or "hf-json"
    papers: tuple[RawPaper, ...]
    list_date: dt.date | None = None  # text capture: from its date line, if any
    list_month_day: tuple[int, int] | None = None  # text capture date without a year


@dataclass(frozen=True)
class Links:
    code: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {"code": list(self.code), "project": list(self.project), "other": list(self.other)}


@dataclass(frozen=True)
class NormalPaper:
    """A paper after normalization, not yet placed in the history."""

    title: str
    title_key: str
    slug: str
    abstract: str
    arxiv_id: str | None
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    upvotes: int | None
    links: Links
    listed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Paper:
    """A stored paper with its history summary (SPEC section 4)."""

    id: str
    title: str
    abstract: str
    arxiv_id: str | None
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    upvotes: int | None
    links: Links
    first_seen: dt.datetime
    last_seen: dt.datetime
    updated: dt.datetime  # last change of the paper's text
    rank: int | None
    best_rank: int
    appearances: int

    @property
    def url(self) -> str | None:
        if self.arxiv_id:
            return f"https://huggingface.co/papers/{self.arxiv_id}"
        return None


@dataclass(frozen=True)
class Snapshot:
    id: int
    list_date: dt.date
    ingested_at: dt.datetime
    source: str
    format: str
    sha256: str
    paper_count: int
    new_count: int


@dataclass(frozen=True)
class RankEntry:
    snapshot_id: int
    list_date: dt.date
    rank: int


@dataclass(frozen=True)
class IngestResult:
    snapshot: Snapshot
    unchanged: bool
    updated_count: int = 0

    def summary(self) -> str:
        s = self.snapshot
        if self.unchanged:
            return f"unchanged: same content as snapshot {s.id} ({s.paper_count} papers)"
        return f"snapshot {s.id}: {s.paper_count} papers, {s.new_count} new"
