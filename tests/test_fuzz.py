"""Fuzzing: every parser and renderer, fed arbitrary and almost-valid input, either answers
or raises its own error, and what it answers keeps its promises.

Covered: the text capture parser, the hf-json parser, the normalizer, the query parser
(every accepted query's canonical form is accepted and means the same), the cursor
decoder (directly and through the API) and every feed renderer (RSS and Atom parse with
feedparser at bozo 0, JSON Feed validates against its schema, titles round-trip).

The example counts are not set here: they come from the active Hypothesis profile
(tests/conftest.py), a few hundred by default and 2,000 under `HYPOTHESIS_PROFILE=slow`,
which CI runs. `fuzz/` holds the coverage-guided (atheris) harnesses for the text and
query parsers.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

import feedparser
import jsonschema
import lxml.etree
import lxml.html
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.feeds import RENDERERS, FeedData, render_opml
from service.feeds.common import TAG_AUTHORITY
from service.feeds.opml import Outline
from service.http.pagination import Cursor, decode
from service.http.problems import Problem
from service.model import ARXIV_ID, PAPER_ID, Links, Paper, RawList, RawPaper
from service.normalize import UnusableText, classify, clean_text, clean_title, normalize
from service.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    MAX_WORDS,
    Arxiv,
    Has,
    Query,
    QueryError,
    Text,
    Upvotes,
    parse,
)
from service.sources import SourceError
from service.sources import parse as parse_source
from service.sources.lines import MAX_TITLE_CHARS, per_paper_line
from service.urls import keyword_path
from service.words import words

from .conftest import DATA, ENGINES, HF_JSON, TRENDING, ingest_text
from .test_query import queries, ref_evaluate

JSONFEED_SCHEMA = json.loads((DATA / "jsonfeed-1.1.schema.json").read_text())
DECODER_APP = Flask(__name__)  # decode() raises its problem inside a request context
BASE = "http://feeds.test"
WHEN = dt.datetime(2026, 3, 17)
# Function-scoped fixtures (the app, its client) are read-only here: sharing them between
# the examples of one test is what we want.
SHARED_FIXTURE = [HealthCheck.function_scoped_fixture]
FUZZ = settings(deadline=None)  # the example count comes from the profile


# -- characters and text that parsers find hard ---------------------------------------

SPECIAL_CHARACTERS = (
    "\t\n\r \x00\x01\x08\x0b\x0c\x1c\x1f\x7f\x85\x9f\u00a0\u00ad\u0301\u0308\u034f"
    "\u061c\u200b\u200d\u200e\u202a\u202e\u2028\u2029\u2066\u2069\u3000\ufeff\ufffd"
    "\ufffe\uffff\ud800\udfff\U000e0001\U0010ffff\ufb03\u00bd\u0662\uff15\u00df\u1e9e"
    "\u0130\u03a3\u00e9e\u0301\u212b\"'-:<>&;]]>*+.,!?()[]{}#%/\\")
ANY_CHARACTER = st.one_of(st.characters(exclude_categories=()),  # surrogates included
                          st.sampled_from(SPECIAL_CHARACTERS))
NASTY_TEXT = st.text(ANY_CHARACTER, max_size=60)


def _fixture_lines() -> list[str]:
    lines = TRENDING.read_text().splitlines()
    for path in sorted((DATA / "captures").glob("*.txt")):
        lines += path.read_text().splitlines()
    return list(dict.fromkeys(lines))


FIXTURE_LINES = _fixture_lines()


def _fixture_line(index: int) -> str:
    return FIXTURE_LINES[index]


# (drawn by index: a strategy's repr would otherwise spell out every line)
FIXTURE_LINE = st.integers(0, len(FIXTURE_LINES) - 1).map(_fixture_line)
FIXTURE_TEXT = TRENDING.read_text()


def _forbidden_in_xml(ch: str) -> bool:
    """XML 1.0 Char, minus C1 and DEL (what SPEC 2 and docs/design.md promise to drop)."""
    code = ord(ch)
    return (code < 0x20 and ch not in "\t\n\r") or 0x7F <= code <= 0x9F \
        or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)


def _is_clean(text: str) -> bool:
    """NFC, nothing XML forbids, single spaces, no other whitespace, stripped."""
    return (not any(_forbidden_in_xml(ch) for ch in text)
            and unicodedata.is_normalized("NFC", text)
            and text == text.strip() and "  " not in text
            and all(ch == " " or not ch.isspace() for ch in text))


@st.composite
def mutated(draw: Any, line: st.SearchStrategy[str]) -> str:
    """A line with a few characters inserted, deleted or replaced."""
    text = draw(line)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(ANY_CHARACTER)
        if action == "insert":
            text = text[:at] + char + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + char + text[at + 1:]
    return text


CAPTURE_LINE = st.one_of(
    st.just(""), st.just(""),
    FIXTURE_LINE,
    mutated(FIXTURE_LINE),
    st.sampled_from(["Mar 17", "March 17, 2025", "Feb 29", "Feb 30", "Sept. 3, 0000", "new",
                     "Subscribe", "Trending Papers", "Submitted by x", "0", "999,999,999",
                     "Published on Feb 29", "Published on Feb 29, 2023", "· 0 authors",
                     "★ 1.2k", "GitHub 312", "Upvote", "\t", "\u00a0", "\ufeff"]),
    NASTY_TEXT,
    st.text(st.sampled_from("ab \t\u00a0.:-0123456789"), max_size=20),
    st.text(min_size=401, max_size=420),
)


@st.composite
def captures(draw: Any) -> str:
    """A capture: fixture lines, mutated ones and junk, joined by any line break."""
    if draw(st.booleans()):  # a slice of the real capture, lightly edited
        lines = FIXTURE_TEXT.splitlines()
        start = draw(st.integers(0, len(lines) - 1))
        lines = lines[start:start + draw(st.integers(1, 40))]
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(CAPTURE_LINE))
        if lines and draw(st.booleans()):
            del lines[draw(st.integers(0, len(lines) - 1))]
    else:
        lines = draw(st.lists(CAPTURE_LINE, max_size=40))
    breaks = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    if breaks != "mixed":
        return breaks.join(lines)
    return "".join(line + draw(st.sampled_from(["\n", "\r\n", "\r"])) for line in lines)


# -- the text parser ----------------------------------------------------------------------


def _check_text_result(content: str, raw: RawList) -> None:
    assert raw.format == "text" and raw.papers
    line_count = len(re.split(r"\r\n|\r|\n", content))
    for paper in raw.papers:
        for text in (paper.title, paper.abstract):
            assert text and text == " ".join(text.split()), text
            assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text)
        assert len(paper.title) <= MAX_TITLE_CHARS
        assert per_paper_line(paper.title, 1) is None  # a per-paper line is never a title
        number = int(paper.where.removeprefix("line "))
        assert 1 <= number <= line_count


def _check_source_error(exc: SourceError) -> None:
    assert exc.message
    assert exc.where.startswith(("line ", "entry ")) or exc.where in ("", "date line") \
        or "empty" in exc.message, exc


@FUZZ
@given(captures())
def test_the_text_parser_reads_any_capture_or_names_the_line(content: str) -> None:
    try:
        raw = parse_source(content.encode("utf-8", "surrogatepass"), format="text")
    except SourceError as exc:
        _check_source_error(exc)
        if exc.message != "the input is empty" and "UTF-8" not in exc.message \
                and "NUL" not in exc.message:
            assert exc.where, exc  # every refusal of a capture names its place
        return
    _check_text_result(content, raw)


@FUZZ
@given(st.binary(max_size=400) | captures().map(lambda c: c.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_a_list_or_a_source_error_in_every_format(data: bytes) -> None:
    for format in ("auto", "text", "hf-json"):
        try:
            raw = parse_source(data, format=format)
        except SourceError as exc:
            _check_source_error(exc)
            continue
        assert raw.papers


def _records(raw: RawList) -> list[tuple[Any, ...]]:
    """What a list says, without where it says it (line numbers move)."""
    return [(p.title, p.abstract, p.upvotes, p.submitter, p.published, p.published_month_day)
            for p in raw.papers]


def _outcome(content: str) -> Any:
    try:
        raw = parse_source(content.encode("utf-8", "surrogatepass"), format="text")
    except SourceError:
        return "refused"
    return (_records(raw), raw.list_date, raw.list_month_day)


@FUZZ
@given(captures(), st.sampled_from(["crlf", "trailing", "blank lines", "nbsp", "tabs"]))
def test_what_copying_a_page_does_changes_nothing(content: str, change: str) -> None:
    """SPEC 1.1's tolerance: CRLF or LF, any number of blank lines, trailing spaces, tabs
    and non-breaking spaces give the same list (or the same refusal)."""
    lines = re.split(r"\r\n|\r|\n", content)
    if change == "crlf":
        changed = "\r\n".join(lines)
        content = "\n".join(lines)
    elif change == "trailing":
        changed = "\n".join(line + " \t" for line in lines)
    elif change == "blank lines":
        changed = "\n".join(line if line.strip() else "\n\n" for line in lines)
    elif change == "nbsp":
        changed = "\n".join(line.replace(" ", "\u00a0") for line in lines)
    else:
        changed = "\n".join(line.replace(" ", " \t ") for line in lines)
    assert _outcome(changed) == _outcome(content)


# -- the hf-json parser ---------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                | st.text(ANY_CHARACTER, max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
ARXIV_IDS = st.one_of(
    st.from_regex(r"\d{4}\.\d{4,5}(v\d{1,3})?", fullmatch=True),
    st.sampled_from(["2401.00001v", "2401.0001", "2401.000011", "\u0662\u0664\u0660\u0663.12345",
                     " 2401.00001 ", "2401.00001v2v3", "hep-th/9901001", "", " "]),
    json_values)
# Timestamps the parser must read or refuse, the ends of datetime's range included.
TIMESTAMPS = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(dt.datetime.isoformat),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]),
    st.sampled_from(["2025-09-04T21:26:31.000Z", "2025-09-04", "2025-02-30T00:00:00Z",
                     "2025-09-04T21:26:31+24:00", "yesterday", "", "Z", "2025-09-04T25:00Z"]),
    json_values)
URLS = st.one_of(
    st.sampled_from(["https://github.com/a/b", "https://github.com/a/b.git", "http://x",
                     "https://", "https://a b", "ftp://x.org", " https://x.github.io/p ",
                     "https://[::1", "javascript:alert(1)", "HTTPS://GITHUB.COM/A/B"]),
    st.text(ANY_CHARACTER, max_size=30).map(lambda s: "https://" + s), json_values)
TEXTS = st.one_of(NASTY_TEXT, FIXTURE_LINE, json_values)
COUNTS = st.integers(-5, 2**31 + 5) | st.sampled_from([2**63, 10**30]) | json_scalars
ORGANIZATIONS = st.fixed_dictionaries({"fullname": TEXTS}) | json_values


@st.composite
def hf_entries(draw: Any) -> Any:
    """An hf-json entry, every field either valid or a plausible mistake."""
    fields = {
        "id": ARXIV_IDS, "title": TEXTS, "summary": TEXTS,
        "authors": st.lists(st.fixed_dictionaries({"name": TEXTS}) | json_values, max_size=4)
        | json_values,
        "ai_keywords": st.lists(TEXTS, max_size=4) | json_values,
        "upvotes": st.integers(-5, 2**31 + 5) | st.sampled_from([2**63, 10**30])
        | st.booleans() | json_scalars,
        "githubRepo": URLS, "projectPage": URLS, "publishedAt": TIMESTAMPS,
        # today's fields (SPEC 1.2)
        "ai_summary": TEXTS, "githubStars": COUNTS, "submittedOnDailyAt": TIMESTAMPS,
        "organization": ORGANIZATIONS,
    }
    paper = {name: draw(strategy) for name, strategy in fields.items() if draw(st.booleans())}
    entry: dict[str, Any] = {"paper": paper}
    for name, strategy in (("title", TEXTS), ("summary", TEXTS), ("publishedAt", TIMESTAMPS),
                           ("submittedBy", st.fixed_dictionaries({"name": TEXTS}) | json_values),
                           ("thumbnail", URLS), ("numComments", COUNTS),
                           ("organization", ORGANIZATIONS)):
        if draw(st.booleans()):
            entry[name] = draw(strategy)
    return entry if draw(st.integers(0, 9)) else draw(json_values)


@FUZZ
@given(st.lists(hf_entries(), max_size=5) | json_values)
def test_the_json_parser_reads_any_document_or_names_the_entry(document: Any) -> None:
    content = json.dumps(document)
    try:
        raw = parse_source(content.encode("utf-8", "surrogatepass"), format="hf-json")
    except SourceError as exc:
        _check_source_error(exc)
        match = re.match(r"entry (\d+)", exc.where)
        if match:
            assert isinstance(document, list) and int(match.group(1)) < len(document)
        return
    assert isinstance(document, list) and raw.papers and raw.format == "hf-json"
    for index, paper in enumerate(raw.papers):
        assert paper.where == f"entry {index}"
        assert paper.arxiv_id and ARXIV_ID.fullmatch(paper.arxiv_id)
        assert paper.title.strip() and paper.abstract.strip()
        assert paper.upvotes is None or (type(paper.upvotes) is int
                                         and 0 <= paper.upvotes < 2**31)  # what the store holds
        for url in (paper.code_url, paper.project_url):
            assert url is None or (url.lower().startswith(("http://", "https://"))
                                   and not any(c.isspace() for c in url))
        assert paper.published is None or paper.published.tzinfo is None
        assert all(isinstance(a, str) for a in paper.authors + paper.keywords)


_WARNING = re.compile(r"entry (\d+), field '[^']+': .+ \(dropped\)", re.DOTALL)


@FUZZ
@given(st.lists(hf_entries(), min_size=1, max_size=5))
def test_entry_by_entry_every_entry_is_a_paper_or_skipped_and_every_drop_named(
        document: list[Any]) -> None:
    """SPEC 1.2: skipping invalid entries, each entry is either a paper (at its own index)
    or skipped (named by index); each warning names a kept entry and a field; today's
    fields, when kept, are what the store can hold and the feeds can carry."""
    now = dt.datetime(2026, 11, 27, 8)
    raw = parse_source(json.dumps(document).encode(), format="hf-json", skip_invalid=True,
                       now=now)
    gone = [s.index for s in raw.skipped]
    assert gone == sorted(set(gone)) and len(raw.papers) + len(gone) == len(document)
    kept = [i for i in range(len(document)) if i not in gone]
    assert [p.where for p in raw.papers] == [f"entry {i}" for i in kept]
    for warning in raw.warnings:
        match = _WARNING.fullmatch(warning)
        assert match and int(match.group(1)) in kept, warning
    for paper in raw.papers:
        for count in (paper.upvotes, paper.github_stars, paper.comments):
            assert count is None or (type(count) is int and 0 <= count < 2**31)
        assert paper.thumbnail is None or (
            paper.thumbnail.lower().startswith(("http://", "https://"))
            and paper.thumbnail.isprintable() and not any(c.isspace() for c in paper.thumbnail))
        latest = now + dt.timedelta(days=1)
        for moment in (paper.published, paper.hf_daily_at):
            assert moment is None or (moment.tzinfo is None
                                      and dt.datetime(1991, 1, 1) <= moment <= latest)
        for text in (paper.ai_summary, paper.organization, paper.submitter):
            assert text is None or (isinstance(text, str) and text.strip())
        try:  # (the ingest skips an unusable one, naming its field: tests/test_entries.py)
            normal = normalize(paper)
        except UnusableText as exc:
            usable = words(clean_title(paper.title)) and clean_text(paper.abstract)
            assert exc.part in ("title", "abstract")
            assert not usable or "characters long, more than the" in exc.message, exc
            normal = None
        if normal is not None:
            for text in (normal.ai_summary, normal.organization, normal.thumbnail):
                assert text is None or (text and _is_clean(text)), repr(text)


@FUZZ
@given(st.one_of(
    st.text(ANY_CHARACTER, max_size=80).map(lambda s: "[" + s),
    st.text(st.sampled_from('[]{}",:0123456789eE.+-truefalsnl \\u'), max_size=80),
    st.integers(1, 200_000).map(lambda n: "[" * n),
    st.integers(1, 5_000).map(lambda n: '[{"paper":' * n),
    st.integers(4_000, 100_000).map(lambda n: "[" + "9" * n + "]"),
))
def test_malformed_json_text_is_a_source_error(content: str) -> None:
    try:
        parse_source(content.encode("utf-8", "surrogatepass"), format="hf-json")
    except SourceError as exc:
        _check_source_error(exc)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_published_date_out_of_range_in_utc_is_read_or_refused(moment: str) -> None:
    """Found by this file: the offset moved the date out of datetime's range and an
    OverflowError escaped the parser (a 500 over HTTP, a dead refresher)."""
    document = [{"paper": {"id": "2401.00001", "title": "T", "summary": "S",
                           "publishedAt": moment}}]
    with contextlib.suppress(SourceError):
        parse_source(json.dumps(document).encode(), format="hf-json")


@pytest.mark.parametrize(("database_url", "upvotes"), [
    pytest.param("sqlite", 2**31 - 1, id="sqlite-2**31-1"),
    pytest.param("sqlite", 2**31, id="sqlite-2**31"),
    pytest.param("sqlite", 2**63, id="sqlite-2**63"),
    pytest.param("sqlite", 10**30, id="sqlite-10**30"),
    pytest.param("postgresql", 2**31 - 1, id="postgresql-2**31-1", marks=pytest.mark.postgres),
    pytest.param("postgresql", 2**31, id="postgresql-2**31", marks=pytest.mark.postgres),
    pytest.param("postgresql", 2**63, id="postgresql-2**63", marks=pytest.mark.postgres),
], indirect=["database_url"])
def test_upvotes_the_json_parser_accepts_can_be_stored(store: Any, upvotes: int) -> None:
    """Found by this file: any JSON integer was accepted, and one the store's column
    cannot hold (64 bits on SQLite, 32 on PostgreSQL) failed the ingest in the store (a
    503 over HTTP) instead of a SourceError naming the entry. Since SPEC 1.2 (issue 17) a
    count out of range is dropped with a warning naming the entry and field, and the
    paper stored without it."""
    document = [{"paper": {"id": "2401.00001", "title": "T", "summary": "S",
                           "upvotes": upvotes}}]
    try:
        result = ingest_text(store, json.dumps(document))
    except SourceError:
        return  # refused with the entry named: fine too
    stored = store.paper("2401.00001").upvotes
    if stored is None:
        assert [w.split(":")[0] for w in result.warnings] == ["entry 0, field 'paper.upvotes'"]
    else:
        assert stored == upvotes and not result.warnings


# -- the normalizer -------------------------------------------------------------------------

URL_PIECES = st.sampled_from([
    "https://github.com/facebookresearch/forwardgnn.", "(https://github.com/divelab/AIRS).",
    "https://x.github.io/p/", "https://gitlab.com/a/b.git", "http://[::1", "https://",
    "http://a.b/c?d=e&f=<g>", "https://huggingface.co/spaces/a/b", "https://sites.google.com/x",
    "https://GitHub.com/A/B", "https://example.org/a_(b)", "http://\u00e9x.org/\u0301",
    "https://git.io/x]", "https://a.b/\"c\"", "https://[::1]:80/x", "http://a.b:99999/"])
RAW_TEXT = st.one_of(
    NASTY_TEXT, FIXTURE_LINE, mutated(FIXTURE_LINE),
    st.lists(NASTY_TEXT | URL_PIECES, max_size=6).map(" ".join))


# What the hf-json parser lets through as githubRepo / projectPage: http(s), no whitespace.
SOURCE_URLS = (URL_PIECES | NASTY_TEXT.map(lambda s: "https://" + s)).map(str.strip).filter(
    lambda url: not any(c.isspace() for c in url))


@st.composite
def raw_papers(draw: Any) -> RawPaper:
    return RawPaper(
        title=draw(RAW_TEXT), abstract=draw(RAW_TEXT), where=draw(st.sampled_from(
            ["line 3", "entry 0"])),
        arxiv_id=draw(st.none() | st.from_regex(ARXIV_ID, fullmatch=True)),
        authors=tuple(draw(st.lists(RAW_TEXT, max_size=4))),
        keywords=tuple(draw(st.lists(RAW_TEXT, max_size=4))),
        upvotes=draw(st.none() | st.integers(0, 10**9)),
        code_url=draw(st.none() | SOURCE_URLS), project_url=draw(st.none() | SOURCE_URLS),
        submitter=draw(st.none() | RAW_TEXT))


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*|paper-[0-9a-f]{8}")


@FUZZ
@given(raw_papers())
def test_the_normalizer_gives_clean_text_ids_and_links_or_refuses_at_the_place(
        raw: RawPaper) -> None:
    try:
        paper = normalize(raw)
    except SourceError as exc:
        assert exc.where == raw.where
        return
    for text in (paper.title, paper.abstract, *paper.authors, *paper.keywords,
                 paper.submitter or ""):
        assert _is_clean(text), repr(text)
    assert paper.title == clean_title(paper.title) == clean_title(raw.title)
    assert paper.abstract == clean_text(paper.abstract) and paper.abstract
    assert paper.title_key == " ".join(words(paper.title)) and paper.title_key
    assert SLUG.fullmatch(paper.slug) and len(paper.slug) <= 80 and PAPER_ID.fullmatch(paper.slug)
    assert len(set(paper.authors)) == len(paper.authors) and all(paper.authors)
    assert len(set(paper.keywords)) == len(paper.keywords) and all(paper.keywords)
    seen: set[str] = set()
    for kind in ("code", "project", "other"):
        for url in getattr(paper.links, kind):
            assert url.lower().startswith(("http://", "https://")), url
            assert _is_clean(url) and " " not in url
            assert url[-1] not in ".,;:!?'\"*", url  # sentence punctuation trimmed
            key = url.rstrip("/").lower()
            assert key not in seen
            seen.add(key)
            forced = (kind == "code" and raw.code_url is not None) or \
                     (kind == "project" and raw.project_url is not None)
            if not forced:
                assert classify(url) == kind, url
            if kind == "code":
                assert not url.lower().endswith(".git")


# -- the query parser -----------------------------------------------------------------------

QUERY_TOKENS = st.sampled_from([
    "graph", "neural", "Naïve", "ﬃ", "½", "٢٤", "ß", "İ", "Σ", "x", "3", "OR", "or", "-", "--",
    '"', '""', ":", "title:", "Title:", "abstract:", "author:", "authors:", "keyword:",
    "keywords:", "has:", "has:code", "HAS:Project", "has:data", "arxiv:", "arxiv:2403.12345",
    "ARXIV:2403.12345v2", "arxiv:2403.1234", "2403.12345", "2403.12345v", "-2403.12345",
    '-"2403.12345"', "upvotes:",
    "upvotes:>=50", "upvotes:50", "upvotes:<", "upvotes:=0001", "upvotes:>1234567890",
    "venue:", "mlp-mixer", "few-shot", "a.b.c", "!!!", "\u0301", "\u200b", "\ufffe", "\t",
    "\u3000", "\x00", "\ud800", "(", ")", "*", "NEAR", "AND", "NOT", "^", "'"])


@st.composite
def query_texts(draw: Any) -> str:
    """Arbitrary text, token soup from the language's own pieces, or a generated valid
    query with noise spliced in."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.text(ANY_CHARACTER, max_size=80))
    if kind == 1:
        parts = draw(st.lists(QUERY_TOKENS | NASTY_TEXT, max_size=24))
        return "".join(p + draw(st.sampled_from(["", " ", " ", "  "])) for p in parts)
    q = draw(queries())[0]
    if kind == 2:
        return q
    return draw(mutated(st.just(q)))


