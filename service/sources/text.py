"""The text capture of the trending page (SPEC 1.1), in the two shapes people copy.

The *classic* shape: header lines, a date line (`Mar 17`), then per paper a title line
and an abstract paragraph, separated by blank lines. Today's page, copied, gives the
*card* shape: after each title come per-paper lines, then the abstract, which may run
over several paragraphs.

Per-paper lines are recognized by their whole text, from a closed list of forms:
`Submitted by NAME`, a bare upvote count (`123`, `1,024`, `Upvote 45`), `Published on
Mar 12[, 2025]`, an author count (`· 5 authors`), `Upvote`, a link label (`GitHub`,
`arXiv Page`, `Project page`, ...) with or without a star count, and a star count
(`1.2k`, `★ 1.2k`, `12.3k stars`). Such a line is never a title and never abstract
text; the parser keeps what it says (submitter, upvotes, published) and drops the rest.

How lines pair into papers (deterministic; what it cannot decide it refuses, naming the
line, and never guesses):

- Card shape (the capture holds a per-paper line): each run of per-paper lines anchors
  one paper. Its title is the text line just before the run; its abstract is every text
  line after the run up to the line before the next run (the next title), joined with
  spaces, paragraph breaks included. A line inside an abstract (neither its first nor its
  last) short enough to be a title is refused: it may be a paragraph, or the title of a
  paper whose per-paper lines were lost. Also refused: per-paper lines with no title
  before them, text before the first title, a title with no abstract, and two upvote
  counts (or submitters, or dates) for one paper (a title that is only a number).
- Classic shape (no per-paper line): blocks separated by blank lines alternate title,
  abstract; a block whose first line is the title may hold the abstract lines too. With
  nothing to anchor a title, an abstract is one paragraph: a second paragraph where a
  title is expected is refused when it is too long to be a title (a short one cannot be
  told from a title, which is why such a capture needs its per-paper lines).

`Published on Mar 12` without a year is the most recent such day not after the list
date when the capture's date line has a year; otherwise (the parser has no clock) the
month and day are kept (`RawPaper.published_month_day`) and ingest resolves them
against the list's date.

Tolerant of what copying a web page does (CRLF, extra blank lines, NBSP and tabs,
header lines missing or reordered, no date line). Every refusal is a SourceError that
names the line.
"""

from __future__ import annotations

import datetime as dt

from ..model import RawList, RawPaper
from .errors import SourceError
from .lines import (
    HEADER_LINES,
    LINE_BREAK,
    MAX_TITLE_CHARS,
    Line,
    PerPaper,
    date_line,
    per_paper_line,
    published_date,
    squash,
    too_long_for_a_title,
)


class _Card:
    """A paper of the card shape being read: its title line and its per-paper lines."""

    def __init__(self, title: Line, run: list[tuple[Line, PerPaper]],
                 list_date: dt.date | None) -> None:
        if len(title.text) > MAX_TITLE_CHARS:
            raise too_long_for_a_title(title)
        self.title = title
        self.submitter: str | None = None
        self.upvotes: int | None = None
        self.published: dt.datetime | None = None
        self.published_month_day: tuple[int, int] | None = None
        self.published_where = ""
        seen_at: dict[str, int] = {}
        for line, said in run:
            for field in ("submitter", "upvotes", "published"):
                value = getattr(said, field)
                if value is None:
                    continue
                if field in seen_at:
                    hint = (" (a title that is only a number reads as an upvote count)"
                            if field == "upvotes" else "")
                    raise SourceError(
                        f"a second {field} line for the paper {title.text[:80]!r} (the first "
                        f"is line {seen_at[field]}): which one is it?{hint}",
                        f"line {line.number}")
                seen_at[field] = line.number
                if field == "published":
                    self.published_where = f"line {line.number}"
                    if value[2] is None and list_date is None:
                        self.published_month_day = (value[0], value[1])
                    value = published_date(value, list_date, line.number)
                setattr(self, field, value)

    def paper(self, abstract: list[Line]) -> RawPaper:
        if not abstract:
            raise SourceError(f"the title {self.title.text[:80]!r} has no abstract after it",
                              f"line {self.title.number}")
        for line in abstract[1:-1]:
            if len(line.text) <= MAX_TITLE_CHARS:
                raise SourceError(
                    f"the short line {line.text[:80]!r} inside the abstract of "
                    f"{self.title.text[:80]!r} is a paragraph of it, or the title of a paper "
                    "whose per-paper lines (Submitted by, upvotes, ...) are missing: the "
                    "capture cannot tell which", f"line {line.number}")
        return RawPaper(title=self.title.text, abstract=" ".join(line.text for line in abstract),
                        where=f"line {self.title.number}", upvotes=self.upvotes,
                        submitter=self.submitter, published=self.published,
                        published_month_day=self.published_month_day,
                        published_where=self.published_where,
                        abstract_where=f"line {abstract[0].number}")


