"""The digest feeds (SPEC 6): one item per list day (daily) or ISO week (weekly), the
papers that arrived in it matching the query, best rank first. Pure: list days and
arrivals (store/digests.py) in, bytes out, through the same channel set-up as every feed.

A period is shown once it is over, and then never changes: when a later period has a
list, or when its own last list was ingested after it ended (a list filed for a past
day). The period still open, today or this week, has no item yet. A mail bridge
(rss2email) mails an id once: an item shown while its period is open would be mailed
with the papers of the first list and never with those arriving after it (or, trusting
content over ids, mailed again at every list). So an item's id, date and papers are
fixed when it first appears: the id is the period and the canonical query, the date the
ingest time of the period's last list, the papers those that arrived in it with their
best rank and most upvotes within it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..model import Paper
from ..represent import rfc3339
from ..urls import query_string
from .channel import build
from .common import TAG_AUTHORITY, FeedData, aware, item_link
from .jsonfeed import render_jsonfeed

PERIODS = ("daily", "weekly")
_LENGTH = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
SUMMARY_CHARS = 300  # the most of an abstract's first sentence an item quotes
_SENTENCE = re.compile(r"(.+?[.!?])(?=\s+[A-Z(\"'])", re.DOTALL)


class DayRank(Protocol):
    rank: int
    upvotes: int | None


class Arrival(Protocol):
    """A paper, the list day it arrived on, and its best rank and upvotes per list day."""

    paper: Paper
    day: dt.date
    days: Mapping[dt.date, DayRank]


@dataclass(frozen=True)
class Period:
    kind: str  # daily or weekly
    start: dt.date  # its first day
    last_ingested: dt.datetime  # the ingest time of its last list: the item's date

    @property
    def end(self) -> dt.date:
        """The day after its last."""
        return self.start + _LENGTH[self.kind]

    @property
    def key(self) -> str:
        """`2026-03-17`, or the ISO week `2026-W12`."""
        if self.kind == "daily":
            return self.start.isoformat()
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


def period_start(day: dt.date, kind: str) -> dt.date:
    return day if kind == "daily" else day - dt.timedelta(days=day.weekday())


def days_to_read(kind: str, limit: int) -> int:
    """How many of the latest list days hold the latest `limit` periods that are over
    (one more period, for the one that may still be open)."""
    return (limit + 1) * _LENGTH[kind].days


def closed_periods(days: Sequence[tuple[dt.date, dt.datetime]], kind: str,
                   limit: int) -> list[Period]:
    """The latest `limit` periods that are over, newest first, from list days (newest
    first) and the ingest time of each day's last list."""
    last: dict[dt.date, dt.datetime] = {}
    for day, ingested in days:
        start = period_start(day, kind)
        last[start] = max(last.get(start, ingested), ingested)
    periods = [Period(kind, start, ingested) for start, ingested in last.items()]
    if periods and periods[0].last_ingested < dt.datetime.combine(periods[0].end, dt.time()):
        periods = periods[1:]  # no later list, and its lists came before it ended: open
    return periods[:limit]


@dataclass(frozen=True)
class DigestPaper:
    paper: Paper
    rank: int  # its best rank in the period
    upvotes: int | None  # its most upvotes on the period's lists (None: unknown)


@dataclass(frozen=True)
class DigestItem:
    period: Period
    papers: tuple[DigestPaper, ...]  # best rank first, at most `top`
    total: int  # how many arrived in the period


def digest_items(periods: Sequence[Period], arrivals: Sequence[Arrival],
                 top: int) -> list[DigestItem]:
    """One item per period that a matching paper arrived in, newest first."""
    by_start = {period.start: period for period in periods}
    members: dict[dt.date, list[DigestPaper]] = {}
    for arrival in arrivals:
        period = by_start.get(period_start(arrival.day, periods[0].kind)) if periods else None
        if period is None:
            continue
        inside = [r for day, r in arrival.days.items() if period.start <= day < period.end]
        if not inside:
            continue
        upvotes = [r.upvotes for r in inside if r.upvotes is not None]
        members.setdefault(period.start, []).append(DigestPaper(
            arrival.paper, min(r.rank for r in inside), max(upvotes) if upvotes else None))
    items = []
    for period in periods:
        found = sorted(members.get(period.start, ()), key=lambda p: (p.rank, p.paper.id))
        if found:
            items.append(DigestItem(period, tuple(found[:top]), len(found)))
    return items


# -- the item -------------------------------------------------------------------------


def item_id(period: Period, query: str) -> str:
    """Host-independent and permanent: the period and the canonical query, nothing else
    (a tag URI, RFC 4151, the query percent-encoded as in a query string)."""
    return (f"{TAG_AUTHORITY}digest/{period.kind}/{period.key}"
            f"{query_string({'q': query} if query else {})}")