def _terms(query: Query) -> int:
    return sum(len(c.alternatives) for c in query.clauses)


def _words(query: Query) -> int:
    return sum(len(a.words) for c in query.clauses for a in c.alternatives
               if isinstance(a, Text))


_FIELD_OF = {"title": "title", "abstract": "abstract", "authors": "author",
             "keywords": "keyword"}


def ref_clauses(query: Query) -> list[tuple[bool, list[Any]]]:
    """A parsed Query in test_query's reference form (what ref_evaluate reads)."""
    clauses = []
    for clause in query.clauses:
        trees: list[Any] = []
        for atom in clause.alternatives:
            if isinstance(atom, Text):
                field = _FIELD_OF[atom.fields[0]] if atom.fields else ""
                trees.append(("text", field, list(atom.words)))
            elif isinstance(atom, Has):
                trees.append(("has", atom.what))
            elif isinstance(atom, Arxiv):
                trees.append(("arxiv", atom.id))
            else:
                assert isinstance(atom, Upvotes)
                trees.append(("upvotes", atom.op, atom.value))
        clauses.append((clause.negated, trees))
    return clauses


def _papers() -> tuple[Paper, ...]:
    """A small in-memory history: the HF sample (authors, keywords, upvotes, arXiv ids),
    the first papers of the capture, and a few made to match the generated queries."""
    raws = list(parse_source(HF_JSON.read_bytes()).papers)
    raws += list(parse_source(TRENDING.read_bytes()).papers)[:12]
    raws += [RawPaper(title=title, abstract=abstract, where="line 1", authors=authors,
                      keywords=keywords, upvotes=upvotes, arxiv_id=arxiv_id)
             for title, abstract, authors, keywords, upvotes, arxiv_id in [
                 ("Naïve Graph Neural Operator", "A flow of tokens, see https://x.github.io/p.",
                  ("Ann Graph",), ("neural operator",), 50, "2403.99901"),
                 ("Mixer of Attention", "Federated learning of 3d vision, imag.",
                  ("Zed Model", "Of Mixer"), ("diffusion", "x"), 0, "2501.01005"),
                 ("Transformer Frequency Model", "Zzzz token mixer https://github.com/a/b",
                  (), (), None, None)]]
    papers = []
    for rank, raw in enumerate(raws, start=1):
        normal = normalize(raw)
        papers.append(Paper(id=normal.slug, title=normal.title, abstract=normal.abstract,
                            arxiv_id=normal.arxiv_id, authors=normal.authors,
                            keywords=normal.keywords, upvotes=normal.upvotes,
                            links=normal.links, first_seen=WHEN, last_seen=WHEN, updated=WHEN,
                            rank=rank, best_rank=rank, appearances=1))
    return tuple(papers)


