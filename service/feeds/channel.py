"""feedgen set-up shared by RSS and Atom: the same channel and items for both."""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .common import GENERATOR, FeedData, aware, item_html, item_id, item_link


class RelatedLinks(BaseEntryExtension):  # type: ignore[misc]
    """Atom `link rel="related"` elements for an entry. feedgen 1.0 writes only the href
    of an entry's links (its FeedEntry.atom_entry loses rel and type to a shadowed
    variable), which would make every link an `alternate`; this extension adds the
    related ones with their attributes, through lxml like feedgen itself."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def related(self, href: str, type: str, title: str) -> None:
        self.links.append({"href": href, "rel": "related", "type": type, "title": title})

    def extend_atom(self, entry: Any) -> Any:
        for link in self.links:
            etree.SubElement(entry, "link", **link)
        return entry


def build(feed: FeedData, *, atom: bool) -> FeedGenerator:
    gen = FeedGenerator()
    if not atom:  # (an extension is made again for every entry, used or not)
        gen.load_extension("dc", atom=False, rss=True)
    gen.load_extension("media", atom=True, rss=True)  # media:thumbnail (Media RSS)
    gen.register_extension("trendfeed", BaseExtension, RelatedLinks, atom=True, rss=False)
    gen.id(feed.feed_id)
    gen.title(feed.title)
    gen.description(feed.description)
    gen.link(href=feed.self_url, rel="self",
             type="application/atom+xml" if atom else "application/rss+xml")
    gen.link(href=feed.page_url, rel="alternate", type="text/html")  # last: RSS <link>
    gen.language("en")
    gen.author({"name": GENERATOR})
    gen.generator(GENERATOR, uri=None, version=None)
    gen.updated(aware(feed.updated))  # also RSS lastBuildDate; never "now"
    for paper in feed.papers:
        entry = gen.add_entry(order="append")
        entry.id(item_id(paper))
        entry.guid(item_id(paper), permalink=False)
        entry.title(paper.title)
        entry.link(href=item_link(paper, feed.base_url), rel="alternate", type="text/html")
        if paper.arxiv_abs_url and paper.arxiv_pdf_url:
            entry.trendfeed.related(paper.arxiv_abs_url, "text/html", "arXiv abstract")
            entry.trendfeed.related(paper.arxiv_pdf_url, "application/pdf", "arXiv PDF")
        if paper.thumbnail:  # directly in the item, not in a media:group
            entry.media.thumbnail(url=paper.thumbnail, group=None)  # type: ignore[attr-defined]
        entry.published(aware(feed.item_date(paper)))
        entry.updated(aware(feed.item_updated(paper)))
        body = item_html(paper)
        # Lists in one call each: feedgen rebuilds an entry's whole RSS list of authors or
        # categories on every call (quadratic in a paper's keywords).
        if atom:
            entry.content(body, type="html")
            if paper.authors:
                entry.author([{"name": name} for name in paper.authors])
        else:
            entry.description(body)
            if paper.authors:
                entry.dc.dc_creator(list(paper.authors))  # type: ignore[attr-defined]
        if paper.keywords:
            entry.category([{"term": keyword} for keyword in paper.keywords])
    return gen
