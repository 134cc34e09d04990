"""The web pages in a real browser: Debian's chromium driven by Playwright, against a real
`trendfeed serve` (gunicorn) holding the bundled sample and three later lists.

A second server (`rich_site`) holds the sample and then today's whole upstream shape
(examples/hf-trending.json): AI summaries, thumbnails, stars, comments, organizations,
rank moves. Its thumbnails' host cannot be reached from here (no network), so the tests
tell a thumbnail that failed to load (a `net::` error of an image from the host the CSP
allows: `net::ERR_NAME_NOT_RESOLVED` here) from a CSP violation (a
`securitypolicyviolation` event, a console error naming the Content Security Policy, a
request that fails as `csp` or `net::ERR_BLOCKED_BY_CSP`), and the screenshots get a stand-in image
served by Playwright for that host (which only sees requests the CSP let through).

Screenshots of the pages (phone and desktop widths, light and dark) are written to this
module's output folder and copied to /tmp/trendfeed-screenshots/. Under CI (CI=true) a
missing browser or Playwright is a failure, never a skip: `.ci/run` installs chromium and
the test extras bring Playwright (whose own browser download is never used).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode, urlsplit

import feedparser
import httpx
import pytest

from . import conftest
from .conftest import EXAMPLES, HF_JSON, LiveServer, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path("/tmp/trendfeed-screenshots")
TOKEN = "browser-test-token"
SCRIPT_TITLE = '<script>window.__pwned = 1</script> Robust <b>Parsing</b> of "Hostile" Titles'
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
THUMBNAILS = "https://cdn-thumbnails.huggingface.co"  # examples/hf-trending.json's
BLOCKED_BY_CSP = "net::ERR_BLOCKED_BY_CSP"
# Records CSP violations before any page script runs (the page has no inline script to
# do it, and the CSP would block one).
CSP_PROBE = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _playwright() -> Any:
    """Playwright's sync API, or a skip (a failure under CI) when it or chromium is missing."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "playwright is not installed (pip install -e '.[test]')"
    if problem is None and not os.access(CHROMIUM, os.X_OK):
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}: the browser tests must run under CI")
        pytest.skip(problem)
    return sync_playwright


def sample_blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The bundled capture as (header up to its date line, [(title, abstract), ...])."""
    head, _, body = text.partition("Mar 17\n\n")
    blocks = [b.strip() for b in body.split("\n\n") if b.strip()]
    return head + "Mar 17\n\n", list(zip(blocks[0::2], blocks[1::2], strict=True))


def capture(head: str, papers: list[tuple[str, str]]) -> bytes:
    return (head + "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in papers)).encode()


def later_lists(sample: str) -> list[tuple[str, bytes]]:
    """(content type, body) of the lists posted after the sample: the HF JSON
    example (which gives "Forward Learning of Graph Neural Networks" an arXiv id, keywords,
    upvotes and a code link), then the sample reordered with a hostile title on top."""
    head, papers = sample_blocks(sample)
    forward = papers[0]
    reordered = [*papers[1:4], forward, *papers[4:]]  # Forward Learning: #1 -> #2 -> #5
    hostile = (SCRIPT_TITLE, "An abstract that mentions <img src=x onerror=alert(1)> and "
               "diffusion, to be shown as text.")
    return [("application/json", HF_JSON.read_bytes()),
            ("text/plain", capture(head, [hostile, *reordered]))]


def load_later_lists(base: str, sample: str, token: str = TOKEN) -> None:
    today = dt.datetime.now(dt.UTC).date()
    for days_ago, (content_type, body) in zip((2, 1), later_lists(sample), strict=True):
        date = (today - dt.timedelta(days=days_ago)).isoformat()
        response = httpx.post(f"{base}/api/v1/snapshots?{urlencode({'date': date})}",
                              content=body, timeout=30,
                              headers={"Authorization": f"Bearer {token}",
                                       "Content-Type": content_type})
        assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`trendfeed serve` whose TRENDFEED_BASE_URL is its own address, holding four lists."""
    folder = tmp_path_factory.mktemp("browser-site")
    port = conftest.free_port()
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{folder / 'site.db'}",
           "TRENDFEED_SAMPLE": "on", "TRENDFEED_INGEST_TOKEN": TOKEN,
           "TRENDFEED_BASE_URL": f"http://127.0.0.1:{port}", "TRENDFEED_VERSION_CHECK": "0"}
    # serving() picks its port itself: hand it the one the base URL names, while it
    # starts only (left in place, every later server of the module got the same port: it
    # failed to bind, and its readiness check and requests reached this one).
    with contextlib.ExitStack() as running:
        with mock.patch.object(conftest, "free_port", lambda: port):
            server = running.enter_context(serving(folder, env, workers=2, ready="/readyz"))
        assert server.base == env["TRENDFEED_BASE_URL"]
        sample = (conftest.ROOT / "service" / "data" / "sample-trending.txt").read_text()
        load_later_lists(server.base, sample)
        yield server


