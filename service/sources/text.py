"""The text capture of the trending page (SPEC 1.1): header lines, a date line, then
title / abstract pairs separated by blank lines.

Tolerant of what copying a web page does (CRLF, extra blank lines, NBSP and tabs,
header lines missing or reordered, no date line); strict where a guess would pair
titles with the wrong abstracts: a trailing title with no abstract, a "title" as long
as a paragraph, or no papers at all is an error naming the line.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..model import RawList, RawPaper
from .errors import SourceError

HEADER_LINES = frozenset({
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "byak and the research community",
    "trending papers",
    "daily papers",
})
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MAX_TITLE_CHARS = 400
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DATE_LINE = re.compile(r"([a-z]{3,9})\.? (\d{1,2})(?:,? (\d{4}))?")


def _squash(line: str) -> str:
    """The line's visible text: whitespace runs to one space, invisible controls dropped."""
    kept = "".join(ch for ch in line if unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
                   or ch in "\t")
    return " ".join(kept.split())


def _month_day(line: str, number: int) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) when the line is a list-date line such as `Mar 17`."""
    match = _DATE_LINE.fullmatch(line.casefold())
    if not match:
        return None
    word, day_text, year_text = match.groups()
    month = next((i + 1 for i, name in enumerate(MONTHS)
                  if name.startswith(word) and (len(word) >= 3)), None)
    if month is None:
        return None
    day = int(day_text)
    if not 1 <= day <= DAYS_IN_MONTH[month - 1]:
        raise SourceError(f"date line {line!r} names no real day", f"line {number}")
    return month, day, int(year_text) if year_text else None


def parse_text(content: str) -> RawList:
    lines = [(number, _squash(raw))
             for number, raw in enumerate(_LINE_BREAK.split(content), start=1)]

    # The preamble: header and date lines before the first paper, in any order.
    month_day: tuple[int, int] | None = None
    year: int | None = None
    start = 0
    for start, (number, line) in enumerate(lines):  # noqa: B007 (used after the loop)
        if not line or line.casefold() in HEADER_LINES:
            continue
        found = _month_day(line, number)
        if found is None:
            break
        month_day, year = (found[0], found[1]), found[2]
    else:
        start = len(lines)

    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in lines[start:]:
        if line:
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    papers: list[RawPaper] = []
    pending: tuple[int, str] | None = None
    for block in blocks:
        if pending is None:
            number, title = block[0]
            if len(title) > MAX_TITLE_CHARS:
                raise SourceError(
                    f"expected a paper title but found {len(title)} characters of text "
                    "(an abstract split by a blank line, or a missing title?)", f"line {number}")
            if len(block) == 1:
                pending = (number, title)
                continue
            papers.append(RawPaper(title=title, abstract=" ".join(t for _, t in block[1:]),
                                   where=f"line {number}"))
        else:
            number, title = pending
            papers.append(RawPaper(title=title, abstract=" ".join(t for _, t in block),
                                   where=f"line {number}"))
            pending = None
    if pending is not None:
        number, title = pending
        raise SourceError(f"the title {title[:80]!r} has no abstract after it", f"line {number}")
    if not papers:
        raise SourceError("no papers found: expected a title line followed by an abstract",
                          f"line {len(lines)}")

    list_date = None
    if month_day and year:
        try:
            list_date = dt.date(year, *month_day)
        except ValueError:
            raise SourceError(f"the list date {year}-{month_day[0]}-{month_day[1]} is not a day",
                              "date line") from None
        month_day = None
    return RawList(format="text", papers=tuple(papers), list_date=list_date,
                   list_month_day=month_day)
