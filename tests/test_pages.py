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
    assert [td.text_content() for td in page.xpath("//table//td")] == ["2026-03-17", "#1"]


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
