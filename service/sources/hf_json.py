"""The Hugging Face `daily_papers?sort=trending` JSON (SPEC 1.2): an array of objects.

Read entry by entry. A bad *required* field (`paper.id`, the title, the summary, the
entry itself not an object, more authors or keywords than a paper may have) makes the
entry invalid: `parse_hf_json` raises InvalidEntries naming every invalid entry, or, with
`skip_invalid`, leaves them out and lists them in `RawList.skipped`. A bad *optional*
field costs that field only, with a warning naming entry and field (`RawList.warnings`):
a single odd value upstream must not stop a whole list. Unknown fields are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

from .. import bounds
from ..model import RawList, RawPaper, SkippedEntry, arxiv_base
from .errors import InvalidEntries, SourceError, TooManyPapers

MAX_COUNT = 2**31 - 1  # the store's count columns are 32-bit integers on PostgreSQL
MAX_UPVOTES = MAX_COUNT


def _loads(content: str) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg}", f"line {exc.lineno}, column {exc.colno}") \
            from None
    except RecursionError:
        raise SourceError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise SourceError(f"invalid JSON: {exc}") from None


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def _shown(value: Any) -> str:
    """A value as a message quotes it: a string (cut at 80 characters) or a number as
    written, anything else by its type."""
    if isinstance(value, str):
        return repr(value[:80])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)[:80]
    return _type_name(value)


def _is_url(value: str) -> bool:
    """An absolute http(s) URL with a host, and nothing in it a feed could not carry
    (whitespace, control characters)."""
    if not value.lower().startswith(("http://", "https://")) or not value.isprintable() \
            or any(c.isspace() for c in value):
        return False
    try:
        return bool(urlsplit(value).hostname)
    except ValueError:  # e.g. an invalid IPv6 literal
        return False


class Invalid(Exception):
    """A required field is bad: the entry cannot become a paper."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _Entry:
    """Reads one array element. `invalid()` raises for a required field; `drop()` records
    the warning for an optional one, which then reads as absent."""

    def __init__(self, index: int, entry: Any, now: dt.datetime | None) -> None:
        self.index = index
        self.now = now
        self.warnings: list[str] = []
        if not isinstance(entry, dict):
            raise Invalid("", f"expected an object, found {_type_name(entry)}")
        paper = entry.get("paper", {})
        if not isinstance(paper, dict):
            raise Invalid("paper", f"expected an object, found {_type_name(paper)}")
        self.entry: dict[str, Any] = entry
        self.paper: dict[str, Any] = paper

    def drop(self, field: str, message: str) -> None:
        self.warnings.append(f"entry {self.index}, field '{field}': {message} (dropped)")

    # -- required ------------------------------------------------------------------

    def text(self, name: str) -> tuple[str, str]:
        """paper.<name>, else the entry's <name>: the first non-empty string, and the
        field it is in."""
        problem: Invalid | None = None
        for field, value in (("paper." + name, self.paper.get(name)), (name, self.entry.get(name))):
            if isinstance(value, str) and value.strip():
                return field, value
            if value is not None and not isinstance(value, str) and problem is None:
                problem = Invalid(field, f"expected a string, found {_type_name(value)}")
        raise problem or Invalid("paper." + name, "is missing or empty")

    def arxiv_id(self) -> str:
        value = self.paper.get("id")
        if value is not None and not isinstance(value, str):
            raise Invalid("paper.id", f"expected a string, found {_type_name(value)}")
        if value is None or not value.strip():
            raise Invalid("paper.id", "is missing or empty")
        base = arxiv_base(value.strip())
        if base is None:
            raise Invalid("paper.id", f"expected an arXiv id such as 2403.12345, found "
                          f"{value[:40]!r}")
        return base

    def names(self, field: str, values: Any, limit: int, what: str,
              key: str | None = None) -> tuple[str, ...]:
        """A list of strings (or of objects holding one at `key`). Over the bound the
        entry is invalid (SPEC 3: refused), counted before any item is read, so 200,000
        keywords cost microseconds; a list of the wrong type, or one bad item, is dropped."""
        if values is None:
            return ()
        if not isinstance(values, list):
            self.drop(field, f"expected an array, found {_type_name(values)}")
            return ()
        problem = bounds.count_problem(len(values), limit, what)
        if problem:
            raise Invalid(field, problem)
        out = []
        for i, item in enumerate(values):
            name = f"{field}[{i}]"
            if key is not None:
                if not isinstance(item, dict):
                    self.drop(name, f"expected an object, found {_type_name(item)}")
                    continue
                item, name = item.get(key), f"{name}.{key}"
                if item is None:
                    continue
            if not isinstance(item, str):
                self.drop(name, f"expected a string, found {_type_name(item)}")
                continue
            if problem := bounds.length_problem(item, bounds.MAX_NAME):
                self.drop(name, problem)
                continue
            out.append(item)
        return tuple(out)

    # -- optional ------------------------------------------------------------------

    def string(self, field: str, value: Any) -> str | None:
        if value is None or isinstance(value, str) and not value.strip():
            return None
        if not isinstance(value, str):
            self.drop(field, f"expected a string, found {_type_name(value)}")
            return None
        if problem := bounds.length_problem(value, bounds.MAX_ABSTRACT):
            self.drop(field, problem)
            return None
        return value

    def url(self, field: str, value: Any) -> str | None:
        value = self.string(field, value)
        if value is None:
            return None
        value = value.strip()
        if not _is_url(value):
            self.drop(field, f"expected an http(s) URL, found {value[:80]!r}")
            return None
        return value

    def count(self, field: str, value: Any) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
            self.drop(field, f"expected a count from 0 to {MAX_COUNT}, found {_shown(value)}")
            return None
        return value

    def moment(self, field: str, value: Any) -> dt.datetime | None:
        """An RFC 3339 date-time (without an offset: UTC) as naive UTC; with the clock
        known (`now`), also within the SPEC 3 bounds."""
        if value is None:
            return None
        if not isinstance(value, str):
            self.drop(field, f"expected an RFC 3339 date-time string, found {_type_name(value)}")
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if parsed.tzinfo is not None:  # 0001-01-01T00:00:00+01:00 overflows
                parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        except ValueError:
            self.drop(field, f"expected an RFC 3339 date-time, found {value[:40]!r}")
            return None
        except OverflowError:
            self.drop(field, f"the date-time {value[:40]!r} is out of range")
            return None
        problem = bounds.moment_problem(parsed, self.now) if self.now is not None else None
        if problem:
            self.drop(field, f"the date {problem}")
            return None
        return parsed

    def organization(self) -> str | None:
        """paper.organization.fullname, else the entry's organization.fullname."""
        for field, value in (("paper.organization", self.paper.get("organization")),
                             ("organization", self.entry.get("organization"))):
            if value is None:
                continue
            if not isinstance(value, dict):
                self.drop(field, f"expected an object, found {_type_name(value)}")
                continue
            name = self.string(field + ".fullname", value.get("fullname"))
            if name is not None:
                return name
        return None

    def submitter(self) -> str | None:
        by = self.entry.get("submittedBy")
        if by is None:
            return None
        if not isinstance(by, dict):
            self.drop("submittedBy", f"expected an object, found {_type_name(by)}")
            return None
        return self.string("submittedBy.name", by.get("name"))

    def raw_paper(self) -> RawPaper:
        where = f"entry {self.index}"
        paper, entry = self.paper, self.entry
        arxiv_id = self.arxiv_id()
        (title_field, title), (summary_field, summary) = self.text("title"), self.text("summary")
        return RawPaper(
            title=title,
            abstract=summary,
            where=where,
            text_fields={"title": title_field, "abstract": summary_field},
            arxiv_id=arxiv_id,
            authors=self.names("paper.authors", paper.get("authors"), bounds.MAX_AUTHORS,
                               "authors", key="name"),
            keywords=self.names("paper.ai_keywords", paper.get("ai_keywords"),
                                bounds.MAX_KEYWORDS, "keywords"),
            upvotes=self.count("paper.upvotes", paper.get("upvotes")),
            code_url=self.url("paper.githubRepo", paper.get("githubRepo")),
            project_url=self.url("paper.projectPage", paper.get("projectPage")),
            # paper.publishedAt is the arXiv date; the top-level publishedAt and
            # paper.submittedOnDailyAt say when it was put on the HF daily list, weeks
            # before a trending list: none of them is a list date.
            published=self.moment("paper.publishedAt", paper.get("publishedAt")),
            published_where=f"{where}, field 'paper.publishedAt'",
            submitter=self.submitter(),
            ai_summary=self.string("paper.ai_summary", paper.get("ai_summary")),
            thumbnail=self.url("thumbnail", entry.get("thumbnail")),
            github_stars=self.count("paper.githubStars", paper.get("githubStars")),
            comments=self.count("numComments", entry.get("numComments")),
            organization=self.organization(),
            hf_daily_at=self.moment("paper.submittedOnDailyAt", paper.get("submittedOnDailyAt")),
        )


