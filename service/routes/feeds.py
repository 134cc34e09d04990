"""The feeds: /feeds/trending.<fmt>, /feeds/keyword/<keyword>.<fmt>,
/feeds/digest/<period>.<fmt> and /feeds.opml."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response

from .. import query
from ..feeds import RENDERERS, FeedData, render_opml
from ..feeds.common import feed_id
from ..feeds.digest import (
    DIGEST_RENDERERS,
    PERIODS,
    Digest,
    closed_periods,
    days_to_read,
    digest_items,
)
from ..feeds.opml import Outline
from ..http.args import DigestArgs, FeedArgs, OpmlArgs, load
from ..http.caching import cached, request_base
from ..http.problems import Problem, validation_problem
from ..listing import Listing
from ..model import EPOCH
from ..urls import (
    digest_params,
    feed_limit,
    keyword_feed_url,
    keyword_path,
    list_params,
    page_url,
    query_string,
)
from . import services

bp = Blueprint("feeds", __name__)


def _check_format(format: str) -> None:
    if format not in RENDERERS:
        message = f"unknown feed format {format!r}: use rss, atom or json"
        raise Problem(404, f"format: {message}", errors={"format": [message]})


def _render(format: str, args: dict[str, Any], path: str, params: dict[str, Any]) -> Response:
    q: query.Query = args["q"]
    args["limit"] = args["limit"] or feed_limit(args["scope"])
    key = (path, q.canonical(), args["limit"], args["scope"])
    return cached(key, lambda: _feed_body(format, args, path, params))


def _feed_body(format: str, args: dict[str, Any], path: str,
               params: dict[str, Any]) -> tuple[bytes, str]:
    svc = services()
    base = request_base()
    q: query.Query = args["q"]
    papers = svc.store.papers(Listing(q, args["scope"]), limit=args["limit"])
    latest = svc.store.latest_snapshot()
    # A feed that asks for more than being on a list dates each item by the first list
    # on which its paper met the feed's conditions (SPEC 6), never by its first_seen.
    trimmed = args["scope"] == "current" and latest is not None and \
        args["limit"] < latest.paper_count
    dates = svc.store.first_met([p.id for p in papers], q.upvotes,
                                args["limit"] if trimmed else None, within=q)
    what = f"papers matching {q.canonical()}" if q else "trending papers"
    scope = "all papers seen" if args["scope"] == "all" else "the latest trending list"
    feed = FeedData(
        title=f"trendfeed: {what}",
        description=f"trendfeed: {what}, from {scope}",
        self_url=f"{base}{path}{query_string(params)}",
        page_url=page_url(base, q, args["scope"]),
        feed_id=feed_id(path, params),
        updated=latest.ingested_at if latest else EPOCH,
        base_url=base,
        papers=tuple(papers),
        dates=dates,
    )
    content_type, render = RENDERERS[format]
    return render(feed), content_type


@bp.get("/feeds/trending.<fmt:format>")
def trending(format: str) -> Response:
    _check_format(format)
    args = load(FeedArgs())
    params = list_params(args["q"], args["scope"], args["limit"])
    return _render(format, args, f"/feeds/trending.{format}", params)


@bp.get("/feeds/keyword/<kw:keyword>.<fmt:format>")
def keyword(keyword: str, format: str) -> Response:
    """The feed of a keyword, narrowed by `q` when given: papers matching both. Its self
    link is the keyword-path form of the combined query."""
    _check_format(format)
    args = load(FeedArgs())
    try:
        from_path = query.parse(keyword.replace("+", " "))
    except query.QueryError as exc:
        raise validation_problem({"keyword": [str(exc)]}) from None
    if not from_path:
        raise validation_problem({"keyword": ["is empty: name at least one word"]})
    try:
        args["q"] = query.combine(from_path, args["q"])
    except query.QueryError as exc:
        raise validation_problem({"q": [str(exc)]}) from None
    path = f"/feeds/keyword/{keyword_path(args['q'])}.{format}"
    return _render(format, args, path, list_params(query.Query(), args["scope"], args["limit"]))


@bp.get("/feeds/digest/<fmt:period>.<fmt:format>")
def digest(period: str, format: str) -> Response:
    """One item per list day or ISO week that is over (feeds/digest.py says why only
    those): the papers that arrived in it matching `q`, at most `top`, best rank first."""
    if period not in PERIODS:
        message = f"unknown digest period {period!r}: use daily or weekly"
        raise Problem(404, f"period: {message}", errors={"period": [message]})
    _check_format(format)
    args = load(DigestArgs())
    path = f"/feeds/digest/{period}.{format}"
    key = (path, args["q"].canonical(), args["top"], args["limit"])
    return cached(key, lambda: _digest_body(period, format, args, path))


def _digest_body(period: str, format: str, args: dict[str, Any],
                 path: str) -> tuple[bytes, str]:
    svc = services()
    base = request_base()
    q: query.Query = args["q"]
    periods = closed_periods(svc.store.list_days(days_to_read(period, args["limit"])),
                             period, args["limit"])
    arrivals = svc.store.arrivals(q, periods[-1].start, periods[0].end - dt.timedelta(days=1)
                                  ) if periods else []
    latest = svc.store.latest_snapshot()
    what = f"papers matching {q.canonical()}" if q else "trending papers"
    unit = "list day" if period == "daily" else "week"
    params = digest_params(q, args["top"], args["limit"])
    channel = FeedData(
        title=f"trendfeed {period} digest: {what}",
        description=f"trendfeed {period} digest: one item per {unit}, the {what} new in it, "
                    "best rank first",
        self_url=f"{base}{path}{query_string(params)}",
        page_url=page_url(base, q, "all"),
        feed_id=feed_id(path, params),
        updated=latest.ingested_at if latest else EPOCH,
        base_url=base,
        papers=(),
    )
    items = digest_items(periods, arrivals, args["top"])
    body = DIGEST_RENDERERS[format](Digest(channel, q.canonical(), tuple(items)))
    return body, RENDERERS[format][0]


@bp.get("/feeds.opml")
def opml() -> Response:
    args = load(OpmlArgs(), lists=("q",))
    queries: list[query.Query] = []
    for q in args["q"]:
        if not q:
            raise validation_problem({"q": ["every q must name at least one word"]})
        if q not in queries:
            queries.append(q)
    scope: str = args["scope"]
    return cached((tuple(q.canonical() for q in queries), scope),
                  lambda: _opml_body(queries, scope))


def _opml_body(queries: list[query.Query], scope: str) -> tuple[bytes, str]:
    """One outline per query; `scope` carries into every outline's URLs (SPEC 6)."""
    base = request_base()
    outlines = [Outline(text=q.canonical(), xml_url=keyword_feed_url(base, "atom", q, scope),
                        html_url=page_url(base, q, scope))
                for q in queries]
    return render_opml("trendfeed keyword feeds", outlines), "text/x-opml; charset=utf-8"
