"""The data the rest of the service passes around: frozen dataclasses, no Flask, no SQL.

`RawPaper` and `RawList` are what a source parser produces (wire format already
decoded, nothing cleaned yet); `Paper` and `Snapshot` are what the store keeps and
every output renders.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

EPOCH = dt.datetime(1970, 1, 1)  # naive UTC, like every datetime here
PAPER_ID = re.compile(r"[A-Za-z0-9._-]{1,128}", re.ASCII)  # what a paper id can look like
ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}", re.ASCII)  # a new-style arXiv id, no version


def arxiv_base(text: str) -> str | None:
    """`2403.12345` for `2403.12345` or `2403.12345v2`; None when text is no arXiv id."""
    base, v, version = text.partition("v")
    if ARXIV_ID.fullmatch(base) and (not v or version.isascii() and version.isdigit()):
        return base
    return None


# What people paste for a paper: `arxiv:ID`, an arxiv.org abs/pdf URL, a huggingface.co
# papers URL (scheme optional; a proxy may have merged its `//`), each with an optional
# version (and `.pdf`).
_REF_PREFIXES = ("arxiv:", "arxiv.org/abs/", "arxiv.org/pdf/", "www.arxiv.org/abs/",
                 "www.arxiv.org/pdf/", "huggingface.co/papers/", "hf.co/papers/")


def arxiv_ref(ref: str) -> str | None:
    """The arXiv id (no version) that `ref` names, or None: `2403.12345v2`,
    `arxiv:2403.12345`, `https://arxiv.org/abs/2403.12345v2`,
    `https://huggingface.co/papers/2403.12345`."""
    text = ref.strip()
    lowered = text.lower()
    for scheme in ("https:", "http:"):
        if lowered.startswith(scheme):
            text = text[len(scheme):].lstrip("/")
            lowered = text.lower()
            break
    for prefix in _REF_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix):]
            break
    text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    text = text.removesuffix(".pdf")
    return arxiv_base(text)


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
    published: dt.datetime | None = None  # the paper's own publication date (never a list date)
    # `Published on Mar 12` in a capture whose date has no year: resolved at ingest, the
    # most recent such day not after the list date.
    published_month_day: tuple[int, int] | None = None
    submitter: str | None = None  # who put it on the list ("Submitted by ...")
    # Today's upstream fields (SPEC 1.2), hf-json only; each optional: a bad value is
    # dropped with a warning, never a reason to refuse the entry.
    ai_summary: str | None = None  # HF's machine-written one-sentence summary
    thumbnail: str | None = None  # an http(s) image URL
    github_stars: int | None = None
    comments: int | None = None  # the discussion on the HF paper page
    organization: str | None = None
    hf_daily_at: dt.datetime | None = None  # put on HF's daily list (never a list date)
    # Where `published` was read ("line 14", "entry 3, field 'paper.publishedAt'"), for
    # the bounds check at ingest, which knows the clock; empty: `where`.
    published_where: str = field(default="", compare=False)
    # Where a capture's abstract begins ("line 16"), for its errors; empty: `where`.
    abstract_where: str = field(default="", compare=False)
    # hf-json: the fields the title and abstract came from ("title": "paper.title").
    text_fields: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SkippedEntry:
    """An invalid entry of a list that was applied without it."""

    index: int
    field: str
    message: str

    def __str__(self) -> str:  # (field "": the entry itself, e.g. not an object)
        field = f", field '{self.field}'" if self.field else ""
        return f"entry {self.index}{field}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class RawList:
    """A whole trending list as parsed from one input."""

    format: str  # "text" or "hf-json"
    papers: tuple[RawPaper, ...]
    list_date: dt.date | None = None  # text capture: from its date line, if any
    list_month_day: tuple[int, int] | None = None  # text capture date without a year
    # hf-json, entry by entry (SPEC 1.2): invalid entries left out (only when asked to
    # skip them), and the optional fields dropped, each naming its entry and field.
    skipped: tuple[SkippedEntry, ...] = ()
    warnings: tuple[str, ...] = ()
    # Where the list date was read ("line 3"), for the bounds check at ingest.
    date_where: str = field(default="", compare=False)


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
    published: dt.datetime | None = None
    submitter: str | None = None
    ai_summary: str | None = None
    thumbnail: str | None = None
    github_stars: int | None = None
    comments: int | None = None
    organization: str | None = None
    hf_daily_at: dt.datetime | None = None


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
    first_seen: dt.datetime  # when it was first on a list this service ingested
    last_seen: dt.datetime  # the ingest time of the latest snapshot holding it
    updated: dt.datetime  # last change of the paper's text
    rank: int | None
    best_rank: int
    appearances: int
    published: dt.datetime | None = None  # its own publication date, when known
    submitter: str | None = None
    last_list_date: dt.date | None = None  # the list date of that latest snapshot
    previous_rank: int | None = None  # in the snapshot before the latest (None: not on it)
    ai_summary: str | None = None
    thumbnail: str | None = None
    github_stars: int | None = None
    comments: int | None = None
    organization: str | None = None
    hf_daily_at: dt.datetime | None = None

    @property
    def url(self) -> str | None:
        if self.arxiv_id:
            return f"https://huggingface.co/papers/{self.arxiv_id}"
        return None

    @property
    def arxiv_abs_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def arxiv_pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else None


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
    """One list day of a paper's history: the day's last snapshot that held it (where and
    when, its rank and upvotes there), with its best rank that day and how many of the
    day's lists held it. At the upstream's 15-minute cadence a paper that trends for a
    week is on hundreds of lists: its history stays one entry a day."""

    snapshot_id: int
    list_date: dt.date
    ingested_at: dt.datetime
    rank: int
    upvotes: int | None
    best_rank: int  # its best rank that day
    lists: int  # how many of the day's lists held it


class DataState(NamedTuple):
    """What caches compare, in one cheap read: the data version (bumped by every write),
    the data's Last-Modified (the latest ingest time), and the store's identity (random,
    made with the store), so a store replaced by another at the same version is never
    answered from the first one's cache."""

    version: int
    modified: dt.datetime
    identity: int


