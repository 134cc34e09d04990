"""Errors of the web pages (SPEC 6): a browser (`Accept: text/html` ranked first) gets an
HTML page with the site's look saying the status and the problem; every other client
(`*/*`, JSON, no Accept) gets the problem+json every route answers. The API, the feeds
and OPML answer problem+json whatever Accept says. An error page is never cached, so a
paper that comes back is served again at once. (The same pages in Chromium:
test_browser.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import lxml.html
import pytest

from service.http import problems
from service.store import StoreError

from .conftest import ENGINES, NOW, TRENDING, ingest_file, ingest_text

# What Chromium sends for a navigation; Firefox and Safari send the same ranking.
BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
NOT_A_BROWSER = {"any": {"Accept": "*/*"}, "json": {"Accept": "application/json"},
                 "none": {}, "html-lower": {"Accept": "text/html;q=0.5, */*"}}
PROBLEM = "application/problem+json"
# (path, status, what the message says) of the errors a web page can answer
PAGE_ERRORS = [
    ("/papers/no-such-paper", 404, "no paper with id 'no-such-paper'"),
    ("/papers/2509.99999v2", 404, "no paper with id '2509.99999v2'"),
    ("/no/such/page", 404, "The requested URL was not found on the server."),
    ("/?q=%22unbalanced", 400, "unbalanced quote"),
    ("/?scope=everything", 400, "scope: "),
    ("/static/nope.css", 404, "no static file 'nope.css'"),
]
# Routes for programs: problem+json even for a browser
PROGRAM_ERRORS = [
    ("/api/v1/papers/no-such-paper", 404), ("/api/v1/papers?limit=0", 400),
    ("/api/v1/nothing-here", 404), ("/feeds/trending.atom?limit=0", 400),
    ("/feeds/keyword/%22open.atom", 400), ("/feeds/trending.xml", 404),
    ("/feeds.opml", 400), ("/feeds/nothing-here", 404), ("/openapi.yaml/x", 404),
]


@pytest.fixture
def engine_client(database_url: str, app: Any) -> Any:
    ingest_file(app.extensions["trendfeed"].store, TRENDING)
    return app.test_client()


def page_of(response: Any) -> Any:
    return lxml.html.fromstring(response.data)


def assert_error_page(response: Any, status: int, message: str) -> Any:
    assert response.status_code == status
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert "Accept" in response.headers.get("Vary", "")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = page_of(response)
    assert page.xpath("count(//h1)") == 1
    assert message in page.xpath("string(//p[@class='error'])")
    assert page.xpath("//link[@rel='stylesheet']")  # the site's look
    assert page.xpath("//header[@class='site']//a[@class='brand']")
    return page


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize(("path", "status", "message"), PAGE_ERRORS)
def test_a_browser_gets_an_html_error_page(engine_client: Any, path: str, status: int,
                                           message: str) -> None:
    page = assert_error_page(engine_client.get(path, headers={"Accept": BROWSER}),
                             status, message)
    if status == 404:  # the status in words; the list page shows its own 400 with its form
        assert page.xpath("string(//p[@class='status'])") == f"Error {status} · Not Found"
        assert page.findtext(".//title") == f"{status} Not Found · trendfeed"
        assert page.xpath("//a[text()='See the trending papers']")
    plain = engine_client.get(path, headers={"Accept": "text/html"})
    assert plain.status_code == status and plain.mimetype == "text/html"


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize(("path", "status", "message"), PAGE_ERRORS)
@pytest.mark.parametrize("accept", list(NOT_A_BROWSER))
def test_any_other_client_gets_problem_json_from_the_same_address(
        engine_client: Any, path: str, status: int, message: str, accept: str) -> None:
    response = engine_client.get(path, headers=NOT_A_BROWSER[accept])
    assert response.status_code == status
    assert response.content_type == PROBLEM
    problem = response.get_json(force=True)
    assert problem["status"] == status and message in problem["detail"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_api_and_the_feeds_answer_problem_json_whatever_accept_says(
        engine_client: Any) -> None:
    for path, status in PROGRAM_ERRORS:
        for headers in ({"Accept": BROWSER}, {"Accept": "text/html"}, {}):
            response = engine_client.get(path, headers=headers)
            assert response.status_code == status, (path, headers)
            assert response.content_type == PROBLEM, (path, headers)


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_paper_withdrawn_by_an_undo_is_an_error_page_then_a_page_again(
        engine_client: Any, app: Any) -> None:
    """A reader still links to a paper after its list was undone: the cached 200 is not
    served, the error page is never cached, and the paper's return is seen at once."""
    store = app.extensions["trendfeed"].store
    capture = "Mar 18\n\nA Paper Soon Withdrawn\n\nAbout something withdrawn.\n"
    ingest_text(store, capture, now=NOW + dt.timedelta(days=1))
    path = "/papers/a-paper-soon-withdrawn"
    shown = engine_client.get(path, headers={"Accept": BROWSER})
    assert shown.status_code == 200 and "ETag" in shown.headers
    store.undo_latest()
    for _ in range(2):  # the second is no cache hit of the first
        page = assert_error_page(engine_client.get(path, headers={"Accept": BROWSER}), 404,
                                 "no paper with id 'a-paper-soon-withdrawn'")
        assert page.findtext(".//h1") == "No such paper"
        assert "withdrawn" in page.xpath("string(//section[@class='problem'])")
        # the way on: a search of every paper seen
        assert page.xpath("//form[@role='search']/@action") == ["../"]
        assert page.xpath("//form//input[@name='scope']/@value") == ["all"]
    ingest_text(store, capture, now=NOW + dt.timedelta(days=2))
    assert engine_client.get(path, headers={"Accept": BROWSER}).status_code == 200


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_head_request_gets_the_status_without_a_body(engine_client: Any) -> None:
    response = engine_client.head("/papers/no-such-paper", headers={"Accept": BROWSER})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert response.data == b""


