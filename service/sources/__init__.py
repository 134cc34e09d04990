"""Source parsers: one module per wire format, each a pure function from text to a RawList.

`parse()` is the entry point: it decodes bytes, detects the format when asked to
(`detect.py`) and raises `SourceError` (never anything else) with the place in the
input that is wrong.
"""

from __future__ import annotations

import datetime as dt

from ..model import RawList
from . import hf_json, text
from .detect import SOURCE_FORMATS, decode, detect_format
from .errors import InvalidEntries, SourceError, TooManyPapers

__all__ = ["SOURCE_FORMATS", "InvalidEntries", "SourceError", "TooManyPapers", "parse"]


def parse(data: bytes | str, format: str = "auto", name: str = "<input>",
          max_papers: int | None = None, *, skip_invalid: bool = False,
          now: dt.datetime | None = None) -> RawList:
    """Parse one trending list. Raises SourceError naming `name` and the place; with
    `max_papers`, TooManyPapers for a longer hf-json array before any entry is read
    (ingest counts a text capture's papers once they are paired). An hf-json list with
    invalid entries raises InvalidEntries, unless `skip_invalid` (then they are in
    `RawList.skipped`); with `now`, its dates out of bounds are dropped with a warning."""
    try:
        content = decode(data) if isinstance(data, bytes) else data
        if format == "auto":
            format = detect_format(content)
        if format == "text":
            return text.parse_text(content)
        if format == "hf-json":
            return hf_json.parse_hf_json(content, max_papers, skip_invalid=skip_invalid,
                                         now=now)
        known = ", ".join(SOURCE_FORMATS)
        raise SourceError(f"unknown format {format!r} (use one of: auto, {known})")
    except SourceError as exc:
        raise exc.named(name) from None
