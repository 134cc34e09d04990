"""Load -> parse -> normalize -> one store transaction. The clock is injected (`now=`).

`load()` is the only function here that touches the outside world (a file, standard
input or an http(s) URL, with a timeout and a size cap); everything it returns goes
through `ingest_bytes`, which either lands a whole snapshot or raises and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import sys
from pathlib import Path
from typing import BinaryIO

import httpx

from . import bounds
from .model import IngestResult, NormalPaper, RawList, RawPaper, SkippedEntry, SourceState
from .normalize import UnusableText, normalize
from .observe import records_ingest
from .sources import InvalidEntries, SourceError, TooManyPapers, parse
from .sources.lines import latest_day
from .store import Store
from .store.writes import RecordSource

MAX_INPUT_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 20.0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def load(source: str, *, timeout: float | None = None, max_bytes: int = MAX_INPUT_BYTES,
         stdin: BinaryIO | None = None) -> bytes:
    """The bytes of a path, '-' (standard input) or an http(s) URL. Raises SourceError."""
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        return _capped(data, max_bytes, "standard input")
    if source.lower().startswith(("http://", "https://")):
        return fetch(source, timeout=timeout, max_bytes=max_bytes)
    path = Path(source)
    try:
        with path.open("rb") as handle:
            return _capped(handle.read(max_bytes + 1), max_bytes, source)
    except FileNotFoundError:
        raise SourceError("no such file", name=source) from None
    except IsADirectoryError:
        raise SourceError("is a directory, not a file", name=source) from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", name=source) from None


def _capped(data: bytes, max_bytes: int, name: str) -> bytes:
    if len(data) > max_bytes:
        raise SourceError(f"larger than the {max_bytes // (1024 * 1024)} MiB limit", name=name)
    return data


def fetch(url: str, *, timeout: float | None = None, max_bytes: int = MAX_INPUT_BYTES,
          headers: dict[str, str] | None = None) -> bytes:
    timeout = FETCH_TIMEOUT if timeout is None else timeout
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True,
                          headers={"User-Agent": "trendfeed", **(headers or {})}) as response:
            if response.status_code != 200:
                raise SourceError(f"the server answered HTTP {response.status_code}", name=url)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(f"larger than the {max_bytes // (1024 * 1024)} MiB limit",
                                      name=url)
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException:
        raise SourceError(f"timed out after {timeout:g} s", name=url) from None
    except httpx.HTTPError as exc:
        raise SourceError(f"cannot fetch: {exc}", name=url) from None


def resolve_list_time(raw: RawList, now: dt.datetime, override: dt.date | None) -> dt.datetime:
    """When the list was the trending list (00:00 UTC of its day): --date, else the
    capture's date line (a date without a year is the most recent such day not after
    `now`), else the ingest day. Never a paper's own date: an hf-json entry's
    `publishedAt` says when it was submitted, weeks before a trending list."""
    if override is not None:
        return dt.datetime.combine(override, dt.time())
    if raw.list_date is not None:
        return dt.datetime.combine(raw.list_date, dt.time())
    if raw.list_month_day is not None:
        day = latest_day(*raw.list_month_day, now.date())
        if day is not None:
            return dt.datetime.combine(day, dt.time())
    return dt.datetime.combine(now.date(), dt.time())


def _with_publication_year(record: RawPaper, list_day: dt.date) -> RawPaper:
    """A `Published on Mar 12` without a year: the most recent such day not after the list."""
    if record.published is None and record.published_month_day is not None:
        day = latest_day(*record.published_month_day, list_day)
        if day is not None:
            return dataclasses.replace(record, published=dt.datetime.combine(day, dt.time()))
    return record


def _dated(record: RawPaper, list_day: dt.date, now: dt.datetime) -> RawPaper:
    """The record with its publication year resolved; SourceError naming the place of a
    publication date out of bounds (SPEC 3)."""
    record = _with_publication_year(record, list_day)
    problem = bounds.moment_problem(record.published, now) if record.published else None
    if problem:
        raise SourceError(f"the published date {problem}", record.published_where or record.where)
    return record


def _entries(raw: RawList, list_day: dt.date,
             now: dt.datetime) -> tuple[list[NormalPaper], tuple[SkippedEntry, ...]]:
    """Every record normalized, in list order, the later copies of a paper dropped; and
    the invalid entries of an hf-json list (the parser's, and those with nothing left of
    their title or summary once cleaned), in entry order. A text capture's unusable
    paper raises: it has no entries to skip, only lines."""
    entries: list[NormalPaper] = []
    skipped = list(raw.skipped)
    gone = {s.index for s in raw.skipped}  # the parser kept every other entry, in order
    indices = (i for i in range(len(raw.papers) + len(gone)) if i not in gone)
    seen_keys: set[str] = set()
    seen_arxiv: set[str] = set()
    for record in raw.papers:
        index = next(indices)
        try:
            paper = normalize(_dated(record, list_day, now))
        except UnusableText as exc:
            if raw.format != "hf-json":
                raise
            skipped.append(SkippedEntry(index, record.text_fields[exc.part], exc.message))
            continue
        if paper.title_key in seen_keys or (paper.arxiv_id and paper.arxiv_id in seen_arxiv):
            continue
        seen_keys.add(paper.title_key)
        if paper.arxiv_id:
            seen_arxiv.add(paper.arxiv_id)
        entries.append(paper)
    return entries, tuple(sorted(skipped, key=lambda s: s.index))


def normalized_entries(raw: RawList, list_day: dt.date,
                       now: dt.datetime | None = None) -> list[NormalPaper]:
    """Every record normalized, in list order, the later copies of a paper dropped.
    Publication dates are checked against the bounds at `now` (default: the clock); an
    invalid entry raises InvalidEntries."""
    entries, skipped = _entries(raw, list_day, now or utcnow())
    if skipped:
        raise InvalidEntries(skipped, len(raw.papers) + len(raw.skipped))
    return entries


def _check_validity(skipped: tuple[SkippedEntry, ...], total: int, skip_invalid: bool,
                    min_valid_share: float | None) -> None:
    """SPEC 1.2: an invalid entry refuses the list unless invalid entries may be skipped;
    a list with no valid entry is refused even then, and so is one with fewer valid
    entries than `min_valid_share` of them (the refresher's 90%)."""
    if not skipped:
        return
    if not skip_invalid and min_valid_share is None:
        raise InvalidEntries(skipped, total)
    valid = total - len(skipped)
    if valid == 0:
        raise InvalidEntries(skipped, total, hint=f"every one of the {total} entries is "
                             "invalid: nothing to apply")
    # (rounded first: 0.9 * 70 is 63.00000000000001 in floating point)
    needed = math.ceil(round(min_valid_share * total, 9)) if min_valid_share else 0
    if valid < needed:
        named = "; ".join(map(str, skipped[:5])) + ("; ..." if len(skipped) > 5 else "")
        raise SourceError(f"{len(skipped)} of the {total} entries are invalid, more than the "
                          f"{1 - min_valid_share:.0%} that may be skipped: not applied "
                          f"({named})")


@records_ingest  # counted and logged by outcome (new, unchanged, rejected, failed)
def ingest_bytes(store: Store, data: bytes, *, source: str, format: str = "auto",
                 list_date: dt.date | None = None, now: dt.datetime | None = None,
                 min_papers: int = 0, max_papers: int = bounds.MAX_PAPERS,
                 skip_invalid: bool = False, min_valid_share: float | None = None,
                 record_source: RecordSource | None = None) -> IngestResult:
    """Parse, normalize and store one list. Raises SourceError (nothing written): for
    a value out of the SPEC 3 bounds (a list date; a paper's authors or keywords make
    its entry invalid), for a list of fewer than `min_papers` papers (the refresher's
    shrink guard), and TooManyPapers for one of more than `max_papers`
    (TRENDFEED_MAX_PAPERS), counted before any paper is normalized.

    Entry by entry (SPEC 1.2): an invalid entry raises InvalidEntries naming every one,
    unless `skip_invalid`; `min_valid_share` (a fraction) skips them too, but refuses a
    list with fewer valid entries than that share. A bad optional field is dropped with
    a warning. Both are in the result (`skipped`, `warnings`), and in what
    `record_source` is given. The sha256 is of the whole body, skipped entries included:
    the same bytes again are the same content."""
    now = now or utcnow()
    problem = bounds.day_problem(list_date, now) if list_date is not None else None
    if problem:
        raise SourceError(f"the list date {problem}", name="--date")
    raw = parse(data, format, name=source, max_papers=max_papers, skip_invalid=True, now=now)
    problem = bounds.papers_problem(len(raw.papers), max_papers)
    if problem:
        raise TooManyPapers(problem, name=source)
    list_time = resolve_list_time(raw, now, list_date)
    try:
        problem = bounds.moment_problem(list_time, now) if list_date is None else None
        if problem:  # a date line of the capture (or a clock before 1991)
            raise SourceError(f"the list date {problem}", raw.date_where)
        entries, skipped = _entries(raw, list_time.date(), now)
        _check_validity(skipped, len(raw.papers) + len(raw.skipped), skip_invalid,
                        min_valid_share)
    except SourceError as exc:
        raise exc.named(source) from None
    if len(entries) < min_papers:
        raise SourceError(f"the list holds {len(entries)} papers, fewer than {min_papers} "
                          "(half of the latest list): not applied", name=source)

    def outcome(result: IngestResult) -> IngestResult:  # what the store cannot know
        return dataclasses.replace(result, skipped=skipped, warnings=raw.warnings)

    recorded = None
    if record_source is not None:
        record = record_source

        def recorded(result: IngestResult) -> SourceState:
            return record(outcome(result))

    return outcome(store.apply_snapshot(
        entries, list_time=list_time, ingested_at=now,
        source=source, format=raw.format, sha256=hashlib.sha256(data).hexdigest(),
        record_source=recorded))