def parse_hf_json(content: str, max_papers: int | None = None, *, skip_invalid: bool = False,
                  now: dt.datetime | None = None) -> RawList:
    """`max_papers`: refuse a longer array before reading any entry (TooManyPapers).
    `now` (naive UTC): dates out of the SPEC 3 bounds at that time are dropped with a
    warning (without it, they are left for the caller to check)."""
    data = _loads(content)
    if not isinstance(data, list):
        raise SourceError(f"expected a JSON array of papers at the top level, "
                          f"found {_type_name(data)}")
    if not data:
        raise SourceError("the JSON array holds no papers")
    problem = bounds.papers_problem(len(data), max_papers) if max_papers else None
    if problem:
        raise TooManyPapers(problem)
    papers: list[RawPaper] = []
    skipped: list[SkippedEntry] = []
    warnings: list[str] = []
    for index, item in enumerate(data):
        try:
            entry = _Entry(index, item, now)
            papers.append(entry.raw_paper())
        except Invalid as exc:
            skipped.append(SkippedEntry(index, exc.field, exc.message))
            continue
        warnings += entry.warnings
    if skipped and not skip_invalid:
        raise InvalidEntries(tuple(skipped), len(data))
    return RawList(format="hf-json", papers=tuple(papers), skipped=tuple(skipped),
                   warnings=tuple(warnings))
