"""What every feed format renders from, and the Paper -> feed item mapping."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    # An item's date where it is not its paper's first_seen: when the paper first met
    # the feed's conditions (an upvotes term, a limit below the list's length).
    dates: Mapping[str, dt.datetime] = field(default_factory=dict)

    def item_date(self, paper: Paper) -> dt.datetime:
        return self.dates.get(paper.id, paper.first_seen)

    def item_updated(self, paper: Paper) -> dt.datetime:
        """Atom `updated`: the last change of the text, never before the item's date."""
        return max(paper.updated, self.item_date(paper))


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


def rank_move(paper: Paper) -> str | None:
    """The rank and its move since the list before: `#3, new today`, `#3, up from #7`,
    `#5, down from #2`, `#3, 4 lists`; None for a paper not on the latest list."""
    rank, before = paper.rank, paper.previous_rank
    if rank is None:
        return None
    if before is None:
        return f"#{rank}, new today" if paper.appearances == 1 else f"#{rank}, back on the list"
    if before > rank:
        return f"#{rank}, up from #{before}"
    if before < rank:
        return f"#{rank}, down from #{before}"
    return f"#{rank}, {paper.appearances} lists"


def _count(value: int | None, one: str) -> str | None:
    if value is None:
        return None
    return f"{value:,} {one}" + ("" if value == 1 else "s")


def _a(url: str, text: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def item_html(paper: Paper) -> str:
    """The item body, everything a reader wants without a click (SPEC 6): the AI
    summary (labelled as machine-written) above the abstract, authors and organization,
    rank and its move, upvotes and comments, code with its stars, the HF page, the arXiv
    abstract and PDF (or an arXiv title search). Everything from the source escaped."""
    parts = []
    if paper.ai_summary:
        parts.append(f"<p><strong>AI summary</strong> (machine-written by Hugging Face): "
                     f"{html.escape(paper.ai_summary)}</p>")
    parts.append(f"<p>{html.escape(paper.abstract)}</p>")
    people = []
    if paper.authors:
        people.append(f"Authors: {html.escape(', '.join(paper.authors))}")
    if paper.organization:
        people.append(f"Organization: {html.escape(paper.organization)}")
    if people:
        parts.append(f"<p>{' · '.join(people)}</p>")
    standing = [found for found in (rank_move(paper), _count(paper.upvotes, "upvote"),
                                    _count(paper.comments, "comment")) if found]
    if standing:
        parts.append(f"<p>Trending: {html.escape(' · '.join(standing))}</p>")
    if paper.published:
        parts.append(f"<p>Published: {paper.published.date().isoformat()}</p>")
    if paper.links.code:
        stars = _count(paper.github_stars, "star")
        code = [_a(url, url) + (f" ({stars} on GitHub)" if stars and i == 0 else "")
                for i, url in enumerate(paper.links.code)]
        parts.append(f"<p>Code: {', '.join(code)}</p>")
    if paper.links.project:
        parts.append(_link_list("Project page", paper.links.project))
    if paper.url:
        parts.append(f"<p>Hugging Face: {_a(paper.url, 'paper page and discussion')}</p>")
    if paper.arxiv_abs_url and paper.arxiv_pdf_url:
        parts.append(_link_list("arXiv", (paper.arxiv_abs_url, paper.arxiv_pdf_url)))
    else:  # a text capture's paper: its way to the paper itself
        search = html.escape(arxiv_title_search(paper.title), quote=True)
        parts.append(f'<p>arXiv: <a href="{search}">search arXiv for this title</a></p>')
    return "".join(parts)


def item_extension(paper: Paper) -> dict[str, Any]:
    """JSON Feed's `_trendfeed` item object: what moves with the ranking lives here."""
    links: dict[str, Any] = paper.links.as_dict()
    if paper.arxiv_id:
        links.update(arxiv=paper.arxiv_abs_url, pdf=paper.arxiv_pdf_url)
    return {"rank": paper.rank, "previous_rank": paper.previous_rank,
            "best_rank": paper.best_rank, "appearances": paper.appearances,
            "upvotes": paper.upvotes, "comments": paper.comments,
            "github_stars": paper.github_stars, "organization": paper.organization,
            "ai_summary": paper.ai_summary,
            "published": rfc3339(paper.published) if paper.published else None,
            "links": links, "arxiv_id": paper.arxiv_id}