@pytest.mark.parametrize(("path", "root"), [
    ("/nope", "./"), ("/papers/nope", "../"), ("/papers/a%2Fb", "../"),
    ("/a/b/c", "../../"), ("/a/b/", "../../"), ("/papers/nope?x=/y/z", "../")])
def test_the_error_page_links_the_site_relative_to_the_address_sent(
        client: Any, path: str, root: str) -> None:
    page = page_of(client.get(path, headers={"Accept": BROWSER}))
    (css,) = page.xpath("//link[@rel='stylesheet']/@href")
    assert css.startswith(root + "static/site.css?v=")
    assert page.xpath("//a[@class='brand']/@href") == [root]


def test_the_error_page_escapes_what_the_address_holds(client: Any) -> None:
    response = client.get("/papers/%3Cscript%3Ealert(1)%3C%2Fscript%3E%E2%80%AE",
                          headers={"Accept": BROWSER})
    page = assert_error_page(response, 404, "<script>alert(1)</script>")
    assert not page.xpath("//script[not(@src)]")
    assert b"<script>alert" not in response.data and "\u202e" not in response.text


def test_a_method_not_allowed_on_a_page_says_so_in_html(client: Any) -> None:
    response = client.post("/", headers={"Accept": BROWSER})
    assert_error_page(response, 405, "method is not allowed")
    assert response.headers["Allow"]
    assert client.post("/").content_type == PROBLEM


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_store_that_fails_answers_a_503_page_to_a_browser(
        engine_client: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    store = app.extensions["trendfeed"].store

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreError("postgresql://u:secret@db.internal/x: connection refused "
                         "(psycopg.OperationalError at /srv/trendfeed/store.db)")

    for name in ("data_state", "papers", "paper", "latest_snapshot"):
        monkeypatch.setattr(store, name, down)
    for path in ("/", "/?q=diffusion", "/papers/forward-learning-of-graph-neural-networks"):
        response = engine_client.get(path, headers={"Accept": BROWSER})
        page = assert_error_page(response, 503, problems.STORE_UNAVAILABLE)
        assert response.headers["Retry-After"] == problems.STORE_RETRY_AFTER
        assert page.findtext(".//h1") == "Temporarily unavailable"
        assert not page.xpath("//form[@role='search']")  # a search would fail the same way
        for secret in ("secret", "db.internal", "psycopg", "/srv/", "postgresql"):
            assert secret not in response.text.lower(), (path, secret)
        other = engine_client.get(path)
        assert other.status_code == 503 and other.content_type == PROBLEM
        assert other.get_json()["detail"] == problems.STORE_UNAVAILABLE
