"""The web pages: the list with a search box and feed URLs, and one paper's page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .. import query
from ..http.args import PageArgs, load
from ..http.problems import Problem
from ..listing import Listing
from ..urls import trending_url
from . import services

bp = Blueprint("pages", __name__)


@bp.get("/papers/<paper_id>")
def paper(paper_id: str) -> str:
    """A paper by its id or its arXiv id (the same page)."""
    svc = services()
    found = svc.store.paper(paper_id)
    if found is None:
        raise Problem(404, f"no paper with id {paper_id[:200]!r}",
                      errors={"id": ["unknown paper"]})
    return render_template("paper.html", paper=found, history=svc.store.history(found.id),
                           base=svc.config.base)


# (format, label, media type) of the feed links a page offers
FEED_LINKS = (("atom", "Atom", "application/atom+xml"), ("rss", "RSS", "application/rss+xml"),
              ("json", "JSON Feed", "application/feed+json"))


@bp.get("/")
def index() -> tuple[str, int]:
    """The latest list (or the whole history), filtered by q, with its feed URLs. A bad q
    is shown on the page (status 400) rather than as problem+json: people read this one."""
    svc = services()
    raw_q = request.args.get("q", "")[:1000]
    try:
        args = load(PageArgs())
        parsed, scope, error = args["q"], args["scope"], None
    except Problem as problem:
        parsed, scope, error = query.Query(), "current", problem.description
    feed_urls = {fmt: trending_url(svc.config.base, fmt, parsed, scope)
                 for fmt, _, _ in FEED_LINKS}
    papers = [] if error else svc.store.papers(Listing(parsed, scope), limit=200)
    body = render_template(
        "index.html", base=svc.config.base, q=parsed.canonical(), raw_q=raw_q, scope=scope,
        error=error, papers=papers, total=len(papers), latest=svc.store.latest_snapshot(),
        formats=FEED_LINKS, feed_urls=feed_urls)
    return body, 400 if error else 200