def _cards(body: list[Line], kinds: list[PerPaper | None],
           list_date: dt.date | None) -> list[RawPaper]:
    """Card shape: each run of per-paper lines anchors a paper (module docstring)."""
    papers: list[RawPaper] = []
    text: list[Line] = []  # text lines since the last run of per-paper lines
    card: _Card | None = None
    index = 0
    while index < len(body):
        if kinds[index] is None:
            text.append(body[index])
            index += 1
            continue
        run: list[tuple[Line, PerPaper]] = []
        while index < len(body) and (per_paper := kinds[index]) is not None:
            run.append((body[index], per_paper))
            index += 1
        if not text:
            line = run[0][0]
            raise SourceError(f"the per-paper line {line.text!r} has no title before it",
                              f"line {line.number}")
        title, abstract = text[-1], text[:-1]
        # The new paper's own lines are checked first: a line that is wrong there (two
        # upvote counts) is nearer the cause than the previous paper's missing abstract.
        next_card = _Card(title, run, list_date)
        if card is not None:
            papers.append(card.paper(abstract))
        elif abstract:
            raise SourceError(
                f"text before the first paper's title {title.text[:80]!r} (line "
                f"{title.number}): the title of a paper without per-paper lines?",
                f"line {abstract[0].number}")
        card = next_card
        text = []
    assert card is not None  # the caller saw a per-paper line
    papers.append(card.paper(text))
    return papers


def _classic(lines: list[Line]) -> list[RawPaper]:
    """Classic shape: title / abstract blocks separated by blank lines, alternating."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.text:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    papers: list[RawPaper] = []
    pending: Line | None = None
    for block in blocks:
        if pending is None:
            title = block[0]
            if len(title.text) > MAX_TITLE_CHARS:
                raise too_long_for_a_title(title)
            if len(block) == 1:
                pending = title
                continue
            papers.append(RawPaper(title=title.text,
                                   abstract=" ".join(line.text for line in block[1:]),
                                   where=f"line {title.number}",
                                   abstract_where=f"line {block[1].number}"))
        else:
            papers.append(RawPaper(title=pending.text,
                                   abstract=" ".join(line.text for line in block),
                                   where=f"line {pending.number}",
                                   abstract_where=f"line {block[0].number}"))
            pending = None
    if pending is not None:
        raise SourceError(f"the title {pending.text[:80]!r} has no abstract after it",
                          f"line {pending.number}")
    return papers


def parse_text(content: str) -> RawList:
    lines = [Line(number, squash(raw))
             for number, raw in enumerate(LINE_BREAK.split(content), start=1)]

    # The preamble: header and date lines before the first paper, in any order.
    month_day: tuple[int, int] | None = None
    year: int | None = None
    date_where = ""
    start = len(lines)
    for index, line in enumerate(lines):
        if not line.text or line.text.casefold() in HEADER_LINES:
            continue
        found = date_line(line.text, line.number)
        if found is None:
            start = index
            break
        month_day, year = (found[0], found[1]), found[2]
        date_where = f"line {line.number}"

    list_date = None
    if month_day and year:
        try:
            list_date = dt.date(year, *month_day)
        except ValueError:
            raise SourceError(f"the list date {year}-{month_day[0]}-{month_day[1]} is not a day",
                              date_where) from None
        month_day = None

    body = [line for line in lines[start:] if line.text]
    kinds = [per_paper_line(line.text, line.number) for line in body]
    if any(kind is not None for kind in kinds):
        papers = _cards(body, kinds, list_date)
    else:
        papers = _classic(lines[start:])
    if not papers:
        raise SourceError("no papers found: expected a title line followed by an abstract",
                          f"line {len(lines)}")
    return RawList(format="text", papers=tuple(papers), list_date=list_date,
                   list_month_day=month_day, date_where=date_where)
