"""The URLs a list of papers is shown under, built in one place so that feed self links,
the web page's feed URLs, OPML outlines and autodiscovery links never drift apart.

A list's canonical parameters are those that differ from their defaults, with q in its
canonical form, in a fixed order: `?q=LLM agents` and `?q=agents  llm` are one URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from .query import Query

FEED_LIMIT = 50  # items in a feed unless `limit` says otherwise


def query_string(params: dict[str, Any]) -> str:
    return ("?" + urlencode(params)) if params else ""


def keyword_path(q: Query) -> str:
    """The keyword URL segment of a query: its canonical form, spaces as '+'."""
    return quote(q.canonical(), safe=":-").replace("%20", "+")


def list_params(q: Query, scope: str, limit: int = FEED_LIMIT) -> dict[str, Any]:
    """The canonical parameters of a list."""
    params: dict[str, Any] = {}
    if q:
        params["q"] = q.canonical()
    if limit != FEED_LIMIT:
        params["limit"] = limit
    if scope != "current":
        params["scope"] = scope
    return params


def page_url(base: str, q: Query, scope: str) -> str:
    """The web page that shows the same list."""
    return f"{base}/{query_string(list_params(q, scope))}"


def trending_url(base: str, format: str, q: Query, scope: str) -> str:
    """The feed of the same list (default limit): the self link that feed will carry."""
    return f"{base}/feeds/trending.{format}{query_string(list_params(q, scope))}"


def keyword_url(base: str, format: str, q: Query) -> str:
    """The keyword-path form of the feed of `q` (a non-empty query)."""
    return f"{base}/feeds/keyword/{keyword_path(q)}.{format}"