@pytest.fixture(scope="module")
def rich_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`trendfeed serve` holding the sample, then examples/hf-trending.json a day later
    (50 of the sample's papers with every new field, each up from its rank before)."""
    folder = tmp_path_factory.mktemp("browser-rich-site")
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{folder / 'site.db'}",
           "TRENDFEED_SAMPLE": "on", "TRENDFEED_INGEST_TOKEN": TOKEN,
           "TRENDFEED_VERSION_CHECK": "0"}
    with serving(folder, env, workers=1, ready="/readyz") as server:
        date = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
        response = httpx.post(f"{server.base}/api/v1/snapshots?{urlencode({'date': date})}",
                              content=(EXAMPLES / "hf-trending.json").read_bytes(), timeout=30,
                              headers={"Authorization": f"Bearer {TOKEN}",
                                       "Content-Type": "application/json"})
        assert response.status_code == 201, response.text
        snapshots = httpx.get(f"{server.base}/api/v1/snapshots", timeout=30).json()
        assert snapshots["total"] == 2, snapshots  # this server's store: sample, then that
        yield server


def stand_in_png(width: int = 1200, height: int = 630) -> bytes:
    """A social card's shape (a coloured band over a pale ground) as a PNG, for the
    screenshots: the real thumbnails' host is out of reach here."""
    band, ground = b"\x00" + b"\x4a\x55\xc8" * width, b"\x00" + b"\xee\xf0\xf6" * width
    raw = band * (height // 3) + ground * (height - height // 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _playwright()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose console errors, page errors, failed requests and CSP violations are
    collected; `assert_clean()` says none happened."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.problems: list[str] = []
        self.documents: set[str] = set()
        # Origins whose images may fail to load (out of reach), and those failures. A
        # CSP block is never one of them: it is refused before any request is made.
        self.unreachable: set[str] = set()
        self.unreached: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _out_of_reach(self, url: str, failure: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" in self.unreachable and \
            failure.startswith("net::") and failure != BLOCKED_BY_CSP

    def _console(self, message: Any) -> None:
        if message.text.startswith("Failed to load resource") and \
                message.location.get("url") in self.documents:
            return  # a page answered with its error status on purpose (a bad q: 400)
        failure = message.text.removeprefix("Failed to load resource: ")
        if failure != message.text and self._out_of_reach(message.location.get("url", ""),
                                                          failure):
            return  # a thumbnail whose host is out of reach (requestfailed records it)
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        if request.resource_type == "image" and self._out_of_reach(request.url,
                                                                   request.failure or ""):
            self.unreached.append(f"{request.url} {request.failure}")
        elif request.failure != "net::ERR_ABORTED":  # not a failure: the page moved on first
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if response.request.is_navigation_request():
            self.documents.add(response.url)
        elif response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert not violations, violations
        assert not self.problems, self.problems


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """new_page(viewport=..., color_scheme=...) -> Watched; contexts closed after."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP, color_scheme: str = "light",
             **options: Any) -> Watched:
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme,
                                      **options)
        context.add_init_script(CSP_PROBE)
        contexts.append(context)
        return Watched(context)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("screenshots")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str, full_page: bool = False) -> Path:
        path = folder / name
        page.screenshot(path=str(path), full_page=full_page)
        shutil.copy(path, SCREENSHOTS / name)
        assert path.stat().st_size > 10_000
        return path

    return save


def api_ids(base: str, q: str, scope: str = "current") -> list[str]:
    response = httpx.get(f"{base}/api/v1/papers",
                         params={"q": q, "scope": scope, "limit": 200}, timeout=30)
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def shown_ids(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "ol.papers > li.paper", "items => items.map(i => i.id.replace(/^paper-/, ''))")
    return ids


def test_typing_a_query_narrows_the_list_to_what_the_api_returns(
        site: LiveServer, new_page: Any, shots: Any) -> None:
    watched = new_page()
    page = watched.page
    page.goto(site.base + "/")
    everything = shown_ids(page)
    assert everything == api_ids(site.base, "") and len(everything) == 75
    shots(page, "home-desktop.png")

    page.get_by_label("Search papers").fill("diffusion")
    page.get_by_label("Search papers").press("Enter")
    page.wait_for_url(re.compile(r"\?q=diffusion"))
    found = shown_ids(page)
    assert found == api_ids(site.base, "diffusion")
    assert 0 < len(found) < len(everything)
    assert page.locator("h1").inner_text() == "Papers matching “diffusion”"
    assert page.get_by_label("Search papers").input_value() == "diffusion"
    assert page.locator("#count").inner_text().startswith(f"{len(found)} papers match")

    # as typed, not rearranged; narrowed further, and the scope kept in the form
    page.get_by_label("Search papers").fill("diffusion -video")
    page.get_by_label("Search in", exact=True).select_option("all")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"scope=all"))
    assert page.locator("h1").inner_text() == "Papers matching “diffusion -video”"
    assert shown_ids(page) == api_ids(site.base, "diffusion -video", "all")
    assert page.get_by_label("Search in", exact=True).input_value() == "all"
    shots(page, "search-diffusion-desktop.png", full_page=True)
    watched.assert_clean()


def test_the_atom_url_shown_for_diffusion_holds_the_same_papers(
        site: LiveServer, new_page: Any) -> None:
    watched = new_page()
    page = watched.page
    page.goto(site.base + "/?q=diffusion")
    atom_url = page.get_by_label("Atom", exact=True).inner_text()
    assert atom_url == f"{site.base}/feeds/trending.atom?q=diffusion"
    feed = feedparser.parse(httpx.get(atom_url, timeout=30).content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    api = httpx.get(f"{site.base}/api/v1/papers",
                    params={"q": "diffusion", "limit": 200}, timeout=30).json()["items"]
    # the feed holds the whole list's matches by default
    assert len(api) < 50
    assert [entry.title for entry in feed.entries] == [item["title"] for item in api]
    assert [entry.title for entry in feed.entries] == page.locator(
        "ol.papers h3.title a").all_inner_texts()
    watched.assert_clean()


def test_a_copied_feed_url_is_a_feed(site: LiveServer, new_page: Any) -> None:
    watched = new_page(permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    page.goto(site.base + "/?q=%22neural+operator%22")
    copied: list[str] = []
    for label in ("Atom", "RSS", "JSON Feed"):
        shown = page.get_by_label(label, exact=True).inner_text()
        button = page.get_by_role("button", name=f"Copy the {label} URL")
        assert button.is_visible()
        button.click()
        page.get_by_role("status").filter(has_text=f"Copied {shown}").wait_for()
        copied.append(page.evaluate("navigator.clipboard.readText()"))
        assert copied[-1] == shown
        assert button.inner_text() == "Copied"
    for url in copied:
        response = httpx.get(url, timeout=30)
        assert response.status_code == 200
        if url.endswith(".json") or ".json?" in url:
            items = response.json()["items"]
            assert items
        else:
            feed = feedparser.parse(response.content)
            assert not feed.bozo and feed.entries
            assert all("neural" in e.title.lower() or "operator" in e.summary.lower()
                       for e in feed.entries)
    # the keyword-path form is a feed of the same papers
    keyword = page.get_by_role("button", name="Copy the Atom keyword URL")
    keyword.click()
    keyword_url = f"{site.base}/feeds/keyword/%22neural+operator%22.atom"
    page.get_by_role("status").filter(has_text=f"Copied {keyword_url}").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == keyword_url
    by_path = feedparser.parse(httpx.get(keyword_url, timeout=30).content)
    by_query = feedparser.parse(httpx.get(copied[0], timeout=30).content)
    assert [e.id for e in by_path.entries] == [e.id for e in by_query.entries]
    watched.assert_clean()


def test_following_a_paper_link_shows_its_rank_chart(
        site: LiveServer, new_page: Any, shots: Any) -> None:
    watched = new_page()
    page = watched.page
    page.goto(site.base + "/")
    page.get_by_role("link", name="Forward Learning of Graph Neural Networks").click()
    page.wait_for_url("**/papers/forward-learning-of-graph-neural-networks")
    assert page.locator("h1").inner_text() == "Forward Learning of Graph Neural Networks"
    chart = page.get_by_role("img", name=re.compile("^Best rank per day over 3 days"))
    assert chart.is_visible()
    label = chart.get_attribute("aria-label") or ""
    assert re.fullmatch(r"Best rank per day over 3 days: #1 on \d{4}-03-17, #2 on [-\d]{10}, "
                        r"#5 on [-\d]{10}", label), label
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    assert page.locator("svg.rank-chart circle").count() == 3
    # the keywords the HF list gave it, as feeds that answer
    feed_link = page.get_by_role("link", name="graph neural networks: Atom feed")
    response = httpx.get(feed_link.get_attribute("href") or "", timeout=30)
    assert response.status_code == 200 and feedparser.parse(response.content).entries
    shots(page, "paper-desktop.png", full_page=True)
    watched.assert_clean()


def test_a_script_in_a_title_is_text_and_runs_nothing(
        site: LiveServer, new_page: Any) -> None:
    watched = new_page()
    page = watched.page
    page.on("dialog", lambda dialog: watched.problems.append(f"dialog: {dialog.message}"))
    page.goto(site.base + "/")
    title = page.locator("ol.papers h3.title a").first
    assert title.inner_text() == SCRIPT_TITLE
    assert page.locator("ol.papers .badge").all_inner_texts() == ["NEW"]
    assert page.locator("ol.papers li.paper").first.locator(".badge").count() == 1
    title.click()
    page.wait_for_url("**/papers/**")
    assert page.locator("h1").inner_text() == SCRIPT_TITLE
    assert page.title() == f"{SCRIPT_TITLE} · trendfeed"
    page.get_by_text("onerror=alert(1)").wait_for()
    assert page.evaluate("window.__pwned === undefined")
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    watched.assert_clean()


def test_the_pages_read_well_on_a_phone_and_in_the_dark(
        site: LiveServer, new_page: Any, shots: Any) -> None:
    for scheme in ("light", "dark"):
        watched = new_page(viewport=PHONE, color_scheme=scheme, is_mobile=True,
                           has_touch=True, device_scale_factor=2)
        page = watched.page
        page.goto(site.base + "/?q=diffusion&scope=all")
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_urls_whole(page)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background
        suffix = "" if scheme == "light" else "-dark"
        shots(page, f"home-phone{suffix}.png")
        # an abstract expands in place
        abstract = page.locator("details.abstract").first
        abstract.locator("summary").click()
        assert abstract.get_attribute("open") is not None
        assert abstract.locator("p").is_visible()
        page.goto(site.base + "/papers/forward-learning-of-graph-neural-networks")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots(page, f"paper-phone{suffix}.png", full_page=True)
        watched.assert_clean()
    watched = new_page(color_scheme="dark")
    watched.page.goto(site.base + "/?q=diffusion")
    shots(watched.page, "home-desktop-dark.png")
    watched.assert_clean()


URL_LAYOUT = """() => [...document.querySelectorAll("code.url")].map(box => ({
    text: box.textContent, copy: box.closest(".url-row").querySelector("[data-copy]")
        .getAttribute("data-copy"),
    fits: box.scrollWidth <= box.clientWidth,
    lines: new Set([...box.querySelectorAll("span")].flatMap(
        s => [...s.getClientRects()].map(r => Math.round(r.top)))).size,
    pieces: [...box.querySelectorAll("span")].map(s => ({
        text: s.textContent, rects: s.getClientRects().length}))}))"""


def assert_urls_whole(page: Any) -> list[dict[str, Any]]:
    """Every URL box shows its whole URL (the one its button copies), fits its box, and
    wraps, if at all, only between pieces ending in '/', '?' or '&' (a piece never
    breaks: one line box each)."""
    boxes: list[dict[str, Any]] = page.evaluate(URL_LAYOUT)
    assert boxes
    for box in boxes:
        assert box["text"] == box["copy"], box
        assert box["fits"], box
        for piece in box["pieces"]:
            assert piece["rects"] == 1, (box["text"], piece)
            assert not any(c in "/?&" for c in piece["text"].rstrip("/?&")), piece
    return boxes


def test_an_error_page_has_the_sites_look_and_a_way_on(
        site: LiveServer, new_page: Any, shots: Any) -> None:
    """A browser following a stale or mistyped link gets a page, not raw JSON; the same
    address answers problem+json to a program."""
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        watched = new_page(viewport=viewport)
        page = watched.page
        response = page.goto(site.base + "/papers/no-such-paper")
        assert response is not None and response.status == 404
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        assert page.locator("h1").inner_text() == "No such paper"
        assert "no paper with id 'no-such-paper'" in page.get_by_role("alert").inner_text()
        assert page.title() == "404 Not Found · trendfeed"
        # styled by the site's sheet (a 404 deeper down finds it too)
        assert page.evaluate("getComputedStyle(document.querySelector('.error'))"
                             ".borderRadius") == "6px"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shots(page, f"error-404-{suffix}.png", full_page=True)
        page.get_by_label("Search papers").fill("diffusion")
        page.get_by_label("Search papers").press("Enter")
        page.wait_for_url(re.compile(r"/\?q=diffusion&scope=all$"))
        assert shown_ids(page) == api_ids(site.base, "diffusion", "all")
        watched.assert_clean()
    watched = new_page()
    response = watched.page.goto(site.base + "/no/such/page/at/all")
    assert response is not None and response.status == 404
    assert watched.page.evaluate("getComputedStyle(document.querySelector('.error'))"
                                 ".borderRadius") == "6px"
    watched.page.get_by_role("link", name="See the trending papers").click()
    watched.page.wait_for_url(site.base + "/")
    watched.assert_clean()
    for path in ("/papers/no-such-paper", "/no/such/page/at/all"):
        program = httpx.get(site.base + path, timeout=30)
        assert program.status_code == 404
        assert program.headers["content-type"] == "application/problem+json"


def test_the_pages_work_without_javascript(site: LiveServer, new_page: Any) -> None:
    watched = new_page(java_script_enabled=False)
    page = watched.page
    page.goto(site.base + "/")
    assert page.locator("button.copy").count() == 6  # the list's feeds, its daily digests
    assert not page.locator("button.copy").first.is_visible()  # an enhancement only
    page.get_by_label("Search papers").fill("operator")
    page.get_by_label("Search papers").press("Enter")
    page.wait_for_url(re.compile(r"\?q=operator"))
    assert shown_ids(page) == api_ids(site.base, "operator")
    page.get_by_role("link", name=re.compile('^"neural operator"')).first.click()
    page.wait_for_url(re.compile("neural"))
    assert page.get_by_label("Search papers").input_value() == '"neural operator"'
    watched.assert_clean()


def test_basic_accessibility(site: LiveServer, new_page: Any) -> None:
    watched = new_page()
    page = watched.page
    for path in ("/", "/?q=diffusion", "/?q=diffusion&scope=all", "/?q=%22broken",
                 "/papers/forward-learning-of-graph-neural-networks", "/papers/no-such-paper"):
        page.goto(site.base + path)
        assert page.title().strip(), path
        assert page.evaluate("document.documentElement.lang") == "en"
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea, [role=textbox]')].filter(e =>
            !(e.labels || []).length && !e.getAttribute('aria-label') && !(document
            .getElementById(e.getAttribute('aria-labelledby')) || {}).textContent)
            .map(e => e.outerHTML)""")
        assert not unlabelled, (path, unlabelled)
        levels = page.evaluate("""() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
            .map(h => Number(h.tagName[1]))""")
        assert levels[0] == 1 and levels.count(1) == 1, (path, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path, levels)
        nameless = page.evaluate("""() => [...document.querySelectorAll('a, button')]
            .filter(e => e.checkVisibility() && !(e.innerText || e.getAttribute('aria-label') || '')
            .trim()).map(e => e.outerHTML)""")
        assert not nameless, (path, nameless)
    # every control is reachable with the keyboard, in order: search box, scope, button
    page.goto(site.base + "/?q=diffusion")
    reached: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("""() => { const e = document.activeElement;
            return e.id || e.getAttribute('aria-label') || e.textContent.trim(); }"""))
    assert reached.index("q") < reached.index("scope") < reached.index("Search")
    assert "Copy the Atom URL" in reached and "Copy the RSS URL" in reached
    assert reached[0] == "Skip to content"
    watched.assert_clean()


