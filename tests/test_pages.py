"""The web pages."""

from __future__ import annotations

from typing import Any

import lxml.html

from .conftest import ingest_text


def test_a_paper_page_shows_text_links_and_history(client: Any) -> None:
    response = client.get("/papers/forward-learning-of-graph-neural-networks")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    page = lxml.html.fromstring(response.data)
    assert page.findtext(".//h1") == "Forward Learning of Graph Neural Networks"
    assert "https://github.com/facebookresearch/forwardgnn" in [
        a.get("href") for a in page.iter("a")]
    assert [td.text_content() for td in page.xpath("//table//td")] == [
        "2026-03-17", "2026-11-27 08:00", "#1", ""]


def test_the_paper_page_escapes_source_text(app: Any) -> None:
    ingest_text(app.extensions["trendfeed"].store, "Mar 17\n\n<script>x()</script> Paper\n\nA.\n")
    response = app.test_client().get("/papers/script-x-script-paper")
    assert response.status_code == 200
    assert not lxml.html.fromstring(response.data).xpath("//script")


def test_an_unknown_paper_is_a_404_problem(client: Any) -> None:
    response = client.get("/papers/no-such-paper")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert "no-such-paper" in response.get_json(force=True)["detail"]


def test_the_list_page_shows_the_list_feeds_and_autodiscovery(client: Any) -> None:
    response = client.get("/?q=Neural%20Operator")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.data)
    assert page.xpath("//form//input[@name='q']/@value") == ["Neural Operator"]
    alternates = {link.get("type"): link.get("href")
                  for link in page.xpath("//link[@rel='alternate']")}
    assert alternates == {
        "application/atom+xml": "http://feeds.test/feeds/trending.atom?q=neural+operator",
        "application/rss+xml": "http://feeds.test/feeds/trending.rss?q=neural+operator",
        "application/feed+json": "http://feeds.test/feeds/trending.json?q=neural+operator"}
    assert page.xpath("//button[@data-copy]/@data-copy") == list(alternates.values())
    titles = [a.text_content() for a in page.xpath("//ul[@class='papers']/li/a[1]")]
    assert titles and "Spectral-Refiner: Fine-Tuning of Accurate Spatiotemporal Neural " \
        "Operator for Turbulent Flows" in titles
    everything = lxml.html.fromstring(client.get("/").data)
    assert len(everything.xpath("//ul[@class='papers']/li")) == 74


def test_a_bad_query_is_shown_on_the_page_escaped(client: Any) -> None:
    response = client.get("/?q=%22%3Cscript%3Ex")
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    page = lxml.html.fromstring(response.data)
    assert "unbalanced quote" in page.xpath("//p[@class='error']")[0].text_content()
    assert len(page.xpath("//script")) == 1  # the copy buttons' own, nothing injected
    assert b"&#34;&lt;script&gt;x" in response.data or b"&quot;&lt;script&gt;x" in response.data


def test_a_bad_scope_is_shown_on_the_page(client: Any) -> None:
    response = client.get("/?scope=everything")
    assert response.status_code == 400
    error = lxml.html.fromstring(response.data).xpath("//p[@class='error']")[0]
    assert error.text_content().startswith("scope: ")
