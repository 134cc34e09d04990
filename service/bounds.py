"""The bounds every input is held to (SPEC 3), in one place: how many papers a list may
hold, how many authors and keywords a paper, how long its title and abstract, and which
dates are believable.

Pure: the callers know the place (line, entry and field, parameter) and name it.
"""

from __future__ import annotations

import datetime as dt

from .config import Config

# No trending list and no arXiv paper is older than arXiv (August 1991); a date before
# 1991 is a typo or a hostile value, and before year 1 it does not even convert to UTC.
EARLIEST = dt.datetime(1991, 1, 1)
# A list dated in a timezone ahead of UTC may say tomorrow; later than that, the date (or
# the clock that made it) is wrong.
AHEAD = dt.timedelta(days=1)
MAX_PAPERS = Config.max_papers  # TRENDFEED_MAX_PAPERS' default: every caller passes its own
MAX_AUTHORS = 1000  # large collaborations list hundreds; thousands is an abuse of the field
MAX_KEYWORDS = 100  # HF lists about ten ai_keywords per paper
# Characters once cleaned. arXiv allows 1,920 characters of abstract, and its longest
# titles are about 300; a megabyte of either is an abuse that every feed would repeat.
MAX_TITLE = 1000
MAX_ABSTRACT = 10_000  # also any optional text (an AI summary, an organization's name)
MAX_NAME = 300  # an author's name or a keyword; a longer one is dropped with a warning


def latest(now: dt.datetime) -> dt.datetime:
    """The latest believable moment: one day after `now` (naive UTC, like `now`)."""
    return now + AHEAD


def moment_problem(value: dt.datetime, now: dt.datetime) -> str | None:
    """Why `value` (naive UTC) is out of bounds at `now`, or None when it is within."""
    if value < EARLIEST:
        return f"{_shown(value)} is before {_shown(EARLIEST)} (no list or arXiv paper is older)"
    if value > latest(now):
        return (f"{_shown(value)} is in the future (after {_shown(latest(now))}, one day "
                "after the ingest time)")
    return None


def day_problem(value: dt.date, now: dt.datetime) -> str | None:
    """The same for a day (a list date): its start must lie within the bounds."""
    return moment_problem(dt.datetime.combine(value, dt.time()), now)


def papers_problem(count: int, max_papers: int) -> str | None:
    if count > max_papers:
        return (f"the list holds {count} papers, more than TRENDFEED_MAX_PAPERS "
                f"({max_papers}) allows")
    return None


def count_problem(count: int, limit: int, what: str) -> str | None:
    """A paper's authors or keywords: `what` is "authors" or "keywords"."""
    if count > limit:
        return f"holds {count} {what}, more than the {limit} a paper may have"
    return None


def length_problem(text: str, limit: int, what: str = "") -> str | None:
    """A text over `limit` characters: `what` names it ("title"), or nothing where the
    caller's place does (an entry's field)."""
    if len(text) > limit:
        subject = f"the {what} is" if what else "is"
        return f"{subject} {len(text):,} characters long, more than the {limit:,} allowed"
    return None


def _shown(value: dt.datetime) -> str:
    if value.time() == dt.time():
        return value.date().isoformat()  # (strftime writes year 1 as "1")
    return value.replace(microsecond=0).isoformat() + "Z"