# -- today's upstream fields: summaries, thumbnails, stars, comments, moves ----------------


THUMBNAILS_DONE = """() => [...document.querySelectorAll("img")].filter(i => i.complete)
    .length"""
VIOLATE = """() => { const i = document.createElement("img");
    i.src = "https://elsewhere.example/x.png"; i.alt = ""; document.body.append(i); }"""


def test_thumbnails_load_lazily_and_break_no_csp_when_their_host_is_out_of_reach(
        rich_site: LiveServer, new_page: Any) -> None:
    watched = new_page()
    watched.unreachable = {THUMBNAILS}
    page = watched.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if r.url.startswith(THUMBNAILS)
            else None)
    response = page.goto(rich_site.base + "/")
    assert response is not None
    assert f"img-src 'self' {THUMBNAILS};" in response.headers["content-security-policy"]
    thumbs = page.locator("ol.papers img.thumb")
    assert thumbs.count() == 50
    page.wait_for_function("() => document.querySelector('img.thumb').complete")
    page.wait_for_timeout(300)  # (let the requests the first screen starts fail)
    first_screen = len(set(requested))
    assert 0 < first_screen < 50, first_screen  # lazy: the rest wait for a scroll
    box = thumbs.first.bounding_box()  # its box is there, image or not: no layout shift
    assert box and (round(box["width"]), round(box["height"])) == (160, 84), box
    thumbs.last.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('img.thumb')].at(-1).complete")
    assert len(set(requested)) > first_screen
    # each request that failed is a thumbnail's, for the host being out of reach
    assert watched.unreached and all(
        f.startswith(THUMBNAILS + "/") and f.endswith("net::ERR_NAME_NOT_RESOLVED")
        for f in watched.unreached), watched.unreached
    watched.assert_clean()  # no CSP violation, no console error but those
    # ... and the same watch does see an image from any other host refused
    page.evaluate(VIOLATE)
    page.wait_for_function("() => window.__csp.length > 0")
    assert page.evaluate("window.__csp") == ["img-src https://elsewhere.example/x.png"]
    page.wait_for_timeout(200)
    assert [problem for problem in watched.problems if "elsewhere.example" in problem
            and ("Content Security Policy" in problem or problem.endswith(" csp"))], \
        watched.problems
    assert not any("elsewhere" in failed for failed in watched.unreached)


