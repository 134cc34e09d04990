"""The Hugging Face `daily_papers?sort=trending` JSON (SPEC 1.2): an array of objects.

Every error names the array index and the field; unknown fields are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .. import bounds
from ..model import RawList, RawPaper, arxiv_base
from .errors import SourceError, TooManyPapers

MAX_UPVOTES = 2**31 - 1  # the store's column is a 32-bit integer on PostgreSQL


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


class _Entry:
    """Reads one array element, naming `entry N, field 'x'` in every error."""

    def __init__(self, index: int, entry: Any) -> None:
        self.where = f"entry {index}"
        if not isinstance(entry, dict):
            raise SourceError(f"expected an object, found {_type_name(entry)}", self.where)
        paper = entry.get("paper", {})
        if not isinstance(paper, dict):
            self.fail("paper", f"expected an object, found {_type_name(paper)}")
        self.entry: dict[str, Any] = entry
        self.paper: dict[str, Any] = paper

    def fail(self, field: str, message: str) -> None:
        raise SourceError(message, f"{self.where}, field '{field}'")

    def get(self, name: str, kind: type, *, top_level_too: bool = False) -> tuple[str, Any]:
        """The value of paper.<name> (else <name> when allowed), type-checked; None if absent."""
        places = [("paper." + name, self.paper)]
        if top_level_too:
            places.append((name, self.entry))
        for field, obj in places:
            value = obj.get(name)
            if value is None:
                continue
            if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
                wanted = "an integer" if kind is int else _type_name(kind())
                self.fail(field, f"expected {wanted}, found {_type_name(value)}")
            return field, value
        return places[0][0], None

    def text(self, name: str) -> str:
        field, value = self.get(name, str, top_level_too=True)
        if value is None or not value.strip():
            self.fail(field, "is missing or empty")
        return str(value)

    def url(self, name: str) -> str | None:
        field, value = self.get(name, str)
        if not value or not value.strip():
            return None
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")) or any(c.isspace() for c in value):
            self.fail(field, f"expected an http(s) URL, found {value[:80]!r}")
        return str(value)

    def strings(self, field: str, values: Any, limit: int, what: str,
                key: str | None = None) -> tuple[str, ...]:
        if values is None:
            return ()
        if not isinstance(values, list):
            self.fail(field, f"expected an array, found {_type_name(values)}")
        # Counted before anything is done per item: 200,000 keywords are refused in
        # microseconds instead of being cleaned and de-duplicated.
        problem = bounds.count_problem(len(values), limit, what)
        if problem:
            self.fail(field, problem)
        out = []
        for i, item in enumerate(values):
            if key is not None:
                if not isinstance(item, dict):
                    self.fail(f"{field}[{i}]", f"expected an object, found {_type_name(item)}")
                item = item.get(key)
                if item is None:
                    continue
            if not isinstance(item, str):
                name = f"{field}[{i}]" + (f".{key}" if key else "")
                self.fail(name, f"expected a string, found {_type_name(item)}")
            out.append(item)
        return tuple(out)

    def timestamp(self, field: str, value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(field, f"expected an RFC 3339 date-time string, found {_type_name(value)}")
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail(field, f"expected an RFC 3339 date-time, found {value[:40]!r}")
            raise  # unreachable: fail() raises
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        try:
            return parsed.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            self.fail(field, f"the date-time {value[:40]!r} is out of range")
            raise  # unreachable: fail() raises

    def _submitter(self) -> str | None:
        by = self.entry.get("submittedBy")
        name = by.get("name") if isinstance(by, dict) else None
        return name.strip() or None if isinstance(name, str) else None

    def raw_paper(self) -> RawPaper:
        field, arxiv_id = self.get("id", str)
        if arxiv_id is None or not arxiv_id.strip():
            self.fail("paper.id", "is missing or empty")
        base = arxiv_base(arxiv_id.strip())
        if base is None:
            self.fail(field, f"expected an arXiv id such as 2403.12345, found {arxiv_id[:40]!r}")
            raise  # unreachable: fail() raises
        field, upvotes = self.get("upvotes", int)
        if upvotes is not None and not 0 <= upvotes <= MAX_UPVOTES:
            self.fail(field, f"expected a count from 0 to {MAX_UPVOTES}, found {upvotes}")
        return RawPaper(
            title=self.text("title"),
            abstract=self.text("summary"),
            where=self.where,
            arxiv_id=base,
            authors=self.strings("paper.authors", self.paper.get("authors"),
                                 bounds.MAX_AUTHORS, "authors", key="name"),
            keywords=self.strings("paper.ai_keywords", self.paper.get("ai_keywords"),
                                  bounds.MAX_KEYWORDS, "keywords"),
            upvotes=upvotes,
            code_url=self.url("githubRepo"),
            project_url=self.url("projectPage"),
            # paper.publishedAt is the arXiv date; the top-level publishedAt is when it was
            # put on the HF daily list, weeks before a trending list: neither is a list date.
            published=self.timestamp("paper.publishedAt", self.paper.get("publishedAt")),
            published_where=f"{self.where}, field 'paper.publishedAt'",
            submitter=self._submitter(),
        )


def parse_hf_json(content: str, max_papers: int | None = None) -> RawList:
    """`max_papers`: refuse a longer array before reading any entry (TooManyPapers)."""
    data = _loads(content)
    if not isinstance(data, list):
        raise SourceError(f"expected a JSON array of papers at the top level, "
                          f"found {_type_name(data)}")
    if not data:
        raise SourceError("the JSON array holds no papers")
    problem = bounds.papers_problem(len(data), max_papers) if max_papers else None
    if problem:
        raise TooManyPapers(problem)
    papers = tuple(_Entry(index, entry).raw_paper() for index, entry in enumerate(data))
    return RawList(format="hf-json", papers=papers)
