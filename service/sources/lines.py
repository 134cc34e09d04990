"""What one line of a text capture is: the squashed visible text, a list-date line,
or one of the per-paper lines of today's trending page (`Submitted by NAME`, an upvote
count, `Published on Mar 12`, an author count, `Upvote`, link labels, star counts).

Recognition only, line by line; `text.py` pairs the lines into papers.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

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
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DATE_LINE = re.compile(r"([a-z]{3,9})\.? (\d{1,2})(?:,? (\d{4}))?")

# The per-paper lines of today's page, matched against a whole squashed line. The
# patterns are fixed text with bounded repetitions (nothing built from the input, no
# nested quantifiers), and lines longer than any of them never reach them.
MAX_PER_PAPER_CHARS = 120
LINK_LABELS = ("github", "gitlab", "arxiv", "arxiv page", "project page", "pdf", "code",
               "demo", "website")
_COUNT = r"[0-9]{1,7}(?:[.,][0-9]{1,3})?"
_STARS = rf"(?:[★⭐]\ufe0f? ?{_COUNT}[km]?(?: stars?)?|{_COUNT}[km]? stars?|{_COUNT}[km])"
_SUBMITTED = re.compile(r"submitted by (\S{1,100})", re.IGNORECASE | re.ASCII)
_UPVOTES = re.compile(r"(?:upvote )?([0-9]{1,3}(?:,[0-9]{3}){1,2}|[0-9]{1,9})", re.ASCII)
_AUTHORS = re.compile(r"(?:[·•] ?)?[0-9]{1,5} authors?", re.ASCII)
_PUBLISHED = re.compile(r"published on ([a-z]{3,9})\.? ([0-9]{1,2})(?:,? ([0-9]{4}))?",
                        re.ASCII)
_LABEL = re.compile(rf"(?:upvoted?|(?:{'|'.join(LINK_LABELS)})(?: (?:{_STARS}|[0-9]{{1,7}}))?"
                    rf"|{_STARS})", re.ASCII)


@functools.cache
def _invisible() -> re.Pattern[str]:
    """Every character of the categories Cc (but tab), Cf and Cs, as one character class.

    Built once, from this Python's own Unicode tables, so that it drops exactly what a
    per-character `unicodedata.category` test would, in one C-level pass.
    """
    codes = [code for code in range(sys.maxunicode + 1)
             if code != 0x09 and unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs")]
    ranges: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            ranges.append(f"\\U{start:08x}" if start == previous
                          else f"\\U{start:08x}-\\U{previous:08x}")
            start = code
        previous = code
    return re.compile(f"[{''.join(ranges)}]")


def squash(line: str) -> str:
    """The line's visible text: whitespace runs to one space, invisible controls dropped."""
    if line.isprintable():
        # No Cc, Cf or Cs character, and no whitespace but the space (every other
        # whitespace character is unprintable): most lines are already squashed.
        if "  " not in line and not line.startswith(" ") and not line.endswith(" "):
            return line
    else:
        line = _invisible().sub("", line)
    return " ".join(line.split())


def _month(word: str) -> int | None:
    return next((i + 1 for i, name in enumerate(MONTHS) if name.startswith(word)), None)


def _real_day(month: int, day: int, line: str, number: int) -> None:
    if not 1 <= day <= DAYS_IN_MONTH[month - 1]:
        raise SourceError(f"the date in {line!r} names no real day", f"line {number}")


def date_line(line: str, number: int) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) when the line is a list-date line such as `Mar 17`."""
    match = _DATE_LINE.fullmatch(line.casefold())
    if not match:
        return None
    word, day_text, year_text = match.groups()
    month = _month(word)
    if month is None:
        return None
    day = int(day_text)
    _real_day(month, day, line, number)
    return month, day, int(year_text) if year_text else None


def latest_day(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The most recent `month`/`day` that is not after `reference` (Feb 29: a leap year)."""
    for year in range(reference.year, reference.year - 9, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


class Line(NamedTuple):  # a tuple: a 20 MiB capture makes hundreds of thousands
    number: int
    text: str


@dataclass(frozen=True)
class PerPaper:
    """What one per-paper line says: at most one field set; none for the lines whose
    content is dropped (author counts, link labels, star counts, `Upvote`)."""

    submitter: str | None = None
    upvotes: int | None = None
    published: tuple[int, int, int | None] | None = None  # month, day, year or None


def per_paper_line(line: str, number: int) -> PerPaper | None:
    """What the line says when it is one of the per-paper lines, else None."""
    if len(line) > MAX_PER_PAPER_CHARS:
        return None
    folded = line.casefold()
    if match := _SUBMITTED.fullmatch(line):
        return PerPaper(submitter=match.group(1))
    if match := _UPVOTES.fullmatch(folded):
        return PerPaper(upvotes=int(match.group(1).replace(",", "")))
    if _AUTHORS.fullmatch(folded) or _LABEL.fullmatch(folded):
        return PerPaper()
    if match := _PUBLISHED.fullmatch(folded):
        word, day_text, year_text = match.groups()
        month = _month(word)
        if month is None:  # `Published on arxiv 1`: not a date, so not a per-paper line
            return None
        day = int(day_text)
        _real_day(month, day, line, number)
        return PerPaper(published=(month, day, int(year_text) if year_text else None))
    return None


def too_long_for_a_title(line: Line) -> SourceError:
    return SourceError(
        f"expected a paper title but found {len(line.text)} characters of text (an abstract "
        "split by a blank line, or a missing title?)", f"line {line.number}")


def published_date(found: tuple[int, int, int | None], list_date: dt.date | None,
               number: int) -> dt.datetime | None:
    """A `Published on` date as a naive UTC datetime, when the capture says its year."""
    month, day, year = found
    if year is not None:
        try:
            return dt.datetime(year, month, day)
        except ValueError:  # Feb 29 of a common year
            raise SourceError(f"the date {year}-{month:02d}-{day:02d} is not a day",
                              f"line {number}") from None
    # Without a year it is the most recent such day not after the list date. When the
    # list date has no year either, the parser (which has no clock) leaves it to ingest
    # (RawPaper.published_month_day), which knows the list's date.
    if list_date is None:
        return None
    resolved = latest_day(month, day, list_date)
    return dt.datetime.combine(resolved, dt.time()) if resolved else None
