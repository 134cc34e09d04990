"""The web pages: the list (search box, syntax help, feed-URL builder with the daily
digest, autodiscovery), one paper's page (AI summary, abstract, links, counts, dates, its
rank history as a server-drawn SVG chart, the feeds and digests of its keywords), and the
few static files they use (a style sheet, the copy buttons' script, an icon).

The pages are cached like the feeds (`cached()`: data version, strong ETag, 304); their
errors never are: a browser gets the list page with a malformed `q` shown on it (400), or
an error page (error_pages.py), any other client problem+json. Every response from here
carries a Content-Security-Policy that lets only this origin's scripts and styles run (the
templates hold no inline script, style or event handler) and images load from this
origin and the hosts of the thumbnails shown (page_frame.py), `nosniff` and a
Referrer-Policy. Links between the pages are relative, so they work under any host
name the service is reached by (the CSP's 'self' is that host); the feed, OPML and API URLs
a visitor copies are absolute, from TRENDFEED_BASE_URL like the feeds' own self links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.blueprints import BlueprintSetupState

from .. import query
from ..chart import rank_chart
from ..http.args import PageArgs, load
from ..http.caching import Rendered, cached, request_base
from ..http.problems import ERROR_PAGES, ErrorPages, Problem, prefers_html
from ..listing import Listing
from ..model import Paper
from ..urls import (
    arxiv_title_search,
    digest_url,
    keyword_url,
    list_params,
    query_string,
    trending_url,
)
from . import error_pages, services
from .page_frame import (
    HTML,
    SECURITY_HEADERS,
    STATIC,
    page_headers,
    shown,
    shown_thumbnail,
    static_file,
    static_url,
)
from .page_text import authors_brief, rank_change, snippet

bp = Blueprint("pages", __name__)

PAGE_LIMIT = 200  # papers on the list page (the API's largest page: the same list)
# (format, label, media type) of the feeds a page offers
FEED_LINKS = (("atom", "Atom", "application/atom+xml"), ("rss", "RSS", "application/rss+xml"),
              ("json", "JSON Feed", "application/feed+json"))
# The syntax help's examples: (query, what it finds); each is a link that runs it.
EXAMPLES = (
    ("diffusion -video", "diffusion, but not video"),
    ('"neural operator"', "the phrase"),
    ("diffusion OR flow", "either word"),
    ("title:transformer has:code", "in the title, with code"),
    ("author:smith", "by an author"),
    ("upvotes:>=50", "50 upvotes or more"),
)
STATIC_MAX_AGE = 365 * 86400  # URLs carry the file's hash (?v=), so they may be kept long


@bp.after_request
def _security_headers(response: Response) -> Response:
    # A cached page brings its own CSP (the thumbnails it shows): kept. A 304 gets none:
    # a browser updates its stored copy's headers from a 304's, and a CSP without the
    # page's thumbnail hosts would block them when the stored page is shown again.
    if response.status_code == 304:
        return response
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


@bp.record_once
def _register_error_pages(state: BlueprintSetupState) -> None:
    """A browser asking for a page gets an HTML error page (SPEC 6); see error_pages."""
    state.app.extensions[ERROR_PAGES] = ErrorPages(serves=error_pages.serves,
                                                   render=error_pages.render)


# -- static files ---------------------------------------------------------------------


@bp.get("/static/<name>")
def static(name: str) -> Response:
    """A file of service/static/ by its exact name (no paths, nothing unlisted)."""
    if name not in STATIC:
        raise Problem(404, f"no static file {name[:100]!r}", errors={"name": ["unknown"]})
    body, digest = static_file(name)
    response = Response(body, content_type=STATIC[name])
    response.set_etag(digest)
    response.cache_control.public = True
    response.cache_control.max_age = STATIC_MAX_AGE
    response.cache_control.immutable = True
    response.make_conditional(request)  # in place: 304 when the ETag matches
    del response.headers["Date"]  # (Werkzeug adds one; the HTTP server adds its own)
    return response


# -- the list page --------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    """The latest list (or the whole history), filtered by q, with its feed URLs. A bad q
    is shown to a browser on the page itself (status 400, never cached); any other client
    gets the problem+json every other route answers."""
    raw_q = shown(request.args.get("q", ""))
    try:
        args = load(PageArgs())
    except Problem as problem:
        if not prefers_html():
            raise
        body = render_template("index.html", **_index_context(
            raw_q[:1000], query.Query(), "current", problem.description or "bad request"))
        response = Response(body, status=400, content_type=HTML)
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Accept")
        return response
    # The page shows q as typed, so the typed text is part of the key (a valid q has at
    # most 256 characters); its canonical form follows from it.
    return cached((raw_q, args["scope"]), lambda: _index_body(raw_q, args["q"], args["scope"]))


def _index_body(raw_q: str, q: query.Query, scope: str) -> Rendered:
    context = _index_context(raw_q, q, scope, None)
    body = render_template("index.html", **context)
    return body.encode(), HTML, page_headers(context["papers"])


# Where a feed URL shown for copying may wrap: after a '/', '?' or '&' (not inside '//'),
# never inside a word such as "trending.atom".
_URL_BREAKS = re.compile(r"(?<=[/?&])(?!/)")


@dataclass(frozen=True)
class FeedUrl:
    label: str
    media_type: str
    url: str

    @property
    def segments(self) -> list[str]:
        """The URL in the pieces its box may wrap between (each piece never breaks)."""
        return [piece for piece in _URL_BREAKS.split(self.url) if piece]


def _index_context(raw_q: str, q: query.Query, scope: str, error: str | None) -> dict[str, Any]:
    svc = services()
    base = request_base()
    store = svc.store
    papers: list[Paper] = []
    total = 0
    if error is None:
        listing = Listing(q, scope)
        papers = store.papers(listing, limit=PAGE_LIMIT)
        total = len(papers) if len(papers) < PAGE_LIMIT else store.count(listing)
    latest = store.latest_snapshot()
    # "new" means first seen in the latest list; on the very first list every paper is.
    mark_new = latest is not None and store.count_snapshots() > 1
    feeds = [FeedUrl(label, media_type, trending_url(base, fmt, q, scope))
             for fmt, label, media_type in FEED_LINKS]
    # A keyword URL is a path, for readers that drop query strings; it names the latest
    # list only (a path has no scope), so a search of every paper seen offers none.
    keyword_feeds = [FeedUrl(label, media_type, keyword_url(base, fmt, q))
                     for fmt, label, media_type in FEED_LINKS] if q and scope == "current" else []
    # The digest has no scope: it names the papers each day brought, whatever the page's.
    digests = [FeedUrl(label, media_type, digest_url(base, "daily", fmt, q))
               for fmt, label, media_type in FEED_LINKS]
    api_params: dict[str, Any] = {"q": q.canonical()} if q else {}
    if scope != "current":
        api_params["scope"] = scope
    api_params["limit"] = PAGE_LIMIT
    return {
        "root": "./", "base": base, "raw_q": raw_q.strip(), "input_q": raw_q,
        "canonical_q": q.canonical(), "scope": scope, "error": error,
        "papers": papers, "total": total, "limit": PAGE_LIMIT, "latest": latest,
        "mark_new": mark_new, "new_ids": {p.id for p in papers if mark_new and is_new(p)},
        "feeds": [] if error else feeds, "keyword_feeds": [] if error else keyword_feeds,
        "digests": [] if error else digests,
        "opml_url": f"{base}/feeds.opml{query_string(list_params(q, scope))}" if q else None,
        "api_url": f"{base}/api/v1/papers{query_string(api_params)}",
        "examples": [(example, meaning, _example_href(example, scope))
                     for example, meaning in _examples(store, papers, scope)],
    }


def _examples(store: Any, papers: list[Paper], scope: str) -> list[tuple[str, str]]:
    """The syntax help's examples that find something here: each is kept only when it
    matches a paper in this scope, and the author example names an author shown."""
    authors = [p.authors[0].split()[-1] for p in papers if p.authors and p.authors[0].split()]
    shown = f"author:{authors[0].lower()}" if authors and authors[0].isalpha() else None
    candidates = [(shown, meaning) if shown and example.startswith("author:")
                  else (example, meaning) for example, meaning in EXAMPLES]
    found = []
    for example, meaning in candidates:
        try:  # (a surname of 250 letters is longer than a query may be)
            parsed = query.parse(example)
        except query.QueryError:
            continue
        if store.papers(Listing(parsed, scope), limit=1):  # (not a count: any one will do)
            found.append((example, meaning))
    return found


def is_new(paper: Paper) -> bool:
    """First seen in the latest list: it is on that list, and on no earlier one."""
    return paper.rank is not None and paper.appearances == 1


def _example_href(example: str, scope: str) -> str:
    params = {"q": example, **({"scope": scope} if scope != "current" else {})}
    return "./" + query_string(params)


# -- one paper's page -----------------------------------------------------------------


@bp.get("/papers/<path:paper_id>", merge_slashes=False)
def paper(paper_id: str) -> Response:
    """A paper by its id or its arXiv id (the same page)."""
    return cached(paper_id, lambda: _paper_body(paper_id))


def _paper_body(paper_ref: str) -> Rendered:
    svc = services()
    found = svc.store.paper(paper_ref)
    if found is None:
        raise Problem(404, f"no paper with id {paper_ref[:200]!r}",
                      errors={"id": ["unknown paper"]})
    history = svc.store.history(found.id)
    base = request_base()
    body = render_template(
        # Relative links climb out of the ref as requested: a pasted URL keeps its slashes
        # (/papers/https://arxiv.org/abs/ID is five folders deep).
        "paper.html", root="../" * (1 + paper_ref.count("/")), base=base,
        paper=found, history=history,
        chart=rank_chart(history), keyword_feeds=keyword_feeds(base, found),
        list_digest={fmt: digest_url(base, "daily", fmt, query.Query())
                     for fmt, _, _ in FEED_LINKS},
        formats=FEED_LINKS)
    return body.encode(), HTML, page_headers([found])


@dataclass(frozen=True)
class KeywordFeeds:
    keyword: str
    page_href: str  # the list page searching for it (relative to a paper page)
    urls: dict[str, str]  # format -> keyword feed URL
    digest: str  # its daily digest (Atom: what a feed-to-mail bridge reads)


def keyword_feeds(base: str, paper: Paper) -> list[KeywordFeeds]:
    """The keyword feeds of a paper's keywords: each keyword as a phrase, in any field."""
    found: list[KeywordFeeds] = []
    seen: set[str] = set()
    for keyword in paper.keywords:
        try:
            q = query.parse('"' + keyword.replace('"', " ") + '"')
        except query.QueryError:
            continue  # no words, or too many: not a feed anyone could use
        if not q or q.canonical() in seen:
            continue
        seen.add(q.canonical())
        found.append(KeywordFeeds(
            keyword, "../" + query_string({"q": q.canonical()}),
            {fmt: keyword_url(base, fmt, q) for fmt, _, _ in FEED_LINKS},
            digest_url(base, "daily", "atom", q)))
    return found


bp.add_app_template_filter(authors_brief)
bp.add_app_template_filter(snippet)


@bp.app_context_processor
def _page_helpers() -> dict[str, Any]:
    # app-wide: the error pages also render outside this blueprint (an unknown address)
    return {"static_url": static_url, "arxiv_title_search": arxiv_title_search,
            "rank_change": rank_change, "thumbnail": shown_thumbnail}
