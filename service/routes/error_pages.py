"""The web pages' error pages: what a browser is shown instead of problem+json when a page
(the list, a paper, a static file, or an address no route answers) cannot be served.

Which answer a request gets is decided in `http/problems.py` (by `Accept`); this module
says which requests are for the web pages and renders the page. The API, the feeds, OPML
and the operations routes are for programs, so their errors stay problem+json whatever
`Accept` says: a feed reader that sends `text/html;q=0.7` must not get a web page.

An error page is never cached (problems.py sets `no-store`) and never touches the store,
so it renders while the store is down (the 503 page). It names the status and the
problem's message, nothing of the server: the 503 message is a fixed sentence.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, render_template, request

from .page_frame import HTML, SECURITY_HEADERS, shown

# Paths whose callers are programs: their unknown addresses answer problem+json too.
MACHINE_PREFIXES = ("/api", "/feeds", "/openapi", "/metrics", "/livez", "/readyz")
PAGES_BLUEPRINT = "pages"
HEADINGS = {404: "Not found", 503: "Temporarily unavailable", 405: "Not allowed here"}


def serves() -> bool:
    """This request is one for a web page: a route of the pages, or an address no route
    answers outside the programs' prefixes (a person's mistyped or stale link)."""
    if request.blueprint == PAGES_BLUEPRINT:
        return True
    return request.url_rule is None and not request.path.startswith(MACHINE_PREFIXES)


def relative_root() -> str:
    """The relative URL of the site's root from the address as the browser sent it (so an
    error page at any depth finds the style sheet, as the other pages do): counted on the
    raw request target, where a `%2F` in a paper reference is not a path separator."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    if not raw:
        raw = request.script_root + request.path
    path = raw.split("?", 1)[0] if raw.startswith("/") else urlsplit(raw).path
    path = path.removeprefix(request.script_root)
    depth = max(path.count("/") - 1, 0)
    return "../" * depth or "./"


def render(status: int, title: str, detail: str) -> Response:
    """The page saying the problem, with the site's header and look."""
    paper_missing = status == 404 and request.path.startswith("/papers/")
    body = render_template(
        "error.html", root=relative_root(), status=status,
        title=title, heading="No such paper" if paper_missing else HEADINGS.get(status, title),
        detail=shown(detail), paper_missing=paper_missing,
        offer_search=status != 503)
    response = Response(body, status=status, content_type=HTML)
    for name, value in SECURITY_HEADERS:
        response.headers[name] = value
    return response