def test_the_richer_list_and_paper_page_on_desktop_and_phone(
        rich_site: LiveServer, new_page: Any, shots: Any) -> None:
    card = stand_in_png()
    top = httpx.get(f"{rich_site.base}/api/v1/papers?limit=1", timeout=30).json()["items"][0]
    assert top["rank"] == 1 and top["previous_rank"] > 1 and top["ai_summary"]
    for viewport, size, extra in ((DESKTOP, "desktop", {}),
                                  (PHONE, "phone", {"is_mobile": True, "has_touch": True,
                                                    "device_scale_factor": 2})):
        watched = new_page(viewport=viewport, **extra)
        page = watched.page
        watched.context.route(THUMBNAILS + "/**", lambda route: route.fulfill(
            status=200, content_type="image/png", body=card))
        page.goto(rich_site.base + "/")
        first = page.locator("ol.papers li.paper").first
        assert first.locator(".rank").inner_text().endswith("#1")
        assert first.locator(".move").inner_text() == f"up from #{top['previous_rank']}"
        summary = first.locator("p.ai-summary")
        assert summary.locator(".ai-label").inner_text().lower() == \
            "ai summary (machine-written by hugging face)"
        # set apart from the abstract: a tinted panel with a rule, the abstract plain
        look = summary.evaluate("e => [getComputedStyle(e).backgroundColor, "
                                "getComputedStyle(e).borderLeftWidth]")
        assert look[0] not in ("rgba(0, 0, 0, 0)", "transparent") and look[1] == "3px", look
        assert first.locator(".abstract").evaluate(
            "e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
        page.wait_for_function("() => document.querySelector('img.thumb').naturalWidth > 0")
        box = first.locator("img.thumb").bounding_box()
        assert box and abs(box["width"] / box["height"] - 160 / 84) < 0.05, box
        stars = page.locator("ol.papers p.links a", has_text="code").first
        assert re.fullmatch(r"code ★ [\d,]+\s+GitHub stars", stars.inner_text()), stars
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shots(page, f"rich-home-{size}.png")
        page.locator("#subscribe").scroll_into_view_if_needed()
        digest = page.get_by_label("Atom daily digest", exact=True)
        assert digest.inner_text() == f"{rich_site.base}/feeds/digest/daily.atom"
        shots(page, f"rich-home-subscribe-{size}.png")
        assert_urls_whole(page)
        # the paper page: its summary labelled, the thumbnail larger, the move in words
        first.locator("h3 a").click()
        page.wait_for_url("**/papers/**")
        assert page.get_by_role("heading", name="AI summary (machine-written by Hugging Face)"
                                ).is_visible()
        large = page.locator("img.thumb-large")
        page.wait_for_function("() => document.querySelector('img.thumb-large').naturalWidth")
        large_box = large.bounding_box()
        assert large_box and large_box["width"] > box["width"] * 2, large_box
        assert page.locator("dl.facts").inner_text().count(
            f"#1, up from #{top['previous_rank']}") == 1
        assert page.locator("section.ai-summary p").inner_text() == top["ai_summary"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shots(page, f"rich-paper-{size}.png", full_page=True)
        watched.assert_clean()
