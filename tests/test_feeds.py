"""Feeds (SPEC 6): RSS, Atom and JSON Feed read by a real client, the validator's
easy-to-miss rules, escaping, stable ids and dates, keyword URLs, OPML and errors."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import jsonschema
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service import create_app
from service.feeds import RENDERERS, FeedData
from service.model import Paper, RawPaper
from service.normalize import normalize

from .conftest import NOW, TRENDING, ingest_file, ingest_text

JSONFEED_SCHEMA = json.loads((Path(__file__).parent / "data" / "jsonfeed-1.1.schema.json")
                             .read_text())
# RFC 4151: tag:authority,date:specific (authority a DNS name or an e-mail address).
TAG_URI = re.compile(r"tag:[a-z0-9.-]+(@[a-z0-9.-]+)?,\d{4}(-\d{2}(-\d{2})?)?"
                     r":[\w.~!$&'()*+,;=:@/?%-]+", re.IGNORECASE)
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://feeds.test"


def get(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def parsed(client: Any, url: str) -> Any:
    feed = feedparser.parse(get(client, url).data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def check_jsonfeed(data: bytes) -> dict[str, Any]:
    document = json.loads(data)
    jsonschema.validate(document, JSONFEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    return document


# -- the full list, in every format ------------------------------------------------------


def test_all_three_formats_of_the_74_paper_list_parse_cleanly(client: Any) -> None:
    rss = parsed(client, "/feeds/trending.rss?limit=200")
    atom = parsed(client, "/feeds/trending.atom?limit=200")
    assert rss.version == "rss20" and atom.version == "atom10"
    assert len(rss.entries) == len(atom.entries) == 74
    ids = [e.id for e in atom.entries]
    assert len(set(ids)) == 74 and all(TAG_URI.fullmatch(i) for i in ids)
    assert [e.id for e in rss.entries] == ids
    assert atom.entries[0].title == "Forward Learning of Graph Neural Networks"
    document = check_jsonfeed(get(client, "/feeds/trending.json?limit=200").data)
    assert [item["id"] for item in document["items"]] == ids
    first = document["items"][0]["_trendfeed"]
    assert first == {"about": f"{BASE}/docs", "rank": 1, "previous_rank": None,
                     "best_rank": 1, "appearances": 1, "upvotes": None, "comments": None,
                     "github_stars": None, "organization": None, "ai_summary": None,
                     "published": None,
                     "links": {"code": ["https://github.com/facebookresearch/forwardgnn"],
                               "project": [], "other": []}, "arxiv_id": None}


@pytest.mark.parametrize("format", list(RENDERERS))
def test_content_types(client: Any, format: str) -> None:
    response = get(client, f"/feeds/trending.{format}")
    assert response.content_type == RENDERERS[format][0]


@pytest.mark.parametrize("url", ["/feeds/trending.rss", "/feeds/trending.atom?q=graph",
                                 "/feeds/trending.json?scope=all",
                                 "/feeds/keyword/diffusion.atom", "/feeds.opml?q=a&q=b"])
def test_the_same_data_renders_byte_identical_output(loaded_app: Any, database_url: str,
                                                     url: str) -> None:
    first = get(loaded_app.test_client(), url).data
    assert get(loaded_app.test_client(), url).data == first
    other = create_app({"database_url": database_url, "base_url": BASE})
    assert get(other.test_client(), url).data == first


def test_the_default_limit_is_the_whole_latest_list_and_50_for_all(client: Any) -> None:
    # The sample list holds 74 papers: a subscriber sees ranks 51-74 too.
    assert len(parsed(client, "/feeds/trending.atom").entries) == 74
    assert len(parsed(client, "/feeds/trending.rss?limit=3").entries) == 3
    assert len(get(client, "/feeds/trending.json?scope=all").json["items"]) == 50
    assert len(parsed(client, "/feeds/keyword/graph.atom").entries) == \
        len(parsed(client, "/feeds/keyword/graph.atom?limit=200").entries)
    # The default, written out, is the same feed: one self link, one cache entry.
    whole = parsed(client, "/feeds/trending.atom?limit=200")
    assert whole.feed.links[0].href.endswith("/feeds/trending.atom")
    assert parsed(client, "/feeds/trending.atom?scope=all&limit=50").feed.links[0].href \
        .endswith("/feeds/trending.atom?scope=all")


# -- what the W3C validator checks that is easy to miss ----------------------------------


def test_atom_ids_authors_self_link_language_and_dates(client: Any) -> None:
    url = "/feeds/trending.atom?q=graph&limit=5"
    root = ET.fromstring(get(client, url).data)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert TAG_URI.fullmatch(root.findtext(f"{ATOM}id") or "")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # covers entries without one
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == f"{BASE}/feeds/trending.atom?q=graph&limit=5"
    assert links["alternate"] == f"{BASE}/?q=graph"
    assert root.findtext(f"{ATOM}updated") == "2026-11-27T08:00:00+00:00"
    for entry in root.findall(f"{ATOM}entry"):
        assert TAG_URI.fullmatch(entry.findtext(f"{ATOM}id") or "")
        for name in ("published", "updated"):
            dt.datetime.fromisoformat(entry.findtext(f"{ATOM}{name}") or "")
        assert entry.findtext(f"{ATOM}published") == "2026-03-17T00:00:00+00:00"
        assert entry.find(f"{ATOM}content").get("type") == "html"


def test_rss_language_self_link_guids_dates_and_html(client: Any) -> None:
    root = ET.fromstring(get(client, "/feeds/trending.rss?limit=10").data)
    channel = root.find("channel")
    assert channel.findtext("language") == "en"
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == f"{BASE}/feeds/trending.rss?limit=10"
    assert channel.findtext("link") == f"{BASE}/"
    assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and TAG_URI.fullmatch(guid.text)
        published = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert published == dt.datetime(2026, 3, 17, tzinfo=dt.UTC)
        description = item.findtext("description")
        fragment = lxml.html.fragment_fromstring(description, create_parent="div")
        assert fragment.find("p") is not None


def test_feed_updated_is_the_latest_ingest_time_never_now(loaded_app: Any) -> None:
    client = loaded_app.test_client()
    assert parsed(client, "/feeds/trending.atom").feed.updated == "2026-11-27T08:00:00+00:00"
    rss = ET.fromstring(get(client, "/feeds/trending.rss").data)
    assert rss.find("channel").findtext("lastBuildDate") == "Fri, 27 Nov 2026 08:00:00 +0000"


def test_host_and_forwarded_headers_do_not_change_the_body(client: Any) -> None:
    plain = get(client, "/feeds/trending.atom").data
    spoofed = client.get("/feeds/trending.atom", headers={
        "Host": "evil.example", "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "gopher"}).data
    assert spoofed == plain and b"evil" not in spoofed


def test_self_links_are_canonical(client: Any) -> None:
    for url in ("/feeds/trending.atom?q=LLM%20agents", "/feeds/trending.atom?q=agents++llm"
                "&limit=200&scope=current&utm_source=x"):
        root = ET.fromstring(get(client, url).data)
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert links["self"] == f"{BASE}/feeds/trending.atom?q=agents+llm"


# -- escaping ------------------------------------------------------------------------------


def test_html_in_titles_and_abstracts_is_escaped_in_every_format(app: Any) -> None:
    store = app.extensions["trendfeed"].store
    ingest_text(store, "Mar 17\n\n<script>alert(1)</script> & Co\n\n"
                "An <img src=x onerror=alert(2)> abstract & <b>more</b>.\n")
    client = app.test_client()
    for format in ("rss", "atom"):
        feed = parsed(client, f"/feeds/trending.{format}")
        entry = feed.entries[0]
        assert entry.title == "<script>alert(1)</script> & Co"
        body = entry.get("content", [{}])[0].get("value") or entry.summary
        document = lxml.html.fragment_fromstring(body, create_parent="div")
        assert not document.xpath("//script | //img | //b")
        assert "<img src=x onerror=alert(2)>" in document.text_content()
    item = check_jsonfeed(get(client, "/feeds/trending.json").data)["items"][0]
    assert item["title"] == "<script>alert(1)</script> & Co"
    document = lxml.html.fragment_fromstring(item["content_html"], create_parent="div")
    assert not document.xpath("//script | //img | //b")


def _paper_from(title: str, abstract: str) -> Paper:
    normal = normalize(RawPaper(title=title, abstract=abstract, where="line 1"))
    when = dt.datetime(2026, 3, 17)
    return Paper(id=normal.slug, title=normal.title, abstract=normal.abstract, arxiv_id=None,
                 authors=("A. Author",), keywords=("k",), upvotes=None, links=normal.links,
                 first_seen=when, last_seen=when, updated=when, rank=1, best_rank=1,
                 appearances=1)


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1).filter(lambda t: any(c.isalnum() for c in t)),
       abstract=st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_no_input_text_can_make_a_feed_fail_to_render(title: str, abstract: str) -> None:
    try:
        paper = _paper_from(title, abstract)
    except ValueError:  # nothing left of the text once cleaned: refused at ingest
        return
    feed = FeedData(title="t", description="d", self_url=f"{BASE}/feeds/trending.atom",
                    page_url=f"{BASE}/", feed_id="tag:trendfeed,2026:feed/x",
                    updated=NOW, base_url=BASE, papers=(paper,))
    for format, (_, render) in RENDERERS.items():
        body = render(feed)
        if format == "json":
            assert check_jsonfeed(body)["items"][0]["title"] == paper.title
            continue
        result = feedparser.parse(body)
        assert result.bozo == 0, (format, result.get("bozo_exception"))
        assert len(result.entries) == 1


# -- stable ids and dates --------------------------------------------------------------


def test_an_items_id_and_date_survive_rank_moves_and_absences(app: Any) -> None:
    store = app.extensions["trendfeed"].store
    client = app.test_client()
    ingest_text(store, "Mar 17\n\nAlpha Paper\n\nAbout alpha.\n\nBeta Paper\n\nAbout beta.\n")

    def items() -> dict[str, tuple[str, str, str]]:
        """id, date and body but its "Trending" line (the rank and its move, SPEC 6)."""
        feed = parsed(client, "/feeds/trending.atom?scope=all")
        return {e.title: (e.id, e.published, re.sub(r"<p>Trending: [^<]*</p>", "",
                                                     e.content[0].value))
                for e in feed.entries}

    first = items()
    ingest_text(store, "Mar 18\n\nBeta Paper\n\nAbout beta.\n\nAlpha Paper\n\nAbout alpha.\n",
                now=NOW + dt.timedelta(days=1))
    assert items() == first
    ingest_text(store, "Mar 19\n\nGamma Paper\n\nAbout gamma.\n", now=NOW + dt.timedelta(days=2))
    ingest_text(store, "Mar 20\n\nAlpha Paper\n\nAbout alpha.\n", now=NOW + dt.timedelta(days=3))
    after = items()
    assert after["Alpha Paper"] == first["Alpha Paper"]
    assert after["Beta Paper"] == first["Beta Paper"]
    assert after["Gamma Paper"][1] == "2026-03-19T00:00:00+00:00"
    assert first["Alpha Paper"][0].endswith(":paper/alpha-paper")
    current = parsed(client, "/feeds/trending.atom")
    assert [e.title for e in current.entries] == ["Alpha Paper"]


# -- keyword URLs, scope and OPML -------------------------------------------------------


def test_a_keyword_url_equals_the_q_parameter(client: Any) -> None:
    by_path = parsed(client, "/feeds/keyword/neural+operator.atom?limit=100")
    by_q = parsed(client, "/feeds/trending.atom?limit=100&q=neural%20operator")
    assert [e.id for e in by_path.entries] == [e.id for e in by_q.entries]
    assert len(by_path.entries) > 0
    assert by_path.feed.links[0].href == f"{BASE}/feeds/keyword/neural+operator.atom?limit=100"
    quoted = parsed(client, "/feeds/keyword/" + quote('"neural operator"') + ".rss")
    assert 0 < len(quoted.entries) < len(by_path.entries)


def test_keywords_with_dots_and_slashes_work(client: Any) -> None:
    assert get(client, "/feeds/keyword/v1.5.atom").status_code == 200
    assert get(client, "/feeds/keyword/input/output.json").status_code == 200


def test_scope_all_lists_every_paper_newest_first(app: Any) -> None:
    store = app.extensions["trendfeed"].store
    ingest_file(store, TRENDING)
    ingest_text(store, "Mar 18\n\nA Newer Paper\n\nAbout it.\n", now=NOW + dt.timedelta(days=1))
    client = app.test_client()
    all_papers = parsed(client, "/feeds/trending.atom?scope=all&limit=200")
    assert len(all_papers.entries) == 75
    assert all_papers.entries[0].title == "A Newer Paper"
    assert len(parsed(client, "/feeds/trending.atom").entries) == 1


def test_opml_has_one_outline_per_keyword_with_its_atom_url(client: Any) -> None:
    response = get(client, "/feeds.opml?q=diffusion&q=neural%20operator&q=Diffusion")
    root = ET.fromstring(response.data)
    assert root.get("version") == "2.0"
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("diffusion", f"{BASE}/feeds/keyword/diffusion.atom"),
        ("neural operator", f"{BASE}/feeds/keyword/neural+operator.atom")]
    for outline in outlines:
        path = outline.get("xmlUrl").removeprefix(BASE)
        assert len(parsed(client, path).entries) > 0


def test_opml_carries_scope_into_every_outline(client: Any) -> None:
    root = ET.fromstring(get(client, "/feeds.opml?q=diffusion&q=neural%20operator&scope=all")
                         .data)
    outlines = root.findall("body/outline")
    assert [(o.get("xmlUrl"), o.get("htmlUrl")) for o in outlines] == [
        (f"{BASE}/feeds/keyword/diffusion.atom?scope=all", f"{BASE}/?q=diffusion&scope=all"),
        (f"{BASE}/feeds/keyword/neural+operator.atom?scope=all",
         f"{BASE}/?q=neural+operator&scope=all")]
    for outline in outlines:  # each is that feed: its self link is the outline's URL
        feed = parsed(client, outline.get("xmlUrl").removeprefix(BASE))
        assert feed.feed.links[0].href == outline.get("xmlUrl")
    current = ET.fromstring(get(client, "/feeds.opml?q=diffusion&scope=current").data)
    assert [o.get("xmlUrl") for o in current.findall("body/outline")] == [
        f"{BASE}/feeds/keyword/diffusion.atom"]
    assert get(client, "/feeds.opml?q=diffusion&scope=current").data == \
        get(client, "/feeds.opml?q=diffusion").data
    bad = client.get("/feeds.opml?q=diffusion&scope=everything")
    assert bad.status_code == 400 and "scope" in bad.get_json()["errors"]


@pytest.mark.parametrize(("url", "feed_id"), [
    # a quoted keyword: once `%2522` (encoded twice) while its self link read `%22`
    ("/feeds/keyword/%22neural+operator%22.atom",
     "feed/feeds/keyword/%22neural+operator%22.atom"),
    ("/feeds/trending.atom?q=title:graph", "feed/feeds/trending.atom?q=title%3Agraph"),
    # ids that held no `%` are unchanged, byte for byte
    ("/feeds/trending.atom", "feed/feeds/trending.atom"),
    ("/feeds/trending.atom?q=graph&limit=5", "feed/feeds/trending.atom?q=graph"),
    ("/feeds/trending.atom?q=diffusion%20-video&scope=all",
     "feed/feeds/trending.atom?q=-video+diffusion&scope=all"),
    ("/feeds/keyword/neural+operator.atom?limit=3", "feed/feeds/keyword/neural+operator.atom"),
])
def test_a_feed_id_is_its_self_link_path_never_encoded_twice(client: Any, url: str,
                                                             feed_id: str) -> None:
    root = ET.fromstring(get(client, url).data)
    assert root.findtext(f"{ATOM}id") == "tag:trendfeed,2026:" + feed_id
    assert TAG_URI.fullmatch(root.findtext(f"{ATOM}id") or "")
    self_link = next(link.get("href") for link in root.findall(f"{ATOM}link")
                     if link.get("rel") == "self")
    assert self_link.removeprefix(BASE).split("?")[0] == feed_id.removeprefix("feed").split("?")[0]


def test_a_paper_without_an_arxiv_id_links_to_an_arxiv_title_search(app: Any) -> None:
    store = app.extensions["trendfeed"].store
    title = 'Why "Quotes" & <Tags> Break Search: A Study'
    ingest_text(store, f"Mar 17\n\n{title}\n\nAbout searching.\n")
    search = ("https://arxiv.org/search/?query=Why+%22Quotes%22+%26+%3CTags%3E+Break+Search"
              "%3A+A+Study&searchtype=title")
    client = app.test_client()
    before_ids = []
    for format in ("rss", "atom"):
        entry = parsed(client, f"/feeds/trending.{format}").entries[0]
        body = entry.get("content", [{}])[0].get("value") or entry.summary
        links = lxml.html.fragment_fromstring(body, create_parent="div").xpath("//a")
        assert [(a.text, a.get("href")) for a in links] == [
            ("search arXiv for this title", search)]
        before_ids.append(entry.id)
    item = check_jsonfeed(get(client, "/feeds/trending.json").data)["items"][0]
    assert lxml.html.fragment_fromstring(item["content_html"], create_parent="div").xpath(
        "//a/@href") == [search]
    # ids are the paper's, as before
    assert before_ids == [item["id"]] * 2 == ["tag:trendfeed,2026:paper/"
                                              "why-quotes-tags-break-search-a-study"] * 2


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "status", "parameter"), [
    ("/feeds/trending.atom?limit=0", 400, "limit"),
    ("/feeds/trending.atom?limit=1000", 400, "limit"),
    ("/feeds/trending.rss?limit=ten", 400, "limit"),
    ("/feeds/trending.json?scope=everything", 400, "scope"),
    ("/feeds/trending.atom?q=%22unbalanced", 400, "q"),
    ("/feeds/trending.atom?q=venue:x", 400, "q"),
    ("/feeds/trending.atom?q=" + "x" * 300, 400, "q"),
    ("/feeds/trending.xml", 404, "format"),
    ("/feeds/keyword/diffusion.html", 404, "format"),
    ("/feeds/keyword/%22open.atom", 400, "keyword"),
    ("/feeds/keyword/+.atom", 400, "keyword"),
    ("/feeds.opml", 400, "q"),
    ("/feeds.opml?q=ok&q=%22bad", 400, "q[1]"),
])
def test_invalid_parameters_answer_a_problem_naming_the_parameter(
        client: Any, url: str, status: int, parameter: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == status and problem["title"] and problem["type"]
    assert parameter in problem["errors"], problem
    assert parameter.split("[")[0] in problem["detail"]


def test_unknown_parameters_are_ignored(client: Any) -> None:
    plain = get(client, "/feeds/trending.atom").data
    assert get(client, "/feeds/trending.atom?utm_source=x&foo=bar").data == plain


def test_an_empty_store_serves_empty_valid_feeds(app: Any) -> None:
    client = app.test_client()
    for format in ("rss", "atom"):
        assert parsed(client, f"/feeds/trending.{format}").entries == []
    check_jsonfeed(get(client, "/feeds/trending.json").data)
