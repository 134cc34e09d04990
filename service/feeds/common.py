"""What every feed format renders from, and the Paper -> feed item mapping."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

from ..model import Paper
from ..represent import rfc3339
from ..urls import arxiv_title_search, query_string

TAG_AUTHORITY = "tag:trendfeed,2026:"  # RFC 4151; fixed forever so item ids never change
GENERATOR = "trendfeed"


@dataclass(frozen=True)
class FeedData:
    title: str
    description: str
    self_url: str  # absolute, canonical, the URL the feed is fetched from
    page_url: str  # the web page showing the same list
    feed_id: str
    updated: dt.datetime  # naive UTC: the latest snapshot's ingest time
    base_url: str
    papers: tuple[Paper, ...]


def aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC, microsecond=0)


def item_id(paper: Paper) -> str:
    """Host-independent and permanent: built from the paper id only."""
    return f"{TAG_AUTHORITY}paper/{paper.id}"


def feed_id(path: str, params: dict[str, Any]) -> str:
    """Host-independent: the feed's path and canonical parameters but `limit` (which only
    trims the list), as its self link writes them. Both are percent-encoded already, so
    they are not encoded again: a quoted keyword's id once read `%2522` where its self
    link read `%22` (ids holding no `%` are unchanged by that fix)."""
    kept = {name: value for name, value in params.items() if name != "limit"}
    return f"{TAG_AUTHORITY}feed{path}{query_string(kept)}"


def item_link(paper: Paper, base_url: str) -> str:
    return paper.url or f"{base_url}/papers/{paper.id}"


def _link_list(label: str, urls: tuple[str, ...]) -> str:
    anchors = ", ".join(f'<a href="{html.escape(u, quote=True)}">{html.escape(u)}</a>'
                        for u in urls)
    return f"<p>{label}: {anchors}</p>"


def item_html(paper: Paper) -> str:
    """The item body: the abstract, authors and links, everything from the source escaped."""
    parts = [f"<p>{html.escape(paper.abstract)}</p>"]
    if paper.authors:
        parts.append(f"<p>Authors: {html.escape(', '.join(paper.authors))}</p>")
    if paper.published:
        parts.append(f"<p>Published: {paper.published.date().isoformat()}</p>")
    for label, urls in (("Code", paper.links.code), ("Project page", paper.links.project)):
        if urls:
            parts.append(_link_list(label, urls))
    if paper.arxiv_abs_url and paper.arxiv_pdf_url:
        parts.append(_link_list("arXiv", (paper.arxiv_abs_url, paper.arxiv_pdf_url)))
    else:  # a text capture's paper: its way to the paper itself
        search = html.escape(arxiv_title_search(paper.title), quote=True)
        parts.append(f'<p>arXiv: <a href="{search}">search arXiv for this title</a></p>')
    # Nothing that moves with the ranking goes here: a reader that compares bodies would
    # show the item again. Rank and appearances travel in the JSON Feed extension only.
    return "".join(parts)


def item_extension(paper: Paper) -> dict[str, Any]:
    """JSON Feed's `_trendfeed` item object: what moves with the ranking lives here."""
    links: dict[str, Any] = paper.links.as_dict()
    if paper.arxiv_id:
        links.update(arxiv=paper.arxiv_abs_url, pdf=paper.arxiv_pdf_url)
    return {"rank": paper.rank, "best_rank": paper.best_rank, "appearances": paper.appearances,
            "upvotes": paper.upvotes,
            "published": rfc3339(paper.published) if paper.published else None,
            "links": links, "arxiv_id": paper.arxiv_id}
