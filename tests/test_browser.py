"""The web pages in a real browser: Debian's chromium driven by Playwright, against a real
`trendfeed serve` (gunicorn) holding the bundled sample and three later lists.

Screenshots of the pages (phone and desktop widths, light and dark) are written to this
module's output folder and copied to /tmp/trendfeed-screenshots/. Under CI (CI=true) a
missing browser or Playwright is a failure, never a skip: `.ci/run` installs chromium and
the test extras bring Playwright (whose own browser download is never used).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import feedparser
import httpx
import pytest

from . import conftest
from .conftest import HF_JSON, LiveServer, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path("/tmp/trendfeed-screenshots")
TOKEN = "browser-test-token"
SCRIPT_TITLE = '<script>window.__pwned = 1</script> Robust <b>Parsing</b> of "Hostile" Titles'
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
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
    # serving() picks its port itself: hand it the one the base URL names.
    with mock.patch.object(conftest, "free_port", lambda: port), \
            serving(folder, env, workers=2, ready="/readyz") as server:
        assert server.base == env["TRENDFEED_BASE_URL"]
        sample = (conftest.ROOT / "service" / "data" / "sample-trending.txt").read_text()
        load_later_lists(server.base, sample)
        yield server


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
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.text.startswith("Failed to load resource") and \
                message.location.get("url") in self.documents:
            return  # a page answered with its error status on purpose (a bad q: 400)
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":  # not a failure: the page moved on first
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
    chart = page.get_by_role("img", name=re.compile("^Rank over 3 lists"))
    assert chart.is_visible()
    label = chart.get_attribute("aria-label") or ""
    assert re.fullmatch(r"Rank over 3 lists: #1 on \d{4}-03-17, #2 on [-\d]{10}, "
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
    assert page.locator("button.copy").count() == 3
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