PAPERS = _papers()


def _check_accepted(q: str, query: Query) -> str:
    canonical = query.canonical()
    assert len(canonical) <= MAX_QUERY_CHARS
    assert _terms(query) <= MAX_TERMS and _words(query) <= MAX_WORDS
    again = parse(canonical)  # every accepted query's canonical form is accepted ...
    assert again == query, (q, canonical)
    assert again.canonical() == canonical
    # ... and means the same, on every paper of a small history
    meaning = [ref_evaluate(p, ref_clauses(query)) for p in PAPERS]
    assert [ref_evaluate(p, ref_clauses(again)) for p in PAPERS] == meaning
    return canonical


@FUZZ
@given(query_texts())
def test_any_query_is_refused_or_its_canonical_form_means_the_same(q: str) -> None:
    try:
        query = parse(q)
    except QueryError as exc:
        assert str(exc)
        return
    canonical = _check_accepted(q, query)
    if query:  # the forms URLs carry parse back to it too: keyword paths and ?q=
        assert parse(unquote(keyword_path(query)).replace("+", " ")) == query
        assert parse(parse_qs(urlencode({"q": canonical}))["q"][0]) == query


@FUZZ
@given(queries())
def test_a_generated_query_means_what_the_reference_says(generated: Any) -> None:
    """The parser's reading of a query and of its canonical form agree with the
    independent reference (tests/test_query.py) on every paper."""
    q, clauses = generated
    try:
        query = parse(q)
    except QueryError as exc:  # only the limits refuse a generated query
        assert "at most" in str(exc), (q, exc)
        return
    _check_accepted(q, query)
    expected = [ref_evaluate(p, clauses) for p in PAPERS]
    assert [ref_evaluate(p, ref_clauses(parse(query.canonical()))) for p in PAPERS] == expected


