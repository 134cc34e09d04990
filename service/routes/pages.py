"""The web pages: the list (search box, syntax help, feed-URL builder, autodiscovery), one
paper's page (abstract, links, dates, its rank history as a server-drawn SVG chart, the
feeds of its keywords), and the few static files they use (a style sheet, the copy
buttons' script, an icon).

The pages are cached like the feeds (`cached()`: data version, strong ETag, 304), except a
list page answering a malformed `q` (status 400, shown on the page, never cached). Every
response from here carries a Content-Security-Policy that lets only this origin's scripts
and styles run (the templates hold no inline script, style or event handler), `nosniff`
and a Referrer-Policy. Links between the pages are relative, so they work under any host
name the service is reached by (the CSP's 'self' is that host); the feed, OPML and API URLs
a visitor copies are absolute, from TRENDFEED_BASE_URL like the feeds' own self links.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from .. import query
from ..chart import rank_chart
from ..http.args import PageArgs, load
from ..http.caching import Rendered, cached
from ..http.problems import Problem
from ..listing import Listing
from ..model import Paper
from ..urls import keyword_url, list_params, query_string, trending_url
from . import services

bp = Blueprint("pages", __name__)

PAGE_LIMIT = 200  # papers on the list page (the API's largest page: the same list)
HTML = "text/html; charset=utf-8"
URL_CHARS_PER_LINE = 36  # of a feed URL field, in the feeds panel's width
SNIPPET_CHARS = 240  # the abstract's opening lines shown before it is expanded
SECURITY_HEADERS = (
    ("Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
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
# The static files: name -> media type. Nothing else is ever served from static/.
STATIC = {"site.css": "text/css; charset=utf-8",
          "site.js": "text/javascript; charset=utf-8",
          "icon.svg": "image/svg+xml"}
STATIC_MAX_AGE = 365 * 86400  # URLs carry the file's hash (?v=), so they may be kept long


@bp.after_request
def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        response.headers[name] = value
    return response


# -- static files ---------------------------------------------------------------------


@cache
def _static_file(name: str) -> tuple[bytes, str]:
    """(bytes, short hash) of a known static file, read once per process."""
    body = resources.files("service").joinpath("static", name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]


def static_url(root: str, name: str) -> str:
    """The relative URL of a static file, versioned by its content."""
    return f"{root}static/{name}?v={_static_file(name)[1]}"


@bp.get("/static/<name>")
def static(name: str) -> Response:
    """A file of service/static/ by its exact name (no paths, nothing unlisted)."""
    if name not in STATIC:
        raise Problem(404, f"no static file {name[:100]!r}", errors={"name": ["unknown"]})
    body, digest = _static_file(name)
    response = Response(body, content_type=STATIC[name])
    response.set_etag(digest)
    response.cache_control.public = True
    response.cache_control.max_age = STATIC_MAX_AGE
    response.cache_control.immutable = True
    response.make_conditional(request)  # in place: 304 when the ETag matches
    del response.headers["Date"]  # (Werkzeug adds one; the HTTP server adds its own)
    return response


# -- the list page --------------------------------------------------------------------


# What the page never echoes from a typed q: characters HTML forbids (C0 and C1
# controls but tab/newline, noncharacters, lone surrogates) and the bidi embedding and
# override controls that would reorder the rest of the line around them.
_NOT_SHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                        "\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _shown(typed: str) -> str:
    return _NOT_SHOWN.sub("", typed)


@bp.get("/")
def index() -> Response:
    """The latest list (or the whole history), filtered by q, with its feed URLs. A bad q
    is shown on the page (status 400) rather than as problem+json: people read this one."""
    raw_q = _shown(request.args.get("q", ""))
    try:
        args = load(PageArgs())
    except Problem as problem:
        body = render_template("index.html", **_index_context(
            raw_q[:1000], query.Query(), "current", problem.description or "bad request"))
        response = Response(body, status=400, content_type=HTML)
        response.headers["Cache-Control"] = "no-store"
        return response
    # The page shows q as typed, so the typed text is part of the key (a valid q has at
    # most 256 characters); its canonical form follows from it.
    return cached((raw_q, args["scope"]), lambda: _index_body(raw_q, args["q"], args["scope"]))


def _index_body(raw_q: str, q: query.Query, scope: str) -> Rendered:
    body = render_template("index.html", **_index_context(raw_q, q, scope, None))
    return body.encode(), HTML, SECURITY_HEADERS


@dataclass(frozen=True)
class FeedUrl:
    label: str
    media_type: str
    url: str

    @property
    def rows(self) -> int:
        """Lines its read-only field needs to show the whole URL in the feeds panel."""
        return min(4, -(-len(self.url) // URL_CHARS_PER_LINE))


def _index_context(raw_q: str, q: query.Query, scope: str, error: str | None) -> dict[str, Any]:
    svc = services()
    base = svc.config.base
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
    keyword_feeds = [FeedUrl(label, media_type, keyword_url(base, fmt, q)
                             + query_string(list_params(query.Query(), scope)))
                     for fmt, label, media_type in FEED_LINKS] if q else []
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
        "opml_url": f"{base}/feeds.opml?{urlencode({'q': q.canonical()})}" if q else None,
        "api_url": f"{base}/api/v1/papers{query_string(api_params)}",
        "examples": [(example, meaning, _example_href(example, scope))
                     for example, meaning in EXAMPLES],
    }


def is_new(paper: Paper) -> bool:
    """First seen in the latest list: it is on that list, and on no earlier one."""
    return paper.rank is not None and paper.appearances == 1


def _example_href(example: str, scope: str) -> str:
    params = {"q": example, **({"scope": scope} if scope != "current" else {})}
    return "./" + query_string(params)


@bp.app_template_filter("snippet")
def snippet(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The opening of `text`, cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= chars:
        return text
    cut = text[:chars].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return (cut or text[:chars]) + "…"


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
    body = render_template(
        "paper.html", root="../", base=svc.config.base, paper=found, history=history,
        chart=rank_chart(history), keyword_feeds=keyword_feeds(svc.config.base, found),
        formats=FEED_LINKS)
    return body.encode(), HTML, SECURITY_HEADERS


@dataclass(frozen=True)
class KeywordFeeds:
    keyword: str
    page_href: str  # the list page searching for it (relative to a paper page)
    urls: dict[str, str]  # format -> keyword feed URL


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
            {fmt: keyword_url(base, fmt, q) for fmt, _, _ in FEED_LINKS}))
    return found


@bp.context_processor
def _page_helpers() -> dict[str, Any]:
    return {"static_url": static_url}