@dataclass(frozen=True)
class SourceState:
    """What the refresher knows of its upstream source, shared by every process."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_attempt: dt.datetime | None = None
    last_success: dt.datetime | None = None
    last_outcome: str | None = None  # new, unchanged, not-modified, or an error kind
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    next_attempt: dt.datetime | None = None
    failures: int = 0  # consecutive failed attempts (0: the source is healthy)
    holder: str | None = None  # host:pid of the process running the refresher
    # What the last applied (or unchanged) list left out and dropped (SPEC 1.2)
    last_skipped: tuple[SkippedEntry, ...] = ()
    last_warnings: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return self.failures == 0


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did. `unchanged`: no new snapshot, because the content (`same_content`)
    or the ranked list of papers equals the latest snapshot's; `updated_count` papers had
    their text changed by it."""

    snapshot: Snapshot
    unchanged: bool
    updated_count: int = 0
    same_content: bool = False
    skipped: tuple[SkippedEntry, ...] = ()  # invalid entries left out (SPEC 1.2)
    warnings: tuple[str, ...] = ()  # optional fields dropped, naming entry and field

    def summary(self) -> str:
        """One line: `snapshot 3: 50 papers, 5 new; 1 entry skipped, 2 warnings`."""
        s = self.snapshot
        if self.unchanged and self.same_content:
            line = f"unchanged: same content as snapshot {s.id} ({s.paper_count} papers)"
        elif self.unchanged:
            line = (f"unchanged: same ranking as snapshot {s.id} ({s.paper_count} papers, "
                    f"{self.updated_count} with new text)")
        else:
            line = f"snapshot {s.id}: {s.paper_count} papers, {s.new_count} new"
        counts = [_counted(len(self.skipped), "entry skipped", "entries skipped"),
                  _counted(len(self.warnings), "warning", "warnings")]
        counts = [c for c in counts if c]
        return f"{line}; {', '.join(counts)}" if counts else line

    def details(self) -> list[str]:
        """One line per skipped entry and per warning, after the summary."""
        return [f"skipped {e}" for e in self.skipped] + \
            [f"warning: {w}" for w in self.warnings]


def _counted(count: int, one: str, many: str) -> str:
    return "" if not count else f"1 {one}" if count == 1 else f"{count} {many}"