def _when(period: Period) -> str:
    if period.kind == "daily":
        return f"on {period.key}"
    last = period.end - dt.timedelta(days=1)
    return f"in {period.key} ({period.start.isoformat()} to {last.isoformat()})"


def item_title(item: DigestItem, query: str) -> str:
    """`trendfeed daily: 3 new papers on 2026-03-17 matching diffusion`."""
    noun = "paper" if item.total == 1 else "papers"
    matching = f" matching {query}" if query else ""
    return (f"trendfeed {item.period.kind}: {item.total} new {noun} "
            f"{_when(item.period)}{matching}")


def one_line(paper: Paper) -> tuple[str, str]:
    """(label, text): HF's machine-written summary when known, else the abstract's first
    sentence (cut at a word when it runs long)."""
    if paper.ai_summary:
        return "AI summary (machine-written)", " ".join(paper.ai_summary.split())
    text = " ".join(paper.abstract.split())
    found = _SENTENCE.match(text)
    sentence = found.group(1) if found else text
    if len(sentence) > SUMMARY_CHARS:
        sentence = sentence[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    return "Abstract", sentence


def item_html(item: DigestItem, query: str, base_url: str) -> str:
    """Each paper in brief (title linked, rank, upvotes, one line), all source text
    escaped; nothing that moves after the period is over."""
    within = "that day" if item.period.kind == "daily" else "that week"
    shown = len(item.papers)
    lead = (f"{item.total} new {'paper' if item.total == 1 else 'papers'} "
            f"{_when(item.period)}" + (f" matching {query}" if query else "")
            + f", best rank {within} first"
            + (f"; the best {shown} of them" if shown < item.total else "") + ".")
    parts = [f"<p>{html.escape(lead)}</p>", "<ul>"]
    for entry in item.papers:
        paper = entry.paper
        link = html.escape(item_link(paper, base_url), quote=True)
        facts = f"#{entry.rank} {within}"
        if entry.upvotes is not None:
            facts += f", {entry.upvotes} upvotes"
        if paper.organization:
            facts += f", {paper.organization}"
        label, text = one_line(paper)
        parts.append(f'<li><p><a href="{link}">{html.escape(paper.title)}</a>'
                     f" ({html.escape(facts)})</p>"
                     f"<p>{html.escape(label)}: {html.escape(text)}</p></li>")
    parts.append("</ul>")
    return "".join(parts)


def item_extension(item: DigestItem, base_url: str) -> dict[str, Any]:
    """JSON Feed's `_trendfeed` object of a digest item."""
    return {"about": f"{base_url}/docs", "period": item.period.kind, "key": item.period.key,
            "start": item.period.start.isoformat(),
            "last_day": (item.period.end - dt.timedelta(days=1)).isoformat(),
            "total": item.total,
            "papers": [{"id": p.paper.id, "title": p.paper.title,
                        "url": item_link(p.paper, base_url), "rank": p.rank,
                        "upvotes": p.upvotes, "arxiv_id": p.paper.arxiv_id}
                       for p in item.papers]}


# -- the feed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    channel: FeedData  # the feed's own fields; its papers are not used
    query: str  # canonical; "" for none
    items: tuple[DigestItem, ...]


def _xml(digest: Digest, *, atom: bool) -> bytes:
    gen = build(digest.channel, atom=atom)
    for item in digest.items:
        entry = gen.add_entry(order="append")
        identity = item_id(item.period, digest.query)
        entry.id(identity)
        entry.guid(identity, permalink=False)
        entry.title(item_title(item, digest.query))
        entry.link(href=digest.channel.page_url, rel="alternate", type="text/html")
        entry.published(aware(item.period.last_ingested))
        entry.updated(aware(item.period.last_ingested))
        body = item_html(item, digest.query, digest.channel.base_url)
        if atom:
            entry.content(body, type="html")
        else:
            entry.description(body)
    return bytes(gen.atom_str(pretty=True) if atom else gen.rss_str(pretty=True))


def _json(digest: Digest) -> bytes:
    document = json.loads(render_jsonfeed(digest.channel))
    base = digest.channel.base_url
    document["items"] = [{
        "id": item_id(item.period, digest.query),
        "url": digest.channel.page_url,
        "title": item_title(item, digest.query),
        "content_html": item_html(item, digest.query, base),
        "date_published": rfc3339(item.period.last_ingested),
        "date_modified": rfc3339(item.period.last_ingested),
        "_trendfeed": item_extension(item, base),
    } for item in digest.items]
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


DIGEST_RENDERERS: dict[str, Callable[[Digest], bytes]] = {
    "rss": lambda digest: _xml(digest, atom=False),
    "atom": lambda digest: _xml(digest, atom=True),
    "json": _json,
}
