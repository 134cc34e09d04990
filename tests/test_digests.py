"""Digest feeds (SPEC 6): one item per list day or ISO week that is over, naming the
papers that arrived in it matching `q`, best rank first, at most `top`; the latest
`limit` periods. Ids and dates never move (re-renders, a restart, later lists); the
validator's rules hold; rss2email mails one message per day. Both engines."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import itertools
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import lxml.html
import pytest

from service import create_app
from service.feeds.digest import Period, closed_periods
from service.model import Links, NormalPaper
from service.query import parse
from service.store import SqlStore

from .conftest import ENGINES, serving
from .test_feeds import ATOM, TAG_URI, check_jsonfeed

BASE = "http://feeds.test"
engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

# (arXiv id, title) of the papers of the tests' lists
PAPERS = {"A": ("2603.00001", "Diffusion Alpha"), "B": ("2603.00002", "Other Beta"),
          "C": ("2603.00003", "Diffusion Gamma"), "D": ("2603.00004", "Latent Diffusion Delta"),
          "E": ("2603.00005", "Other Epsilon"), "F": ("2603.00006", "Other Zeta"),
          "G": ("2603.00007", "Diffusion Eta"), "H": ("2603.00008", "Diffusion Theta")}
# Mon 16 to Fri 20 March 2026 (ISO week 12), in rank order; each day's list ingested at
# 08:00 that day, so a day is over when the next day's list arrives.
DAYS = {16: "ABC", 17: "CDE", 18: "FB", 19: "GA", 20: "E"}


def entry(key: str, upvotes: int | None = 10, ai_summary: str | None = None,
          title: str | None = None) -> NormalPaper:
    arxiv_id, name = PAPERS[key]
    name = title or name
    return NormalPaper(title=name, title_key=name.lower(), slug=arxiv_id,
                       abstract=f"We study {name}. It works well.", arxiv_id=arxiv_id,
                       authors=("A. Author",), keywords=(), upvotes=upvotes, links=Links(),
                       ai_summary=ai_summary)


def ingest_day(store: SqlStore, day: int, entries: list[NormalPaper],
               ingested_at: dt.datetime | None = None) -> None:
    when = dt.datetime(2026, 3, 1) + dt.timedelta(days=day - 1)
    store.apply_snapshot(entries, list_time=when, ingested_at=ingested_at or when.replace(hour=8),
                         source="test", format="hf-json",
                         sha256=f"{day}:" + ",".join(f"{e.arxiv_id}={e.upvotes}" for e in entries))


def ingest_days(store: SqlStore, days: dict[int, str]) -> None:
    for day, keys in days.items():
        ingest_day(store, day, [entry(k) for k in keys])


def fetch(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def items(client: Any, url: str) -> list[tuple[str, str, str, list[str]]]:
    """(id, title, date, arXiv ids named, in order) of each item of an Atom digest."""
    feed = feedparser.parse(fetch(client, url).data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return [(e.id, e.title, e.updated,
             re.findall(r"huggingface\.co/papers/(\d{4}\.\d{5})", e.content[0].value))
            for e in feed.entries]


def ids(*keys: str) -> list[str]:
    return [PAPERS[k][0] for k in keys]


@pytest.fixture
def filled(app: Any) -> Any:
    ingest_days(app.extensions["trendfeed"].store, {d: DAYS[d] for d in (16, 17, 18, 19)})
    return app


# -- which periods, which papers ----------------------------------------------------------


@engines
def test_one_item_per_list_day_over_naming_that_days_new_matching_papers(filled: Any) -> None:
    client = filled.test_client()
    assert items(client, "/feeds/digest/daily.atom?q=diffusion") == [
        ("tag:trendfeed,2026:digest/daily/2026-03-17?q=diffusion",
         "trendfeed daily: 1 new paper on 2026-03-17 matching diffusion",
         "2026-03-17T08:00:00+00:00", ids("D")),
        # C was #3 on the 16th and #1 on the 17th: its rank that day orders it
        ("tag:trendfeed,2026:digest/daily/2026-03-16?q=diffusion",
         "trendfeed daily: 2 new papers on 2026-03-16 matching diffusion",
         "2026-03-16T08:00:00+00:00", ids("A", "C"))]
    # the 18th brought no matching paper: no item; the 19th is not over: no item yet
    ingest_days(filled.extensions["trendfeed"].store, {20: DAYS[20]})
    newest = items(client, "/feeds/digest/daily.atom?q=diffusion")[0]
    assert newest[0].endswith("/2026-03-19?q=diffusion") and newest[3] == ids("G")
    everything = items(client, "/feeds/digest/daily.atom")
    assert [i[3] for i in everything] == [ids("G"), ids("F"), ids("D", "E"), ids("A", "B", "C")]
    assert everything[0][0] == "tag:trendfeed,2026:digest/daily/2026-03-19"


@engines
def test_the_rank_shown_is_the_best_of_that_day_not_of_all_time(filled: Any) -> None:
    feed = feedparser.parse(fetch(filled.test_client(), "/feeds/digest/daily.atom?q=gamma").data)
    body = lxml.html.fragment_fromstring(feed.entries[0].content[0].value, create_parent="div")
    assert "Diffusion Gamma (#3 that day, 10 upvotes)" in body.text_content()


@engines
def test_a_period_is_shown_once_it_is_over(app: Any) -> None:
    store, client = app.extensions["trendfeed"].store, app.test_client()
    ingest_day(store, 16, [entry("A")])
    ingest_day(store, 16, [entry("A"), entry("C")], ingested_at=dt.datetime(2026, 3, 16, 20))
    assert items(client, "/feeds/digest/daily.atom") == []  # the 16th's lists may go on
    # a list for a past day (filed after that day ended) ends that day itself
    ingest_day(store, 17, [entry("D")], ingested_at=dt.datetime(2026, 3, 18, 9))
    shown = items(client, "/feeds/digest/daily.atom")
    assert [(i[2], i[3]) for i in shown] == [("2026-03-18T09:00:00+00:00", ids("D")),
                                            ("2026-03-16T20:00:00+00:00", ids("A", "C"))]


@engines
def test_a_list_ranked_as_the_one_before_is_no_new_list_day(app: Any) -> None:
    store, client = app.extensions["trendfeed"].store, app.test_client()
    ingest_day(store, 16, [entry("A", 10), entry("C", 10)])
    # the next day, the same ranking: the store keeps it as the 16th's list, new counts
    ingest_day(store, 17, [entry("A", 12), entry("C", 11)])
    assert items(client, "/feeds/digest/daily.atom") == []  # so the 16th is not over
    ingest_day(store, 17, [entry("C", 13), entry("A", 12)])
    body = feedparser.parse(fetch(client, "/feeds/digest/daily.atom").data).entries[0]
    assert "2026-03-16" in body.id and "(#1 that day, 12 upvotes)" in body.content[0].value


def test_periods_are_days_or_iso_weeks_and_the_open_one_waits() -> None:
    def at(day: dt.date, hour: int = 8) -> tuple[dt.date, dt.datetime]:
        return day, dt.datetime.combine(day, dt.time(hour))

    days = [at(dt.date(2026, 1, 2)), at(dt.date(2025, 12, 30)), at(dt.date(2025, 12, 28))]
    weeks = closed_periods(days, "weekly", 30)  # 30 Dec 2025 - 2 Jan 2026 is 2026-W01
    assert [(p.key, p.start, p.last_ingested.day) for p in weeks] == [
        ("2025-W52", dt.date(2025, 12, 22), 28)]  # 2026-W01 is still open
    days.insert(0, at(dt.date(2026, 1, 5)))
    assert [p.key for p in closed_periods(days, "weekly", 30)] == ["2026-W01", "2025-W52"]
    assert closed_periods(days, "weekly", 30)[0].last_ingested == dt.datetime(2026, 1, 2, 8)
    assert [p.key for p in closed_periods(days, "daily", 2)] == ["2026-01-02", "2025-12-30"]
    late = [at(dt.date(2026, 1, 5), 0)]  # ingested as the day began: open
    assert closed_periods(late, "daily", 30) == []
    assert closed_periods([(dt.date(2026, 1, 5), dt.datetime(2026, 1, 6))], "daily", 30) == [
        Period("daily", dt.date(2026, 1, 5), dt.datetime(2026, 1, 6))]


@engines
def test_weekly_items_gather_an_iso_week_best_rank_first(filled: Any) -> None:
    store, client = filled.extensions["trendfeed"].store, filled.test_client()
    assert items(client, "/feeds/digest/weekly.atom?q=diffusion") == []  # W12 not over
    ingest_days(store, {20: DAYS[20], 23: "H"})
    assert items(client, "/feeds/digest/weekly.atom?q=diffusion") == [
        ("tag:trendfeed,2026:digest/weekly/2026-W12?q=diffusion",
         "trendfeed weekly: 4 new papers in 2026-W12 (2026-03-16 to 2026-03-22) matching "
         "diffusion", "2026-03-20T08:00:00+00:00", ids("A", "C", "G", "D"))]


@engines
def test_top_and_limit(filled: Any) -> None:
    client = filled.test_client()
    first = items(client, "/feeds/digest/daily.atom?q=diffusion&top=1")
    assert [(i[1], i[3]) for i in first] == [
        ("trendfeed daily: 1 new paper on 2026-03-17 matching diffusion", ids("D")),
        ("trendfeed daily: 2 new papers on 2026-03-16 matching diffusion", ids("A"))]
    feed = feedparser.parse(fetch(client, "/feeds/digest/daily.atom?q=diffusion&top=1").data)
    assert "the best 1 of them" in feed.entries[1].content[0].value
    # limit: the latest periods over (18th, 17th); the 18th brought no match, no item
    assert [i[3] for i in items(client, "/feeds/digest/daily.atom?q=diffusion&limit=2")] == \
        [ids("D")]
    assert items(client, "/feeds/digest/daily.atom?q=diffusion&limit=1") == []
    assert items(client, "/feeds/digest/daily.atom?q=nothing+matches+this") == []


@engines
def test_an_upvotes_term_files_a_paper_under_the_day_it_met_it(app: Any) -> None:
    store, client = app.extensions["trendfeed"].store, app.test_client()
    # A: 20, 40, 55, 70 upvotes, then 45 (the count fell): it met >=50 on the 18th. (The
    # order alternates: a list ranked as the one before is no new list, only new counts.)
    for day, votes in ((16, 20), (17, 40), (18, 55), (19, 70), (20, 45), (21, 45)):
        ingest_day(store, day, [entry("A", votes), entry("B", 5)][::(-1) ** day])
    voted = items(client, "/feeds/digest/daily.atom?q=upvotes:>=50")
    assert [(i[0], i[3]) for i in voted] == [
        ("tag:trendfeed,2026:digest/daily/2026-03-18?q=upvotes%3A%3E%3D50", ids("A"))]
    assert "55 upvotes" in feedparser.parse(
        fetch(client, "/feeds/digest/daily.atom?q=upvotes:>=50").data).entries[0].content[0].value
    plain = items(client, "/feeds/digest/daily.atom?q=alpha")
    assert [i[0] for i in plain] == ["tag:trendfeed,2026:digest/daily/2026-03-16?q=alpha"]
    both = items(client, "/feeds/digest/daily.atom?q=alpha+upvotes:>=50")
    assert [i[3] for i in both] == [ids("A")] and "2026-03-18" in both[0][0]
    assert items(client, "/feeds/digest/daily.atom?q=beta+upvotes:>=50") == []


@engines
def test_a_paper_back_after_days_away_is_not_new_again(app: Any) -> None:
    store, client = app.extensions["trendfeed"].store, app.test_client()
    # A meets >=50 on the 16th, drops off, and is back on the 19th with 60 upvotes
    ingest_day(store, 16, [entry("A", 55), entry("B", 5)])
    ingest_day(store, 17, [entry("B", 5)])
    ingest_day(store, 18, [entry("C", 30), entry("A", 40)])
    ingest_day(store, 19, [entry("A", 60), entry("D", 70)])
    ingest_day(store, 20, [entry("E", 5)])
    for q in ("", "upvotes:>=50"):  # even when the window holds only the 19th
        url = f"/feeds/digest/daily.atom?limit=1&q={q}"
        assert [(i[0].split("?")[0][-10:], i[3]) for i in items(client, url)] == [
            ("2026-03-19", ids("D"))]
    assert [i[3] for i in items(client, "/feeds/digest/daily.atom?q=upvotes:>=50")] == [
        ids("D"), ids("A")]


@engines
def test_the_store_reads_arrivals_per_list_day(filled: Any) -> None:
    store = filled.extensions["trendfeed"].store
    assert [d.day.day for d in store.list_days(3)] == [19, 18, 17]
    found = {a.paper.arxiv_id: a for a in store.arrivals(parse("diffusion"), dt.date(2026, 3, 16),
                                                         dt.date(2026, 3, 17))}
    assert sorted(found) == ids("A", "C", "D")
    gamma = found[PAPERS["C"][0]]
    assert gamma.day == dt.date(2026, 3, 16)
    assert {day.day: (r.rank, r.upvotes) for day, r in gamma.days.items()} == {
        16: (3, 10), 17: (1, 10)}
    assert store.arrivals(parse("diffusion"), dt.date(2026, 3, 18), dt.date(2026, 3, 18)) == []


# -- ids and dates never move --------------------------------------------------------------


def _entries(data: bytes) -> dict[str, bytes]:
    root = ET.fromstring(data)
    return {e.findtext(f"{ATOM}id") or "": ET.tostring(e) for e in root.findall(f"{ATOM}entry")}


@engines
def test_items_are_the_same_across_renders_restarts_and_later_lists(filled: Any,
                                                                    database_url: str) -> None:
    url = "/feeds/digest/daily.atom?q=diffusion"
    first = _entries(fetch(filled.test_client(), url).data)
    assert len(first) == 2
    assert _entries(fetch(filled.test_client(), url).data) == first
    restarted = create_app({"database_url": database_url, "base_url": BASE, "version_check": 0})
    try:
        assert _entries(fetch(restarted.test_client(), url).data) == first
        store = restarted.extensions["trendfeed"].store
        # later lists: C and D climb and gain upvotes, A's text changes nothing shown
        ingest_day(store, 20, [entry("D", 99), entry("C", 80), entry("A", 70)])
        ingest_day(store, 21, [entry("C", 120), entry("H")])
        later = _entries(fetch(restarted.test_client(), url).data)
    finally:
        restarted.extensions["trendfeed"].store.close()
    assert len(later) == 3  # the 19th (G) is over now; the 20th brought no new match
    assert {k: v for k, v in later.items() if k in first} == first


# -- what the validator checks -------------------------------------------------------------


@engines
def test_atom_and_rss_follow_the_validators_rules(filled: Any) -> None:
    client = filled.test_client()
    ingest_days(filled.extensions["trendfeed"].store, {20: DAYS[20], 23: "H"})
    for query, period in itertools.product(
            ["", "?q=diffusion", "?q=%22latent+diffusion%22+-video", "?q=upvotes%3A%3E%3D5&top=2"],
            ["daily", "weekly"]):
        url = f"/feeds/digest/{period}.atom{query}"
        data = fetch(client, url).data
        assert feedparser.parse(data).bozo == 0
        root = ET.fromstring(data)
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
        assert TAG_URI.fullmatch(root.findtext(f"{ATOM}id") or "")
        assert root.find(f"{ATOM}author/{ATOM}name") is not None
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert links["self"] == BASE + url
        entries = root.findall(f"{ATOM}entry")
        assert entries
        for item in entries:
            assert TAG_URI.fullmatch(item.findtext(f"{ATOM}id") or "")
            for name in ("published", "updated"):
                dt.datetime.fromisoformat(item.findtext(f"{ATOM}{name}") or "")
            assert item.find(f"{ATOM}content").get("type") == "html"
        rss_url = f"/feeds/digest/{period}.rss{query}"
        rss = fetch(client, rss_url).data
        assert feedparser.parse(rss).bozo == 0
        channel = ET.fromstring(rss).find("channel")
        assert channel.findtext("language") == "en"
        assert channel.find(f"{ATOM}link").get("href") == BASE + rss_url
        assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
        for item in channel.findall("item"):
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "false" and TAG_URI.fullmatch(guid.text)
            assert email.utils.parsedate_to_datetime(item.findtext("pubDate"))
            html = lxml.html.fragment_fromstring(item.findtext("description"),
                                                 create_parent="div")
            assert html.find("ul/li/p/a") is not None
        document = check_jsonfeed(fetch(client, f"/feeds/digest/{period}.json{query}").data)
        assert [i["id"] for i in document["items"]] == [e.findtext(f"{ATOM}id") for e in entries]
        assert document["feed_url"] == f"{BASE}/feeds/digest/{period}.json{query}"


@engines
def test_self_links_are_canonical_and_share_one_body(filled: Any) -> None:
    client = filled.test_client()
    plain = fetch(client, "/feeds/digest/daily.atom?q=agents++LLM").data
    assert fetch(client, "/feeds/digest/daily.atom?q=llm%20agents&top=10&limit=30&x=1").data \
        == plain
    links = {link.get("rel"): link.get("href") for link in ET.fromstring(plain)
             .findall(f"{ATOM}link")}
    assert links["self"] == f"{BASE}/feeds/digest/daily.atom?q=agents+llm"


@engines
def test_the_summary_line_and_escaping(app: Any) -> None:
    store, client = app.extensions["trendfeed"].store, app.test_client()
    ingest_day(store, 16, [entry("A", ai_summary="A <b>bold</b> machine summary."),
                           entry("C", title="<script>alert(1)</script> Diffusion & Co")],
               ingested_at=dt.datetime(2026, 3, 17))
    for format in ("rss", "atom"):
        feed = feedparser.parse(fetch(client, f"/feeds/digest/daily.{format}").data)
        body = feed.entries[0].get("content", [{}])[0].get("value") or feed.entries[0].summary
        document = lxml.html.fragment_fromstring(body, create_parent="div")
        assert not document.xpath("//script | //b")
        text = document.text_content()
        assert "<script>alert(1)</script> Diffusion & Co" in text
        assert "AI summary (machine-written): A <b>bold</b> machine summary." in text
        assert "Abstract: We study <script>alert(1)</script> Diffusion & Co." in text
    item = check_jsonfeed(fetch(client, "/feeds/digest/daily.json").data)["items"][0]
    assert [p["rank"] for p in item["_trendfeed"]["papers"]] == [1, 2]


@engines
def test_bad_requests_answer_a_problem_naming_it(app: Any) -> None:
    client = app.test_client()
    for url, status, field in [
            ("/feeds/digest/monthly.atom", 404, "period"),
            ("/feeds/digest/daily.xml", 404, "format"),
            ("/feeds/digest/daily.atom?top=0", 400, "top"),
            ("/feeds/digest/daily.atom?top=51", 400, "top"),
            ("/feeds/digest/weekly.rss?limit=0", 400, "limit"),
            ("/feeds/digest/weekly.rss?limit=101", 400, "limit"),
            ("/feeds/digest/daily.json?q=%22", 400, "q")]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.content_type == "application/problem+json"
        assert field in response.get_json()["errors"], url


@engines
def test_an_empty_store_serves_empty_valid_digests(app: Any) -> None:
    client = app.test_client()
    for format in ("rss", "atom"):
        feed = feedparser.parse(fetch(client, f"/feeds/digest/weekly.{format}").data)
        assert feed.bozo == 0 and feed.entries == []
    assert check_jsonfeed(fetch(client, "/feeds/digest/daily.json").data)["items"] == []


# -- in an inbox: rss2email and an SMTP server ------------------------------------------------


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    from .conftest import free_port

    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _hf_list(keys: str) -> bytes:
    return json.dumps([{"paper": {"id": PAPERS[k][0], "title": PAPERS[k][1], "upvotes": 10,
                                  "summary": f"We study {PAPERS[k][1]}. It works well."}}
                       for k in keys]).encode()


def test_rss2email_mails_one_message_per_list_day(tmp_path: Path,
                                                  inbox: tuple[Inbox, int]) -> None:
    if shutil.which("r2e") is None:
        if os.environ.get("CI"):
            pytest.fail("r2e (rss2email) is not installed: .ci/run installs it")
        pytest.skip("r2e (rss2email) is not installed")
    handler, smtp_port = inbox
    config = tmp_path / "r2e.cfg"
    config.write_text(f"[DEFAULT]\nto = reader@example.test\nfrom = trendfeed@example.test\n"
                      f"email-protocol = smtp\nsmtp-server = 127.0.0.1:{smtp_port}\n"
                      "trust-guid = True\ndate-header = True\n")
    r2e = ["r2e", "-c", str(config), "-d", str(tmp_path / "r2e.json")]
    quiet = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
           "TRENDFEED_SAMPLE": "off", "TRENDFEED_INGEST_TOKEN": "t0ken",
           "TRENDFEED_VERSION_CHECK": "0"}

    def run(*args: str) -> None:
        done = subprocess.run([*r2e, *args], env=quiet, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr

    def mails() -> list[tuple[str, str, list[str]]]:
        return [(m["Subject"], m["X-RSS-ID"],
                 sorted(set(re.findall(r"huggingface\.co/papers/(\d{4}\.\d{5})",
                                       m.get_body().get_content()))))
                for m in handler.messages]

    with serving(tmp_path, env, workers=1) as server:
        def ingest(day: str, keys: str) -> None:
            answer = httpx.post(f"{server.base}/api/v1/snapshots", params={"date": day},
                                content=_hf_list(keys), timeout=30, headers={
                                    "Authorization": "Bearer t0ken",
                                    "Content-Type": "application/json"})
            assert answer.status_code == 201, answer.text

        run("add", "digest", f"{server.base}/feeds/digest/daily.atom?q=diffusion")
        for day, keys in (("2026-03-16", "ABC"), ("2026-03-17", "CDE"), ("2026-03-18", "FBG")):
            ingest(day, keys)
        run("run")
        tag = "tag:trendfeed,2026:digest/daily/"
        assert mails() == [
            ("trendfeed daily: 2 new papers on 2026-03-16 matching diffusion",
             f"{tag}2026-03-16?q=diffusion", sorted(ids("A", "C"))),
            ("trendfeed daily: 1 new paper on 2026-03-17 matching diffusion",
             f"{tag}2026-03-17?q=diffusion", ids("D")),
            ("trendfeed daily: 1 new paper on 2026-03-18 matching diffusion",
             f"{tag}2026-03-18?q=diffusion", ids("G"))]
        assert "Diffusion Alpha" in handler.messages[0].get_body().get_content()
        run("run")
        assert len(handler.messages) == 3
        ingest("2026-03-19", "HA")
        run("run")
        assert mails()[3:] == [("trendfeed daily: 1 new paper on 2026-03-19 matching diffusion",
                                f"{tag}2026-03-19?q=diffusion", ids("H"))]


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_digests_read_their_window_through_the_index_on_list_days(
        store: SqlStore) -> None:
    """A decade's daily digest took 3.5 s a miss on SQLite: the list days and the
    window's lists were read by scanning every list (and SQLite walked every paper's
    ranks). Step 8's index on snapshots (list_date, ingested_at) serves both reads."""
    from service.store.digests import days_since_select, list_days_select

    from .test_plans import plan_of

    for stmt in (days_since_select([], dt.date(2026, 3, 1)), list_days_select(31)):
        plan = plan_of(store, stmt)
        assert "snapshots_list_date" in plan, plan
        if store.dialect == "sqlite":
            assert "SCAN ranks" not in plan, plan