@pytest.mark.parametrize("q", ["-2403.12345", '-"2403.12345"', "diffusion -2403.12345v2"])
def test_an_excluded_bare_arxiv_id_has_a_canonical_form(q: str) -> None:
    """Found by fuzz/fuzz_query.py: `-2403.12345` was accepted, but its canonical form
    `-"2403 12345" OR arxiv:2403.12345` was refused, so its feed's self link was a 400."""
    try:
        query = parse(q)
    except QueryError:
        return  # refusing it would do too
    assert parse(query.canonical()) == query


# -- the cursor decoder ---------------------------------------------------------------------

WHAT = {"q": "", "scope": "current", "sort": "rank"}
WHATS = [WHAT, {"q": "", "scope": "all", "sort": "-first_seen"},
         {"q": "", "scope": "all", "sort": "first_seen"},
         {"q": "", "scope": "current", "sort": "-upvotes"}]
KEYS = st.one_of(st.integers(-(2**64), 2**64), st.integers(-5, 100),
                 st.sampled_from([2**63 - 1, -(2**63), 2**63, 2**31, 0]), json_scalars)


def _encode(payload: Any) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@st.composite
def cursor_tokens(draw: Any) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(ANY_CHARACTER, max_size=60))
    if kind == 1:
        return base64.urlsafe_b64encode(draw(st.binary(max_size=60))).decode() \
            .rstrip(draw(st.sampled_from(["", "="])))
    if kind == 2:
        return _encode(draw(json_values))
    payload = {"v": draw(st.sampled_from([1, 1, 1, 2, "1", True, 1.0, None])),
               "w": draw(st.sampled_from(WHATS) | json_values),
               "s": draw(st.none() | st.integers(-5, 2**32) | json_scalars),
               "a": draw(st.lists(KEYS, max_size=5) | json_values)}
    for name in list(payload):
        if not draw(st.integers(0, 9)):
            del payload[name]
    token = _encode(payload)
    return token if kind == 3 else draw(mutated(st.just(token)))


