"""Text captures as people make them: every one is parsed exactly or refused at a line.

`tests/data/captures/<name>.txt` holds one capture shape; `<name>.expected.json` beside
it lists the exact papers it gives, or `{"error_line": N, "message": "..."}` when it
must be refused (and then an ingest writes nothing). The properties at the end build
captures from known records and check that the parse gives exactly those records back,
never a paper paired with another's abstract or per-paper lines.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.ingest import ingest_bytes, normalized_entries
from service.model import RawPaper
from service.sources import SourceError, parse
from service.sources.lines import HEADER_LINES, MAX_TITLE_CHARS

from .conftest import NOW, dump

CAPTURES = Path(__file__).parent / "data" / "captures"
SHAPES = sorted(path.stem for path in CAPTURES.glob("*.txt"))


def _expected(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CAPTURES / f"{name}.expected.json").read_text())
    return loaded


def _paper(expected: dict[str, Any]) -> RawPaper:
    published = expected["published"]
    month_day = expected.get("published_month_day")  # no year anywhere: resolved at ingest
    return RawPaper(title=expected["title"], abstract=expected["abstract"],
                    where=f"line {expected['line']}", upvotes=expected["upvotes"],
                    submitter=expected["submitter"],
                    published=dt.datetime.fromisoformat(published) if published else None,
                    published_month_day=tuple(month_day) if month_day else None)


def test_the_corpus_has_at_least_twelve_shapes_each_with_its_expectation() -> None:
    assert len(SHAPES) >= 12
    assert {p.name for p in CAPTURES.iterdir()} == (
        {f"{name}.txt" for name in SHAPES} | {f"{name}.expected.json" for name in SHAPES})
    refused = [name for name in SHAPES if "error_line" in _expected(name)]
    assert 4 <= len(refused) < len(SHAPES)


@pytest.mark.parametrize("name", SHAPES)
def test_a_capture_parses_exactly_or_is_refused_at_its_line(name: str) -> None:
    data = (CAPTURES / f"{name}.txt").read_bytes()
    expected = _expected(name)
    if "error_line" in expected:
        with pytest.raises(SourceError) as caught:
            parse(data, name=f"{name}.txt")
        assert caught.value.where == f"line {expected['error_line']}"
        assert expected["message"] in caught.value.message
        return
    raw = parse(data, name=f"{name}.txt")
    assert raw.format == "text"
    assert list(raw.papers) == [_paper(p) for p in expected["papers"]]
    list_date = expected["list_date"]
    assert raw.list_date == (dt.date.fromisoformat(list_date) if list_date else None)
    month_day = expected["list_month_day"]
    assert raw.list_month_day == (tuple(month_day) if month_day else None)


@pytest.mark.parametrize("name", [n for n in SHAPES if "error_line" in _expected(n)])
def test_a_refused_capture_writes_nothing(store: Any, name: str) -> None:
    ingest_bytes(store, (CAPTURES / "today-page.txt").read_bytes(), source="today-page.txt",
                 now=NOW)
    before = dump(store)
    with pytest.raises(SourceError) as caught:
        ingest_bytes(store, (CAPTURES / f"{name}.txt").read_bytes(), source=f"{name}.txt",
                     now=NOW + dt.timedelta(days=1))
    assert caught.value.where == f"line {_expected(name)['error_line']}"
    assert dump(store) == before


def test_a_duplicate_paper_is_kept_once_at_its_first_place(store: Any) -> None:
    data = (CAPTURES / "duplicate-paper.txt").read_bytes()
    assert [p.title for p in normalized_entries(parse(data), NOW.date())] == [
        "Learning to Compress Prompts", "Visual Reasoning With Sketches"]
    result = ingest_bytes(store, data, source="duplicate-paper.txt", now=NOW)
    assert result.snapshot.paper_count == 2


# --- Properties: captures built from known records ---------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:?!'.,()",
               min_size=1, max_size=12)
PAD = st.sampled_from(["", " ", "\t", "\u00a0", "  \t"])
NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}", fullmatch=True)
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")
DROPPED_LINES = ("Upvote", "· 3 authors", "1 author", "GitHub", "arXiv Page", "Project page",
                 "★ 1.2k", "12.3k stars", "★ 980", "GitHub ★ 312", "Demo")


def _is_plain_text(line: str) -> bool:
    """What the parser must take as text: not a per-paper line, a header or a date line."""
    try:
        raw = parse(f"{line}\n\nabstract\n", format="text")
    except SourceError:
        return False
    return (line.casefold() not in HEADER_LINES and len(raw.papers) == 1
            and raw.papers[0].title == line and raw.list_month_day is None
            and raw.list_date is None and raw.papers[0].upvotes is None)


def _sentence(min_words: int, max_words: int) -> st.SearchStrategy[str]:
    return st.lists(WORD, min_size=min_words, max_size=max_words).map(" ".join).filter(
        _is_plain_text)


TITLE = _sentence(1, 12)
# A paragraph too long to be a title: a sentence repeated past MAX_TITLE_CHARS (cheap to
# draw, where 80 random words would exhaust Hypothesis's budget per example).
LONG_PARAGRAPH = _sentence(1, 15).map(
    lambda s: " ".join([s] * (MAX_TITLE_CHARS // (len(s) + 1) + 1)))
PARAGRAPH = st.one_of(_sentence(1, 15), LONG_PARAGRAPH)


@dataclass(frozen=True)
class Record:
    title: str
    paragraphs: tuple[str, ...]
    submitter: str | None
    upvotes: int | None
    published: tuple[int, int, int | None] | None
    dropped: tuple[str, ...]  # per-paper lines whose content the parser drops


@st.composite
def records(draw: st.DrawFn, max_paragraphs: int = 3) -> Record:
    published = draw(st.none() | st.tuples(st.integers(1, 12), st.integers(1, 28),
                                           st.none() | st.integers(2000, 2030)))
    record = Record(title=draw(TITLE),
                    paragraphs=tuple(draw(st.lists(PARAGRAPH, min_size=1,
                                                   max_size=max_paragraphs))),
                    submitter=draw(st.none() | NAME),
                    upvotes=draw(st.none() | st.integers(0, 99_999)),
                    published=published,
                    dropped=tuple(draw(st.lists(st.sampled_from(DROPPED_LINES), max_size=4))))
    assume(record.submitter or record.upvotes is not None or record.published or record.dropped)
    return record


def _per_paper_lines(record: Record, draw: st.DrawFn) -> list[str]:
    lines = list(record.dropped)
    if record.submitter:
        lines.append(f"Submitted by {record.submitter}")
    if record.upvotes is not None:
        lines.append(draw(st.sampled_from([str(record.upvotes), f"{record.upvotes:,}",
                                           f"Upvote {record.upvotes}"])))
    if record.published:
        month, day, year = record.published
        lines.append(f"Published on {MONTH_NAMES[month - 1]} {day}"
                     + (f", {year}" if year else ""))
    return list(draw(st.permutations(lines)))


@dataclass(frozen=True)
class Capture:
    content: str
    papers: list[RawPaper]
    refusable: bool  # some abstract has a short inner line: refusing it is the rule
    per_paper_lines: list[list[int]]  # each paper's per-paper lines (0-based indices)


@st.composite
def card_captures(draw: st.DrawFn) -> Capture:
    """Today's page shape: title, per-paper lines in any order, abstract paragraphs."""
    listed = draw(st.none() | st.tuples(st.integers(1, 12), st.integers(1, 28),
                                        st.none() | st.integers(2000, 2030)))
    list_date = dt.date(listed[2], listed[0], listed[1]) if listed and listed[2] else None
    lines: list[str] = [line for line in draw(st.permutations(
        ["Trending Papers", "new", "Subscribe"]))[:draw(st.integers(0, 3))]]
    if listed:
        month, day, year = listed
        lines.append(f"{MONTH_NAMES[month - 1]} {day}" + (f", {year}" if year else ""))
    papers: list[RawPaper] = []
    refusable = False
    per_paper_lines: list[list[int]] = []
    for record in draw(st.lists(records(), min_size=1, max_size=5)):
        lines += [""] * draw(st.integers(0, 2 if lines else 0))
        lines.append(draw(PAD) + record.title + draw(PAD))
        where = f"line {len(lines)}"
        per_paper_lines.append([])
        for line in _per_paper_lines(record, draw):
            lines += [""] * draw(st.integers(0, 1))
            per_paper_lines[-1].append(len(lines))
            lines.append(draw(PAD) + line + draw(PAD))
        for paragraph in record.paragraphs:
            lines += [""] * draw(st.integers(0, 2))
            lines.append(paragraph + draw(PAD))
        refusable |= any(len(p) <= MAX_TITLE_CHARS for p in record.paragraphs[1:-1])
        published = month_day = None
        if record.published:
            month, day, year = record.published
            if year:
                published = dt.datetime(year, month, day)
            elif not list_date:
                month_day = (month, day)
            else:
                day_in_year = dt.date(list_date.year, month, day)
                if day_in_year > list_date:
                    day_in_year = day_in_year.replace(year=list_date.year - 1)
                published = dt.datetime.combine(day_in_year, dt.time())
        papers.append(RawPaper(title=record.title, abstract=" ".join(record.paragraphs),
                               where=where, upvotes=record.upvotes, submitter=record.submitter,
                               published=published, published_month_day=month_day))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return Capture(newline.join(lines) + newline, papers, refusable, per_paper_lines)


