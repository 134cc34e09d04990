"""The web pages: the list page, a paper's page, their static files, caching and headers.
(The same pages in a real browser: test_browser.py.)"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import lxml.html
import pytest

from service.chart import RankChart, rank_chart
from service.ingest import ingest_bytes
from service.model import RankEntry
from service.routes.page_frame import thumbnail_origin
from service.routes.pages import authors_brief, snippet

from .conftest import ENGINES, EXAMPLES, HF_JSON, NOW, TRENDING, ingest_file, ingest_text

FORWARD = "forward-learning-of-graph-neural-networks"
HF_TRENDING = EXAMPLES / "hf-trending.json"  # 50 of the capture's papers, every new field
THUMBNAILS = "https://cdn-thumbnails.huggingface.co"  # where its thumbnails are
MFTCODER = "mftcoder-boosting-code-llms-with-multitask-fine-tuning"  # #2 there, #26 before
TEMPLATES = Path(__file__).parent.parent / "service" / "templates"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def page_of(response: Any) -> Any:
    return lxml.html.fromstring(response.data)


def url_boxes(page: Any) -> list[str]:
    """The text of every URL box for copying, as a person selecting it would copy it."""
    return [box.text_content() for box in page.xpath("//code[@class='url']")]


def listed_ids(page: Any) -> list[str]:
    return [li.get("id").removeprefix("paper-") for li in page.xpath("//ol[@class='papers']/li")]


def store_of(app: Any) -> Any:
    return app.extensions["trendfeed"].store


def csp_of(response: Any) -> dict[str, str]:
    csp = response.headers["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in csp.split(";"))


def load_trending(app: Any) -> None:
    """The capture (the loaded_app's), then today's whole upstream shape a day later."""
    ingest_file(store_of(app), HF_TRENDING, now=NOW + dt.timedelta(days=1))


# -- the paper page -----------------------------------------------------------------------


def test_a_paper_page_shows_text_links_and_history(client: Any) -> None:
    response = client.get(f"/papers/{FORWARD}")
    assert response.status_code == 200 and response.content_type == "text/html; charset=utf-8"
    page = page_of(response)
    assert page.findtext(".//h1") == "Forward Learning of Graph Neural Networks"
    assert "https://github.com/facebookresearch/forwardgnn" in [
        a.get("href") for a in page.iter("a")]
    assert page.xpath("string(//p[@class='abstract-full'])").startswith(
        "Graph neural networks (GNNs) have achieved remarkable success")
    facts = {dt_.text_content(): dd.text_content() for dt_, dd in zip(
        page.xpath("//dl[@class='facts']//dt"), page.xpath("//dl[@class='facts']//dd"),
        strict=True)}
    assert facts["First seen"] == "2026-03-17"
    assert facts["Last seen"] == "2026-03-17ingested 2026-11-27 08:00 UTC"
    assert facts["Published"] == "unknown"
    assert facts["Latest list"] == "#1, new today"
    assert [td.text_content() for td in page.xpath("//table//td")] == [
        "2026-03-17", "#1", "1", "2026-11-27 08:00", "#1", ""]
    assert page.xpath("//link[@rel='canonical']/@href") == [f"http://feeds.test/papers/{FORWARD}"]


def test_the_paper_page_draws_the_rank_history_as_an_accessible_chart(app: Any) -> None:
    store = store_of(app)
    ingest_text(store, "Mar 17\n\nPaper One\n\nAbstract one.\n\nPaper Two\n\nAbstract two.\n")
    ingest_text(store, "Mar 18\n\nPaper Two\n\nAbstract two.\n\nPaper One\n\nAbstract one.\n",
                now=dt.datetime(2026, 11, 28))
    ingest_text(store, "Mar 19\n\nPaper Three\n\nA.\n\nPaper Four\n\nB.\n\nPaper One\n\nC.\n",
                now=dt.datetime(2026, 11, 29))
    page = page_of(app.test_client().get("/papers/paper-one"))
    (svg,) = page.xpath("//svg")
    assert svg.get("role") == "img"
    text = "Best rank per day over 3 days: #1 on 2026-03-17, #2 on 2026-03-18, #3 on 2026-03-19"
    assert svg.get("aria-label") == text
    assert svg.findtext("title") == text
    circles = svg.xpath(".//circle")
    assert [c.findtext("title") for c in circles] == [
        "#1 on 2026-03-17", "#2 on 2026-03-18", "#3 on 2026-03-19"]
    xs = [float(c.get("cx")) for c in circles]
    ys = [float(c.get("cy")) for c in circles]
    assert xs == sorted(xs) and ys == sorted(ys) and ys[0] == RankChart.TOP  # #1 on top
    assert svg.xpath(".//polyline/@points") == [
        " ".join(f"{x:g},{y:g}" for x, y in zip(xs, ys, strict=True))]
    assert [t.text for t in svg.xpath(".//text")][:3] == ["#1", "#3", "#5"]


def test_the_rank_chart_is_laid_out_in_python() -> None:
    def entry(i: int, rank: int) -> RankEntry:
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i)
        return RankEntry(i + 1, day, dt.datetime.combine(day, dt.time()), rank, None, rank, 1)

    one = rank_chart([entry(0, 7)])
    assert one.points[0].x == RankChart.LEFT + (RankChart.WIDTH - RankChart.LEFT
                                                - RankChart.RIGHT) / 2
    assert [rank for _, rank in one.y_ticks] == [1, 5, 10]  # the axis ends at a round rank
    assert one.label == "Best rank per day over 1 day: #7 on 2026-01-01"
    assert [anchor for _, _, anchor in one.x_labels] == ["middle"]

    many = rank_chart([entry(i, rank) for i, rank in enumerate([30] * 10 + [1] + [120] * 19)])
    assert [rank for _, rank in many.y_ticks] == [1, 100, 200]
    assert many.points[0].x == RankChart.LEFT
    assert many.points[-1].x == RankChart.WIDTH - RankChart.RIGHT
    assert max(p.y for p in many.points) <= RankChart.HEIGHT - RankChart.BOTTOM
    assert many.label == ("Best rank per day over 30 days: #30 on 2026-01-01 first, #120 on "
                          "2026-01-30 last, best #1 on 2026-01-11")


def test_the_paper_page_offers_its_keywords_as_feeds(client: Any, loaded_app: Any) -> None:
    ingest_file(store_of(loaded_app), HF_JSON, now=dt.datetime(2026, 11, 28))
    page = page_of(client.get("/papers/2403.99901"))  # its arXiv id finds it too
    assert page.findtext(".//h1") == "Forward Learning of Graph Neural Networks"
    items = page.xpath("//ul[@class='keyword-feeds']/li")
    assert [li.findtext("a[@class='keyword']") for li in items] == [
        "graph neural networks", "forward-forward algorithm"]
    feeds = items[0].xpath("a[@class='feed']/@href")
    assert feeds == [f"http://feeds.test/feeds/keyword/%22graph+neural+networks%22.{fmt}"
                     for fmt in ("atom", "rss", "json")]
    for url in feeds:
        assert client.get(url.removeprefix("http://feeds.test")).status_code == 200
    assert items[0].xpath("a[@class='keyword']/@href") == ["../?q=%22graph+neural+networks%22"]
    links = page.xpath("//p[contains(@class, 'links')]/a/@href")
    assert links == ["https://huggingface.co/papers/2403.99901", "https://arxiv.org/abs/2403.99901",
                     "https://arxiv.org/pdf/2403.99901",
                     "https://github.com/facebookresearch/forwardgnn"]


def test_a_paper_without_keywords_says_so(client: Any) -> None:
    page = page_of(client.get(f"/papers/{FORWARD}"))
    assert not page.xpath("//ul[@class='keyword-feeds']")
    assert "gave no keywords" in page.text_content()


def test_the_paper_page_escapes_source_text(app: Any) -> None:
    title = '<script>x()</script> Paper <img src=x onerror="y()">'
    ingest_text(store_of(app), f"Mar 17\n\n{title}\n\nA <b>bold</b> claim.\n")
    response = app.test_client().get("/papers/script-x-script-paper-img-src-x-onerror-y")
    assert response.status_code == 200
    page = page_of(response)
    assert page.findtext(".//h1") == title
    assert page.xpath("string(//p[@class='abstract-full'])") == "A <b>bold</b> claim."
    assert not page.xpath("//script[not(@src)] | //img | //b | //*[@onerror]")
    listed = page_of(app.test_client().get("/"))
    assert listed.xpath("string(//ol[@class='papers']//h3)") == title
    assert not listed.xpath("//script[not(@src)] | //img | //b | //*[@onerror]")


def test_an_unknown_paper_is_a_404_problem_or_page(client: Any) -> None:
    response = client.get("/papers/no-such-paper")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert "no-such-paper" in response.get_json(force=True)["detail"]
    assert client.get("/papers/no-such-paper").status_code == 404  # never cached
    page = client.get("/papers/no-such-paper", headers=BROWSER)  # (test_error_pages.py)
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_paper_without_an_arxiv_id_links_to_an_arxiv_title_search(
        client: Any, loaded_app: Any) -> None:
    links = page_of(client.get(f"/papers/{FORWARD}")).xpath("//p[contains(@class, 'links')]/a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("Search arXiv for its title", "https://arxiv.org/search/?query=Forward+Learning+of"
         "+Graph+Neural+Networks&searchtype=title"),
        ("code", "https://github.com/facebookresearch/forwardgnn")]
    ingest_file(store_of(loaded_app), HF_JSON, now=dt.datetime(2026, 11, 28))
    known = page_of(client.get(f"/papers/{FORWARD}")).xpath("//p[contains(@class, 'links')]/a")
    assert "Search arXiv for its title" not in [a.text for a in known]  # its arXiv id is known


# -- the list page --------------------------------------------------------------------------


def test_the_list_page_shows_the_list_feeds_and_autodiscovery(client: Any) -> None:
    response = client.get("/?q=Neural%20Operator")
    assert response.status_code == 200
    page = page_of(response)
    assert page.xpath("//form//input[@name='q']/@value") == ["Neural Operator"]
    alternates = {link.get("type"): link.get("href")
                  for link in page.xpath("//link[@rel='alternate']")}
    assert alternates == {
        "application/atom+xml": "http://feeds.test/feeds/trending.atom?q=neural+operator",
        "application/rss+xml": "http://feeds.test/feeds/trending.rss?q=neural+operator",
        "application/feed+json": "http://feeds.test/feeds/trending.json?q=neural+operator"}
    keyword_urls = [f"http://feeds.test/feeds/keyword/neural+operator.{fmt}"
                    for fmt in ("atom", "rss", "json")]
    digests = [f"http://feeds.test/feeds/digest/daily.{fmt}?q=neural+operator"
               for fmt in ("atom", "rss", "json")]
    assert page.xpath("//button[@data-copy]/@data-copy") == [
        *alternates.values(), *keyword_urls, *digests]
    assert url_boxes(page) == [*alternates.values(), *keyword_urls, *digests]
    for box in page.xpath("//code[@class='url']"):  # every URL box has its label
        assert page.xpath(f"//*[@id='{box.get('aria-labelledby')}']/text()")
    assert page.xpath("//a[@download]/@href") == ["http://feeds.test/feeds.opml?q=neural+operator"]
    titles = [a.text_content() for a in page.xpath("//ol[@class='papers']/li//h3/a")]
    assert "Spectral-Refiner: Fine-Tuning of Accurate Spatiotemporal Neural Operator for " \
        "Turbulent Flows" in titles
    everything = page_of(client.get("/"))
    assert len(everything.xpath("//ol[@class='papers']/li")) == 74
    assert everything.xpath("string(//p[@id='count'])").split() == [
        "74", "papers", "in", "the", "latest", "list", "(2026-03-17)."]
    assert not everything.xpath("//a[@download]")  # OPML needs a keyword


def test_the_heading_and_the_search_box_show_the_query_as_typed(client: Any) -> None:
    page = page_of(client.get("/?q=diffusion%20%20-video"))
    assert page.xpath("string(//h1)") == "Papers matching “diffusion  -video”"
    assert page.findtext(".//title") == "diffusion  -video · trendfeed: trending papers"
    assert page.xpath("//input[@name='q']/@value") == ["diffusion  -video"]
    # ... while the feeds carry its canonical form
    assert page.xpath("//link[@type='application/atom+xml']/@href") == [
        "http://feeds.test/feeds/trending.atom?q=-video+diffusion"]


def test_scope_carries_into_every_feed_url_and_the_opml_link(client: Any) -> None:
    page = page_of(client.get("/?q=diffusion&scope=all"))
    feeds = [f"http://feeds.test/feeds/trending.{fmt}?q=diffusion&scope=all"
             for fmt in ("atom", "rss", "json")]
    assert page.xpath("//link[@rel='alternate']/@href") == feeds
    assert url_boxes(page)[:3] == feeds == page.xpath("//button[@data-copy]/@data-copy")[:3]
    assert url_boxes(page)[3:] == [f"http://feeds.test/feeds/digest/daily.{fmt}?q=diffusion"
                                   for fmt in ("atom", "rss", "json")]  # a digest: no scope
    (opml,) = page.xpath("//a[@download]/@href")
    assert opml == "http://feeds.test/feeds.opml?q=diffusion&scope=all"
    outlines = lxml.etree.fromstring(client.get(opml.removeprefix("http://feeds.test")).data)
    assert outlines.xpath("//outline/@xmlUrl") == [
        "http://feeds.test/feeds/keyword/diffusion.atom?scope=all"]
    # a keyword URL is a path: it has no scope, so this search offers none, and says why
    note = page.xpath("string(//section[@id='subscribe']//p[@class='note'])")
    assert "covers the latest list only" in note and "scope=all" in note
    assert page.xpath("(//section[@id='subscribe']//p[@class='note'])[1]/a/@href") == [
        "./?q=diffusion"]
    current = page_of(client.get("/?q=diffusion"))
    assert url_boxes(current)[3:6] == [f"http://feeds.test/feeds/keyword/diffusion.{fmt}"
                                      for fmt in ("atom", "rss", "json")]
    assert current.xpath("//a[@download]/@href") == ["http://feeds.test/feeds.opml?q=diffusion"]


def test_a_url_box_wraps_only_after_a_slash_a_question_mark_or_an_ampersand(
        client: Any) -> None:
    """The boxes once broke a URL mid-word ("trending.ato / m"): each URL is shown as
    pieces that never break, with a break opportunity (<wbr>) only between them."""
    page = page_of(client.get("/?q=%22neural+operator%22+-video&scope=all"))
    boxes = page.xpath("//code[@class='url']")
    assert len(boxes) == 6
    for box in boxes[:3]:
        # (libxml2 takes <wbr> for an element holding what follows: read the spans in
        # document order; Chromium's layout of the same: test_browser.py)
        pieces = [span.text for span in box.xpath(".//span")]
        url = "".join(pieces)
        assert box.text_content() == url and url.startswith("http://feeds.test/feeds/")
        assert pieces == ["http://", "feeds.test/", "feeds/", pieces[3],
                          "q=%22neural+operator%22+-video&", "scope=all"]
        assert pieces[3] in ("trending.atom?", "trending.rss?", "trending.json?")
        assert [e.tag for e in box.iter() if e is not box] == \
            ["span", "wbr"] * (len(pieces) - 1) + ["span"]
        for piece in pieces:  # a piece holds no break point but at its end
            assert not any(c in "/?&" for c in piece.rstrip("/?&")), piece
    for box in boxes[3:]:  # the daily digests
        pieces = [span.text for span in box.xpath(".//span")]
        assert pieces[:4] == ["http://", "feeds.test/", "feeds/", "digest/"]
        assert pieces[5] == "q=%22neural+operator%22+-video"
    css = (TEMPLATES.parent / "static" / "site.css").read_text()
    assert "code.url > span { white-space: nowrap; }" in css


def test_the_list_view_shows_authors_when_known(app: Any) -> None:
    authors = [f"Author Number{i}" for i in range(1, 7)]
    entries = [{"paper": {"id": "2501.00001", "title": "Six Authored Paper",
                          "summary": "About six authors.",
                          "authors": [{"name": name} for name in authors]}},
               {"paper": {"id": "2501.00002", "title": "Two Authored Paper",
                          "summary": "About two authors.",
                          "authors": [{"name": name} for name in authors[:2]]}},
               {"paper": {"id": "2501.00003", "title": "Anonymous Paper",
                          "summary": "About nobody.", "authors": []}}]
    ingest_bytes(store_of(app), json.dumps(entries).encode(), source="inline", now=NOW)
    page = page_of(app.test_client().get("/"))
    lines = {li.get("id"): li.xpath("string(.//p[@class='authors'])")
             for li in page.xpath("//ol[@class='papers']/li")}
    assert lines == {"paper-2501.00001": "Author Number1, Author Number2, Author Number3 "
                                         "and 3 more",
                     "paper-2501.00002": "Author Number1, Author Number2",
                     "paper-2501.00003": ""}
    (six,) = page.xpath("//li[@id='paper-2501.00001']//p[@class='authors']")
    assert six.get("title") == ", ".join(authors)  # the whole list on hover
    assert authors_brief(tuple(authors[:4])) == ", ".join(authors[:4])  # "and 1 more": no


def test_the_list_page_lists_what_the_api_returns(client: Any) -> None:
    for q, scope in (("diffusion", "current"), ("diffusion -video", "all"),
                     ('"neural operator" OR flow', "current"), ("", "all")):
        page = page_of(client.get("/", query_string={"q": q, "scope": scope}))
        (api_link,) = page.xpath("//a[text()='The same list as JSON']/@href")
        assert parse_qs(urlsplit(api_link).query)["limit"] == ["200"]
        api = client.get(api_link.removeprefix("http://feeds.test")).get_json()
        assert listed_ids(page) == [item["id"] for item in api["items"]]
        assert page.xpath("//select[@name='scope']/option[@selected]/@value") == [scope]
    assert page_of(client.get("/?q=diffusion")).xpath("//a[text()='The same list as JSON']/@href") \
        == ["http://feeds.test/api/v1/papers?q=diffusion&limit=200"]


def test_the_list_page_shows_200_papers_and_says_how_many_match(app: Any) -> None:
    ingest_text(store_of(app), "Mar 18\n\n" + "".join(
        f"Synthetic Diffusion Paper Number {i}\n\nWe study diffusion model variant {i} and "
        f"report its results.\n\n" for i in range(205)))
    page = page_of(app.test_client().get("/?q=diffusion"))
    assert len(listed_ids(page)) == 200
    assert page.xpath("string(//p[@id='count'])").split()[:6] == [
        "Showing", "200", "of", "205", "papers", "matching"]


def test_the_list_page_marks_papers_new_in_the_latest_list(client: Any, loaded_app: Any) -> None:
    # on the first list every paper is new: nothing is marked
    assert not page_of(client.get("/")).xpath("//*[@class='badge']")
    ingest_file(store_of(loaded_app), HF_JSON, now=dt.datetime(2026, 11, 28))
    page = page_of(client.get("/"))
    assert listed_ids(page) == ["2509.04664", FORWARD, "2403.99902"]
    marked = [li.get("id") for li in page.xpath("//ol/li[.//*[@class='badge']]")]
    assert marked == ["paper-2509.04664", "paper-2403.99902"]
    forward = page.xpath(f"//li[@id='paper-{FORWARD}']")[0]
    assert forward.xpath(".//p[@class='links']/a/text()") == ["code", "arXiv", "PDF"]
    assert forward.xpath("string(.//span[@class='upvotes'])") == "41 upvotes"
    assert forward.xpath("string(.//div[@class='rank'])") == "Rank #2"
    # scope=all: papers off the latest list have no rank and are never new
    everything = page_of(client.get("/?scope=all"))
    assert len(listed_ids(everything)) == 76
    assert len(everything.xpath("//ol/li[.//*[@class='badge']]")) == 2


def test_abstracts_open_in_place(client: Any) -> None:
    page = page_of(client.get("/?q=forward"))
    item = page.xpath(f"//li[@id='paper-{FORWARD}']")[0]
    (details,) = item.xpath(".//details[@class='abstract']")
    opening = details.xpath("string(summary/span[@class='snippet'])")
    full = details.xpath("string(p)")
    assert full.startswith("Graph neural networks (GNNs)") and len(full) > 1000
    assert opening.endswith("…") and len(opening) <= 241
    assert full.startswith(opening.removesuffix("…"))
    assert snippet("short text") == "short text"
    assert snippet("word " * 100) == ("word " * 48).strip() + "…"


def test_the_syntax_help_examples_are_links_that_search(client: Any) -> None:
    page = page_of(client.get("/?scope=all"))
    examples = page.xpath("//p[@class='examples']/a")
    assert [a.text_content() for a in examples][:3] == [
        "diffusion -video", '"neural operator"', "diffusion OR flow"]
    for a in examples:
        href = a.get("href")
        assert href.startswith("./?q=") and href.endswith("&scope=all")
        response = client.get("/" + href.removeprefix("./"))
        assert response.status_code == 200, href
        assert page_of(response).xpath("//input[@name='q']/@value") == [a.text_content()]


def test_a_bad_query_is_shown_on_the_page_escaped_and_never_cached(client: Any) -> None:
    for _ in range(2):
        response = client.get("/?q=%22%3Cscript%3Ex", headers=BROWSER)
        assert response.status_code == 400 and response.content_type.startswith("text/html")
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers
        page = page_of(response)
        assert "unbalanced quote" in page.xpath("//p[@class='error']")[0].text_content()
        assert not page.xpath("//script[not(@src)]")
        assert page.xpath("//input[@name='q']/@value") == ['"<script>x']
        assert b"&lt;script&gt;x" in response.data and b"<script>x" not in response.data
        assert not page.xpath("//link[@rel='alternate'] | //ol[@class='papers']")
    # any other client: the problem+json of every route (test_error_pages.py sweeps these)
    problem = client.get("/?q=%22%3Cscript%3Ex")
    assert problem.status_code == 400 and problem.content_type == "application/problem+json"
    assert "q" in problem.get_json()["errors"]


def test_a_bad_scope_is_shown_on_the_page(client: Any) -> None:
    response = client.get("/?scope=everything", headers=BROWSER)
    assert response.status_code == 400
    error = page_of(response).xpath("//p[@class='error']")[0]
    assert error.text_content().startswith("scope: ")


def test_an_empty_store_shows_an_empty_list(app: Any) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert page_of(response).xpath("string(//p[@id='count'])").split()[:3] == [
        "No", "paper", "matches"]


# -- caching and headers --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/?q=Neural%20Operator", f"/papers/{FORWARD}"])
def test_the_pages_are_cached_with_etags(client: Any, loaded_app: Any, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert first.headers["Last-Modified"]
    stats = loaded_app.extensions["trendfeed.cache"].snapshot_stats()
    again = client.get(path)  # /papers/...: answered by the cache's fast path, before Flask
    assert again.data == first.data and again.headers["ETag"] == etag
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert loaded_app.extensions["trendfeed.cache"].snapshot_stats()["hits"] == stats["hits"] + 1
    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and not unchanged.data
    # a new list is a new version: a new body and a new ETag
    ingest_file(store_of(loaded_app), HF_JSON, now=dt.datetime(2026, 11, 28))
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_every_page_response_carries_the_security_headers(client: Any) -> None:
    for path, accept in (("/", {}), ("/?q=diffusion", {}), ("/?q=%22bad", BROWSER),
                         ("/?q=%22bad", {}), (f"/papers/{FORWARD}", {}),
                         ("/papers/nope", BROWSER), ("/papers/nope", {}),
                         ("/no/such/page", BROWSER), ("/static/site.css", {})):
        headers = client.get(path, headers=accept).headers
        csp = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["default-src"] == "'none'"
        assert "unsafe" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_pages_hold_no_inline_script_or_style_and_no_external_asset_but_thumbnails(
        client: Any, loaded_app: Any) -> None:
    """Every asset is this site's static file, but the thumbnails, which come from the one
    host the CSP allows besides 'self' (and from nowhere else)."""
    for with_thumbnails in (False, True):
        if with_thumbnails:
            load_trending(loaded_app)
        for path in ("/", "/?q=diffusion", f"/papers/{FORWARD}", f"/papers/{MFTCODER}"):
            response = client.get(path)
            page = page_of(response)
            assert not page.xpath("//style | //script[not(@src)] | //*[@style]"), path
            assert not [(e.tag, name) for e in page.iter() if isinstance(e.tag, str)
                        for name in e.attrib if name.lower().startswith("on")], path
            assets = page.xpath("//script/@src | //link[@rel='stylesheet' or @rel='icon']"
                                "/@href | //img/@src | //*[@srcset]/@srcset | //object/@data"
                                " | //embed/@src | //iframe/@src | //video/@src"
                                " | //video/@poster | //audio/@src | //source/@src")
            root = "./" if path.startswith("/?") or path == "/" else "../"
            static = [url for url in assets if url.startswith(root + "static/")]
            images = page.xpath("//img/@src")
            assert len(static) == 3 and sorted(assets) == sorted(static + images), path
            for url in static:
                assert re.fullmatch(re.escape(root) + r"static/[a-z.]+\?v=[0-9a-f]{12}", url)
                assert client.get("/" + url.removeprefix(root)).status_code == 200, url
            assert all(url.startswith(THUMBNAILS + "/") for url in images), path
            allowed = csp_of(response)["img-src"].split()
            assert allowed == (["'self'", THUMBNAILS] if images else ["'self'"]), path
            assert bool(images) == (with_thumbnails and path != f"/papers/{FORWARD}"), path


def test_the_templates_are_autoescaped(app: Any) -> None:
    names = [p.name for p in TEMPLATES.glob("*.html")]
    assert names and all(app.jinja_env.autoescape(name) for name in names)
    assert not [p.name for p in TEMPLATES.glob("*.html") if "|safe" in p.read_text()
                or "| safe" in p.read_text() or "autoescape false" in p.read_text()]


def test_the_static_files_are_served_by_name_with_long_caching(client: Any) -> None:
    types = {"site.css": "text/css; charset=utf-8",
             "site.js": "text/javascript; charset=utf-8", "icon.svg": "image/svg+xml"}
    for name, content_type in types.items():
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.content_type == content_type
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert client.get(f"/static/{name}", headers={
            "If-None-Match": response.headers["ETag"]}).status_code == 304
    for path in ("/static/nope.js", "/static/..%2Fpages.py", "/static/../__init__.py",
                 "/static/"):
        assert client.get(path).status_code == 404, path


def test_the_page_script_only_enhances(client: Any) -> None:
    page = page_of(client.get("/?q=diffusion"))
    buttons = page.xpath("//button[@data-copy]")
    assert buttons and all(b.get("hidden") is not None for b in buttons)  # shown by site.js
    assert page.xpath("//form[@method='get']/@action") == ["./"]


# -- today's upstream fields (SPEC 6: what a reader needs without a click) ----------------


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_list_view_shows_summary_thumbnail_stars_comments_organization_and_move(
        client: Any, loaded_app: Any) -> None:
    before = page_of(client.get("/"))
    assert not before.xpath("//img | //*[contains(@class, 'ai-summary')] | //*[@class='stars']")
    load_trending(loaded_app)
    response = client.get("/")
    page = page_of(response)
    assert len(listed_ids(page)) == 50
    (item,) = page.xpath(f"//li[@id='paper-{MFTCODER}']")
    # the AI summary, labelled as machine-written, apart from (and above) the abstract
    (summary,) = item.xpath(".//p[@class='ai-summary']")
    assert summary.xpath("string(span[@class='ai-label'])") == \
        "AI summary (machine-written by Hugging Face)"
    assert summary.xpath("string(.)").endswith(
        " The paper presents MFTCoder, reporting gains over strong baselines.")
    (abstract,) = item.xpath(".//*[contains(@class, 'abstract')][1]")
    assert summary.getparent() is abstract.getparent()
    assert summary.getparent().index(summary) < summary.getparent().index(abstract)
    assert "MFTCoder, reporting gains" not in abstract.text_content()
    # the thumbnail: lazy, sized before it loads, decorative, no referrer sent
    (img,) = item.xpath(".//img")
    assert img.get("src") == f"{THUMBNAILS}/social-thumbnails/papers/2404.10153.png"
    assert (img.get("loading"), img.get("alt"), img.get("decoding")) == ("lazy", "", "async")
    assert (img.get("width"), img.get("height")) == ("160", "84")
    assert img.get("referrerpolicy") == "no-referrer"
    # stars next to the code link, comments, the rank and its move
    (code,) = item.xpath(".//p[@class='links']/a[starts-with(., 'code')]")
    assert code.get("href") == "https://github.com/codefuse-ai/MFTCOder"
    assert code.text_content() == "code ★ 2,596 GitHub stars"
    assert item.xpath("string(.//span[@class='comments'])") == "18 comments"
    assert item.xpath(".//span[@class='comments']/a/@href") == [
        "https://huggingface.co/papers/2404.10153"]
    assert item.xpath("string(.//div[@class='rank'])") == "Rank #2"
    (move,) = item.xpath(".//div[contains(@class, 'move')]")
    assert (move.text, move.get("class"), move.get("title")) == (
        "up from #26", "move up", "#2, up from #26")
    # the organization beside the authors
    (microsoft,) = page.xpath("//li[.//h3/a[starts-with(., 'Attention is All You Need?')]]")
    assert microsoft.xpath("string(.//p[@class='authors'])").endswith(" · Microsoft")
    assert microsoft.xpath("string(.//span[@class='org'])") == "Microsoft"
    assert microsoft.xpath("string(.//span[@class='comments'])") == "0 comments"
    # every paper of the list has its thumbnail and summary; the CSP names their host only
    assert len(page.xpath("//ol[@class='papers']//img[@loading='lazy']")) == 50
    assert len(page.xpath("//p[@class='ai-summary']")) == 50
    assert csp_of(response)["img-src"] == f"'self' {THUMBNAILS}"
    # a list later: the moves down, and the papers back on the list
    ingest_file(store_of(loaded_app), EXAMPLES / "trending-page.txt",
                now=NOW + dt.timedelta(days=2))
    again = page_of(client.get("/"))
    moves = {li.get("id").removeprefix("paper-"): li.xpath("string(.//div[@title])")
             for li in again.xpath("//ol[@class='papers']/li")}
    assert moves[MFTCODER] == "down from #2"
    assert moves[FORWARD] == "back on the list"
    assert not again.xpath(f"//li[@id='paper-{FORWARD}']//img")  # it has no thumbnail


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_paper_page_shows_them_with_a_larger_thumbnail(
        client: Any, loaded_app: Any) -> None:
    load_trending(loaded_app)
    response = client.get("/papers/2404.10153")  # by its arXiv id
    page = page_of(response)
    assert page.findtext(".//h1") == "MFTCoder: Boosting Code LLMs with Multitask Fine-Tuning"
    (img,) = page.xpath("//img")
    assert img.get("class") == "thumb-large" and img.get("loading") == "lazy"
    assert int(img.get("width")) > 160 and img.get("alt") == ""
    assert img.get("src") == f"{THUMBNAILS}/social-thumbnails/papers/2404.10153.png"
    assert csp_of(response)["img-src"] == f"'self' {THUMBNAILS}"
    (summary,) = page.xpath("//section[@class='ai-summary']")
    assert summary.xpath("string(h2)") == "AI summary (machine-written by Hugging Face)"
    assert summary.findtext("p") == \
        "The paper presents MFTCoder, reporting gains over strong baselines."
    headings = [h.text_content() for h in page.xpath("//h2")]
    assert headings.index("AI summary (machine-written by Hugging Face)") < \
        headings.index("Abstract")
    facts = {dt_.text_content(): dd.text_content() for dt_, dd in zip(
        page.xpath("//dl[@class='facts']//dt"), page.xpath("//dl[@class='facts']//dd"),
        strict=True)}
    assert facts["Latest list"] == "#2, up from #26"
    assert (facts["Comments"], facts["GitHub stars"], facts["Upvotes"]) == ("18", "2,596", "139")
    assert facts["On HF's daily list"] == "2024-04-05"
    code = page.xpath("//p[contains(@class, 'links')]/a[starts-with(., 'code')]")
    assert [a.text_content() for a in code] == ["code ★ 2,596 GitHub stars"]
    microsoft = page_of(client.get("/papers/2404.10259"))
    assert microsoft.xpath("string(//p[@class='org'])") == "Microsoft"
    assert not page.xpath("//p[@class='org']")  # MFTCoder names none
    # a paper without any of them: none of it shown, and its CSP allows 'self' only
    plain = client.get(f"/papers/{FORWARD}")
    assert not page_of(plain).xpath("//img | //section[@class='ai-summary'] | //p[@class='org']")
    assert csp_of(plain)["img-src"] == "'self'"


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_csp_allows_exactly_the_hosts_of_the_thumbnails_shown(app: Any) -> None:
    """Computed per page from its papers; a thumbnail that is not https, or whose host is
    not a plain host name, is not shown and not allowed; cached answers keep their CSP, and
    a 304 carries none that would replace it."""
    def entry(n: int, thumbnail: str) -> dict[str, Any]:
        return {"paper": {"id": f"2501.0000{n}", "title": f"Paper number {n} about topic{n}",
                          "summary": f"Abstract {n}."}, "thumbnail": thumbnail}
    thumbnails = ["https://img.example.org/a.png", "https://CDN.Example.net:8443/b.png?x=1",
                  "http://insecure.example.org/c.png", "https://a;b.example.org/d.png",
                  "https://user@img.example.com/e.png", "https://0x7f.1/f.png",
                  "https://img.example.org\\@evil.example.com/g.png",
                  "https://img.example.org/h.png"]
    ingest_bytes(store_of(app), json.dumps(
        [entry(n, url) for n, url in enumerate(thumbnails)]).encode(), source="inline", now=NOW)
    client = app.test_client()
    first = client.get("/")
    shown = page_of(first).xpath("//img/@src")
    assert shown == [thumbnails[0], thumbnails[1], thumbnails[7]]
    assert csp_of(first)["img-src"] == "'self' https://cdn.example.net:8443 https://img.example.org"
    for n in range(len(thumbnails)):  # each page: its own thumbnail's host, or none
        response = client.get(f"/papers/2501.0000{n}")
        expected = {0: "https://img.example.org", 1: "https://cdn.example.net:8443",
                    7: "https://img.example.org"}.get(n)
        assert csp_of(response)["img-src"] == " ".join(["'self'", *([expected] * bool(expected))])
        assert page_of(response).xpath("//img/@src") == ([thumbnails[n]] if expected else [])
    narrow = client.get("/?q=topic2")  # only the http thumbnail's paper: 'self' only
    assert listed_ids(page_of(narrow)) == ["2501.00002"]
    assert csp_of(narrow)["img-src"] == "'self'" and not page_of(narrow).xpath("//img")
    for path in ("/", "/papers/2501.00001"):
        csp = client.get(path).headers["Content-Security-Policy"]
        again = client.get(path)  # a hit (for a paper page: the fast path, before Flask)
        assert again.headers["Content-Security-Policy"] == csp
        unchanged = client.get(path, headers={"If-None-Match": again.headers["ETag"]})
        assert unchanged.status_code == 304
        assert unchanged.headers.get("Content-Security-Policy") in (None, csp), path
    assert thumbnail_origin("https://Img.Example.org") == "https://img.example.org"
    assert thumbnail_origin("https://img.example.org:0/x") is None
    assert thumbnail_origin("https://img.example.org./x") is None
    assert thumbnail_origin("https://[::1]/x") is None and thumbnail_origin(None) is None


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_new_fields_are_escaped(app: Any) -> None:
    hostile = '<script>x()</script> "quoted" <b>bold</b>'
    thumbnail = 'https://img.example.org/t.png?"><script>y()</script><img/src=x/onerror=z()>'
    entries = [{"paper": {"id": "2501.00001", "title": "A Plain Title", "summary": "Plain.",
                          "ai_summary": hostile, "githubRepo": "https://github.com/o/r",
                          "githubStars": 5, "organization": {"fullname": hostile}},
                "thumbnail": thumbnail, "numComments": 1}]
    ingest_bytes(store_of(app), json.dumps(entries).encode(), source="inline", now=NOW)
    client = app.test_client()
    for path, summary_xpath in (("/", "//p[@class='ai-summary']"),
                                ("/papers/2501.00001", "//section[@class='ai-summary']/p")):
        response = client.get(path)
        page = page_of(response)
        assert page.xpath("//img/@src") == [thumbnail]
        assert not page.xpath("//script[not(@src)] | //b | //*[@onerror] | //img[@src='x']")
        assert page.xpath(f"string({summary_xpath})").endswith(hostile)
        assert page.xpath("string(//*[@class='org'])") == hostile
        assert b"<script>x()" not in response.data and b"<script>y()" not in response.data
        assert csp_of(response)["img-src"] == "'self' https://img.example.org"


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_subscribe_panel_offers_the_daily_digest(client: Any, loaded_app: Any) -> None:
    for path, q in (("/?q=Neural%20Operator", "?q=neural+operator"),
                    ("/?q=neural+operator&scope=all", "?q=neural+operator"), ("/", "")):
        page = page_of(client.get(path))
        (panel,) = page.xpath("//section[@id='subscribe']")
        digests = [f"http://feeds.test/feeds/digest/daily.{fmt}{q}"
                   for fmt in ("atom", "rss", "json")]
        assert url_boxes(panel)[-3:] == digests == panel.xpath(
            ".//button[@data-copy]/@data-copy")[-3:]
        assert [panel.xpath(f"string(.//*[@id='{box.get('aria-labelledby')}'])")
                for box in panel.xpath(".//code[@class='url']")][-3:] == [
            "Atom daily digest", "RSS daily digest", "JSON Feed daily digest"]
        heading = panel.xpath(".//h3[text()='Daily digest']")[0]
        note = heading.getnext().text_content()
        assert "rss2email" in note and "one mail a day" in note
        for url in digests:
            answer = client.get(url.removeprefix("http://feeds.test"))
            assert answer.status_code == 200, url
            assert answer.mimetype in ("application/atom+xml", "application/rss+xml",
                                       "application/feed+json")
    # not offered on a page whose query has a problem
    bad = page_of(client.get("/?q=%22broken", headers=BROWSER))
    assert not bad.xpath("//*[contains(@href, 'digest') or contains(@data-copy, 'digest')]")


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_paper_page_offers_the_daily_digest_of_its_keywords_or_of_the_list(
        client: Any, loaded_app: Any) -> None:
    without = page_of(client.get(f"/papers/{FORWARD}"))  # no keywords yet: the list's digest
    assert not without.xpath("//ul[@class='keyword-feeds']")
    ingest_file(store_of(loaded_app), HF_JSON, now=dt.datetime(2026, 11, 28))
    page = page_of(client.get(f"/papers/{FORWARD}"))
    items = page.xpath("//ul[@class='keyword-feeds']/li")
    assert [li.xpath("a[contains(@class, 'digest')]/@href") for li in items] == [
        ["http://feeds.test/feeds/digest/daily.atom?q=%22graph+neural+networks%22"],
        ["http://feeds.test/feeds/digest/daily.atom?q=%22forward+forward+algorithm%22"]]
    assert items[0].xpath("a[contains(@class, 'digest')]/@aria-label") == [
        "graph neural networks: daily digest (Atom)"]
    for one in (without, page):  # the whole list's digest, and what a digest is for
        (note,) = one.xpath("//p[@class='digest-note']")
        assert note.xpath("a/@href") == [f"http://feeds.test/feeds/digest/daily.{fmt}"
                                         for fmt in ("atom", "rss", "json")]
        assert "rss2email" in note.text_content()
        assert "one mail a day" in note.text_content()
    for url in page.xpath("//a[contains(@href, '/feeds/digest/')]/@href"):
        assert client.get(url.removeprefix("http://feeds.test")).status_code == 200, url


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_suggested_queries_each_find_something_on_the_page(app: Any) -> None:
    store = app.extensions["trendfeed"].store
    client = app.test_client()
    ingest_file(store, TRENDING)  # a capture: no authors, no upvotes
    chips = _chips(client.get("/").text)
    assert "diffusion -video" in chips
    assert not any(c.startswith(("upvotes", "author")) for c in chips), chips
    ingest_file(store, HF_TRENDING, now=NOW.replace(hour=9))
    chips = _chips(client.get("/").text)
    assert any(c.startswith("upvotes") for c in chips)
    assert any(c.startswith("author:") for c in chips), chips
    for chip in chips:
        assert client.get("/api/v1/papers", query_string={"q": chip}).json["total"] > 0, chip


def _chips(page: str) -> list[str]:
    """The queries the page suggests (the links of its "Try" row)."""
    row = lxml.html.fromstring(page).get_element_by_id("syntax-examples")
    return [parse_qs(urlsplit(a.get("href")).query)["q"][0] for a in row.iter("a")]