@FUZZ
@given(cursor_tokens())
def test_the_cursor_decoder_gives_a_cursor_or_a_400_naming_cursor(token: str) -> None:
    with DECODER_APP.test_request_context("/api/v1/papers"):
        try:
            cursor = decode(token, WHAT)
        except Problem as exc:
            assert exc.code == 400 and list(exc.errors or {}) == ["cursor"]
            return
        assert isinstance(cursor, Cursor) and cursor.what == WHAT
        assert isinstance(cursor.after, list)
        assert cursor.snapshot_id is None or (type(cursor.snapshot_id) is int
                                              and 0 < cursor.snapshot_id < 2**31)
        assert decode(cursor.encode(), WHAT) == cursor  # what it issues, it reads back


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@settings(deadline=None, suppress_health_check=SHARED_FIXTURE)
@given(token=cursor_tokens(), where=st.sampled_from(
    ["/api/v1/papers", "/api/v1/papers?scope=all", "/api/v1/papers?scope=all&sort=first_seen",
     "/api/v1/papers?sort=-upvotes", "/api/v1/snapshots"]))
def test_no_cursor_makes_the_api_fail(client: Any, token: str, where: str) -> None:
    cursor = quote(token, safe="", errors="surrogatepass")
    response = client.get(f"{where}{'&' if '?' in where else '?'}cursor={cursor}")
    assert response.status_code in (200, 400), (token, response.get_data(as_text=True))
    if response.status_code == 400:
        assert "cursor" in response.get_json()["errors"]
    else:
        body = response.get_json()
        assert isinstance(body["items"], list)


