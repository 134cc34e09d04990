"""feedgen set-up shared by RSS and Atom: the same channel and items for both."""

from __future__ import annotations

from feedgen.feed import FeedGenerator

from .common import GENERATOR, FeedData, aware, item_html, item_id, item_link


def build(feed: FeedData, *, atom: bool) -> FeedGenerator:
    gen = FeedGenerator()
    gen.load_extension("dc", atom=False, rss=True)
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
        if atom and paper.arxiv_id:
            entry.link(href=paper.arxiv_abs_url, rel="related", type="text/html",
                       title="arXiv abstract")
            entry.link(href=paper.arxiv_pdf_url, rel="related", type="application/pdf",
                       title="arXiv PDF")
        entry.published(aware(paper.first_seen))
        entry.updated(aware(paper.updated))
        body = item_html(paper)
        if atom:
            entry.content(body, type="html")
            for name in paper.authors:
                entry.author({"name": name})
        else:
            entry.description(body)
            for name in paper.authors:
                entry.dc.dc_creator(name)  # type: ignore[attr-defined]
        for keyword in paper.keywords:
            entry.category(term=keyword)
    return gen
