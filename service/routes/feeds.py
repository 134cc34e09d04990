"""The feeds: /feeds/trending.<fmt>, /feeds/keyword/<keyword>.<fmt> and /feeds.opml."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response

from .. import query
from ..feeds import FORMATS, FeedData, render_opml
from ..feeds.common import TAG_AUTHORITY
from ..feeds.opml import Outline
from ..http.args import FEED_LIMIT, FeedArgs, OpmlArgs, load
from ..http.caching import cached
from ..http.problems import Problem, validation_problem
from . import services

bp = Blueprint("feeds", __name__)
EPOCH = dt.datetime(1970, 1, 1)


def keyword_path(q: query.Query) -> str:
    """The keyword URL segment of a query: its canonical form, spaces as '+'."""
    return quote(q.canonical(), safe=":-").replace("%20", "+")


def _query_string(params: dict[str, Any]) -> str:
    return ("?" + urlencode(params)) if params else ""


def list_params(q: query.Query, scope: str, limit: int = FEED_LIMIT) -> dict[str, Any]:
    """The canonical parameters of a list: those that differ from their defaults, q in
    its canonical form, in a fixed order."""
    params: dict[str, Any] = {}
    if q:
        params["q"] = q.canonical()
    if limit != FEED_LIMIT:
        params["limit"] = limit
    if scope != "current":
        params["scope"] = scope
    return params


def page_url(base: str, q: query.Query, scope: str) -> str:
    """The web page that shows the same list."""
    return f"{base}/{_query_string(list_params(q, scope))}"


def trending_url(base: str, format: str, q: query.Query, scope: str) -> str:
    """The feed of the same list (default limit): the self link that feed will carry."""
    return f"{base}/feeds/trending.{format}{_query_string(list_params(q, scope))}"


def _feed_params(args: dict[str, Any], with_q: bool) -> dict[str, Any]:
    return list_params(args["q"] if with_q else query.Query(), args["scope"], args["limit"])


def _check_format(format: str) -> None:
    if format not in FORMATS:
        message = f"unknown feed format {format!r}: use rss, atom or json"
        raise Problem(404, f"format: {message}", errors={"format": [message]})


def _render(format: str, args: dict[str, Any], path: str, params: dict[str, Any]) -> Response:
    q: query.Query = args["q"]
    key = (path, q.canonical(), args["limit"], args["scope"])
    return cached(key, lambda: _feed_body(format, args, path, params))


def _feed_body(format: str, args: dict[str, Any], path: str,
               params: dict[str, Any]) -> tuple[bytes, str]:
    svc = services()
    base = svc.config.base
    q: query.Query = args["q"]
    papers = svc.store.query_papers(q, scope=args["scope"], limit=args["limit"])
    latest = svc.store.latest_snapshot()
    what = f"papers matching {q.canonical()}" if q else "trending papers"
    scope = "all papers seen" if args["scope"] == "all" else "the latest trending list"
    feed = FeedData(
        title=f"trendfeed: {what}",
        description=f"trendfeed: {what}, from {scope}",
        self_url=f"{base}{path}{_query_string(params)}",
        page_url=page_url(base, q, args["scope"]),
        feed_id=TAG_AUTHORITY + "feed" + quote(path + _query_string(_feed_id_params(params)),
                                               safe="/?=&+:-."),
        updated=latest.ingested_at if latest else EPOCH,
        base_url=base,
        papers=tuple(papers),
    )
    content_type, render = FORMATS[format]
    return render(feed), content_type


def _feed_id_params(params: dict[str, Any]) -> dict[str, Any]:
    # The same list in another format is the same feed; limit only trims it.
    return {k: v for k, v in params.items() if k != "limit"}


@bp.get("/feeds/trending.<fmt:format>")
def trending(format: str) -> Response:
    _check_format(format)
    args = load(FeedArgs())
    return _render(format, args, f"/feeds/trending.{format}", _feed_params(args, with_q=True))


@bp.get("/feeds/keyword/<kw:keyword>.<fmt:format>")
def keyword(keyword: str, format: str) -> Response:
    _check_format(format)
    args = load(FeedArgs())
    try:
        args["q"] = query.parse(keyword.replace("+", " "))
    except query.QueryError as exc:
        raise validation_problem({"keyword": [str(exc)]}) from None
    if not args["q"]:
        raise validation_problem({"keyword": ["is empty: name at least one word"]})
    path = f"/feeds/keyword/{keyword_path(args['q'])}.{format}"
    return _render(format, args, path, _feed_params(args, with_q=False))


@bp.get("/feeds.opml")
def opml() -> Response:
    args = load(OpmlArgs(), lists=("q",))
    queries: list[query.Query] = []
    for q in args["q"]:
        if not q:
            raise validation_problem({"q": ["every q must name at least one word"]})
        if q not in queries:
            queries.append(q)
    return cached(tuple(q.canonical() for q in queries), lambda: _opml_body(queries))


def _opml_body(queries: list[query.Query]) -> tuple[bytes, str]:
    base = services().config.base
    outlines = [Outline(text=q.canonical(),
                        xml_url=f"{base}/feeds/keyword/{keyword_path(q)}.atom",
                        html_url=page_url(base, q, "current"))
                for q in queries]
    return render_opml("trendfeed keyword feeds", outlines), "text/x-opml; charset=utf-8"