# -- the feed renderers -----------------------------------------------------------------------

CLEAN_TITLE = RAW_TEXT.map(clean_title).filter(lambda t: bool(words(t)))
CLEAN_TEXT = RAW_TEXT.map(clean_text).filter(bool)
MOMENTS = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1))


@st.composite
def stored_papers(draw: Any) -> Paper:
    """A Paper as the store would hold it: text cleaned at ingest, links extracted."""
    first_seen = draw(MOMENTS)
    rank = draw(st.none() | st.integers(1, 1000))
    links = Links(code=tuple(draw(st.lists(URL_PIECES.map(clean_text), max_size=2))),
                  project=tuple(draw(st.lists(CLEAN_TEXT, max_size=2))),
                  other=tuple(draw(st.lists(CLEAN_TEXT, max_size=2))))
    return Paper(
        id=draw(st.from_regex(PAPER_ID, fullmatch=True)),
        title=draw(CLEAN_TITLE), abstract=draw(CLEAN_TEXT),
        arxiv_id=draw(st.none() | st.from_regex(ARXIV_ID, fullmatch=True)),
        authors=tuple(dict.fromkeys(draw(st.lists(CLEAN_TEXT, max_size=3)))),
        keywords=tuple(dict.fromkeys(draw(st.lists(CLEAN_TEXT, max_size=3)))),
        upvotes=draw(st.none() | st.integers(0, 10**9)), links=links,
        first_seen=first_seen, last_seen=draw(st.datetimes(min_value=first_seen,
                                                            max_value=dt.datetime(2100, 1, 1))),
        updated=draw(st.datetimes(min_value=first_seen, max_value=dt.datetime(2100, 1, 1))),
        rank=rank, best_rank=draw(st.integers(1, rank or 1000)),
        appearances=draw(st.integers(1, 10**6)),
        published=draw(st.none() | st.datetimes(min_value=dt.datetime(1, 1, 1))),
        submitter=draw(st.none() | CLEAN_TEXT))


