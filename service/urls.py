"""The URLs a list of papers is shown under, built in one place so that feed self links,
the web page's feed URLs, OPML outlines and autodiscovery links never drift apart; and
the arXiv title search a paper without an arXiv id links to.

A list's canonical parameters are those that differ from their defaults, with q in its
canonical form, in a fixed order: `?q=LLM agents` and `?q=agents  llm` are one URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from .query import Query

# Items in a feed unless `limit` says otherwise: the whole latest list (a list holds
# about 50 papers, a capture 74; a subscriber must see all of them, or a paper that moves
# from rank 51 to 50 arrives as new, days late), or the 50 newest of every paper seen.
FEED_LIMITS = {"current": 200, "all": 50}
ARXIV_SEARCH = "https://arxiv.org/search/"
# A digest feed (SPEC 6): at most DIGEST_TOP papers per item, DIGEST_LIMIT periods.
DIGEST_TOP = 10
DIGEST_LIMIT = 30


def feed_limit(scope: str) -> int:
    return FEED_LIMITS[scope]


def query_string(params: dict[str, Any]) -> str:
    return ("?" + urlencode(params)) if params else ""


def keyword_path(q: Query) -> str:
    """The keyword URL segment of a query: its canonical form, spaces as '+'."""
    return quote(q.canonical(), safe=":-").replace("%20", "+")


def list_params(q: Query, scope: str, limit: int | None = None) -> dict[str, Any]:
    """The canonical parameters of a list (`limit` None: the scope's default)."""
    params: dict[str, Any] = {}
    if q:
        params["q"] = q.canonical()
    if limit is not None and limit != feed_limit(scope):
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


def keyword_feed_url(base: str, format: str, q: Query, scope: str) -> str:
    """The keyword-path feed of `q` over `scope`: a path alone for the latest list, with
    `?scope=all` for every paper seen (a path has no scope of its own)."""
    return keyword_url(base, format, q) + query_string(list_params(Query(), scope))


def digest_params(q: Query, top: int = DIGEST_TOP, limit: int = DIGEST_LIMIT) -> dict[str, Any]:
    """The canonical parameters of a digest feed: those that differ from the defaults."""
    params: dict[str, Any] = {"q": q.canonical()} if q else {}
    if top != DIGEST_TOP:
        params["top"] = top
    if limit != DIGEST_LIMIT:
        params["limit"] = limit
    return params


def digest_url(base: str, period: str, format: str, q: Query) -> str:
    """The digest feed of `q` (`period` daily or weekly): the self link it will carry."""
    return f"{base}/feeds/digest/{period}.{format}{query_string(digest_params(q))}"


def arxiv_title_search(title: str) -> str:
    """arXiv's search for a title, for a paper whose arXiv id is unknown (a text capture's):
    the way from its page and its feed item to the paper itself."""
    return ARXIV_SEARCH + "?" + urlencode({"query": title, "searchtype": "title"})