@settings(max_examples=300, deadline=None)
@given(card_captures())
def test_a_card_capture_gives_back_exactly_its_records(capture: Capture) -> None:
    try:
        raw = parse(capture.content.encode())
    except SourceError as exc:
        assert capture.refusable, exc
        assert "cannot tell which" in exc.message
        return
    assert not capture.refusable
    assert list(raw.papers) == capture.papers


@settings(max_examples=200, deadline=None)
@given(card_captures(), st.data())
def test_a_paper_that_lost_its_per_paper_lines_is_refused_never_merged(
        capture: Capture, data: st.DataObject) -> None:
    assume(len(capture.papers) >= 2)  # one paper left without per-paper lines is classic
    lines = capture.content.splitlines()
    lost = set(data.draw(st.sampled_from(capture.per_paper_lines)))
    mutilated = "\n".join(line for index, line in enumerate(lines) if index not in lost)
    with pytest.raises(SourceError):
        parse(mutilated.encode())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TITLE, _sentence(1, 30)), min_size=1, max_size=6),
       st.sampled_from(["\n", "\r\n"]), st.integers(1, 3))
def test_a_classic_capture_gives_back_exactly_its_records(
        pairs: list[tuple[str, str]], newline: str, blank: int) -> None:
    lines = ["Mar 17"]
    expected = []
    for title, abstract in pairs:
        lines += [""] * blank + [title]
        expected.append(RawPaper(title=title, abstract=abstract, where=f"line {len(lines)}"))
        lines += [""] * blank + [abstract]
    raw = parse(newline.join(lines).encode())
    assert list(raw.papers) == expected
    assert raw.list_month_day == (3, 17)


PER_PAPER_SOUP = ("Submitted by akhaliq", "12", "1,024", "Upvote", "· 5 authors",
                  "Published on Mar 12", "Published on Feb 30", "GitHub", "★ 1.2k")
LINE_SOUP = st.lists(st.one_of(
    st.sampled_from(["", "", "Mar 17", "Trending Papers", "\t", "\u00a0", *PER_PAPER_SOUP]),
    _sentence(1, 8)), max_size=40)


@settings(max_examples=500, deadline=None)
@given(LINE_SOUP, st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_mix_of_per_paper_lines_and_text_parses_or_is_refused(
        lines: list[str], newline: str) -> None:
    try:
        raw = parse(newline.join(lines).encode() or b" ")
    except SourceError as exc:
        assert exc.where.startswith("line ") or exc.where in ("", "date line")
        return
    for paper in raw.papers:
        assert paper.title and paper.abstract
        assert paper.title not in PER_PAPER_SOUP  # a per-paper line is never a title