@st.composite
def feeds(draw: Any) -> FeedData:
    papers = draw(st.lists(stored_papers(), max_size=4, unique_by=lambda p: p.id))
    try:
        q = parse(draw(query_texts()))
    except QueryError:
        q = Query()
    what = f"papers matching {q.canonical()}" if q else "trending papers"
    path = f"/feeds/keyword/{keyword_path(q)}" if q else "/feeds/trending"
    return FeedData(title=f"trendfeed: {what}", description=f"trendfeed: {what}, from x",
                    self_url=f"{BASE}{path}.atom", page_url=f"{BASE}/",
                    feed_id=f"{TAG_AUTHORITY}feed{path}", updated=draw(MOMENTS),
                    base_url=BASE, papers=tuple(papers))


def _check_item_html(body: str, paper: Paper) -> None:
    document = lxml.html.fragment_fromstring(body, create_parent="div")
    assert not document.xpath("//script | //img | //iframe | //style")
    assert paper.abstract in " ".join(document.text_content().split())


@FUZZ
@given(feeds())
def test_every_feed_renders_valid_and_keeps_its_titles(feed: FeedData) -> None:
    titles = [p.title for p in feed.papers]
    for format, (_, render) in RENDERERS.items():
        body = render(feed)
        assert render(feed) == body  # a pure function of its input
        if format == "json":
            document = json.loads(body)
            jsonschema.validate(document, JSONFEED_SCHEMA,
                                format_checker=jsonschema.FormatChecker())
            assert document["title"] == feed.title
            assert [item["title"] for item in document["items"]] == titles
            for item, paper in zip(document["items"], feed.papers, strict=True):
                assert [a["name"] for a in item.get("authors", [])] == list(paper.authors)
                _check_item_html(item["content_html"], paper)
            continue
        root = lxml.etree.fromstring(body)  # well-formed XML, whatever the text
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, (format, parsed.get("bozo_exception"))
        assert parsed.feed.title == as_feedparser_reads(feed.title)
        assert [e.title for e in parsed.entries] == [as_feedparser_reads(t) for t in titles]
        assert [e.id for e in parsed.entries] == [f"{TAG_AUTHORITY}paper/{p.id}"
                                                  for p in feed.papers]
        if format == "atom":
            ns = {"a": "http://www.w3.org/2005/Atom"}
            assert root.xpath("a:entry/a:title/text()", namespaces=ns) == titles
            bodies = root.xpath("a:entry/a:content/text()", namespaces=ns)
            for entry, paper in zip(root.xpath("a:entry", namespaces=ns), feed.papers,
                                    strict=True):
                names = entry.xpath("a:author/a:name/text()", namespaces=ns)
                assert names == list(paper.authors)
        else:
            assert [t.text or "" for t in root.iterfind("channel/item/title")] == titles
            bodies = [d.text for d in root.iterfind("channel/item/description")]
        for item_body, paper in zip(bodies, feed.papers, strict=True):
            _check_item_html(item_body, paper)


def as_feedparser_reads(text: str) -> str:
    """What feedparser makes of a text element: it "repairs" text that reads as UTF-8
    mis-decoded as Latin-1 (`Â¡` becomes `¡`; feedparser/mixin.py), a client quirk
    that the feed itself (checked with lxml) does not have."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


@FUZZ
@given(st.lists(query_texts(), max_size=6))
def test_opml_lists_every_keyword_feed(texts: list[str]) -> None:
    outlines = []
    for text in texts:
        try:
            q = parse(text)
        except QueryError:
            continue
        if q:
            outlines.append(Outline(text=q.canonical(), xml_url=f"{BASE}/feeds/keyword/"
                                    f"{keyword_path(q)}.atom", html_url=f"{BASE}/"))
    root = ET.fromstring(render_opml("trendfeed keyword feeds", outlines))
    found = [(o.get("text"), o.get("xmlUrl")) for o in root.iter("outline")]
    assert found == [(o.text, o.xml_url) for o in outlines]


def test_the_fuzz_corpus_and_harnesses_are_outside_the_test_suite() -> None:
    fuzz = Path(__file__).parent.parent / "fuzz"
    assert {p.name for p in fuzz.glob("fuzz_*.py")} == {"fuzz_text.py", "fuzz_query.py"}
    assert any((fuzz / "corpus" / "text").iterdir())
    assert any((fuzz / "corpus" / "query").iterdir())
