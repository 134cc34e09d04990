"""One JSON log line per request and per ingest or refresh outcome."""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec

from ..sources import SourceError
from ..store import StoreError

if TYPE_CHECKING:

    from ..model import IngestResult
from .base import (
    INGEST_OUTCOMES,
    REFRESH_OUTCOMES,
    REFRESH_SUCCESSES,
    ingest_logger,
    logger,
    refresh_logger,
)
from .metrics import metrics

# -- log lines --------------------------------------------------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode  # made once: json.dumps
# with options builds a new encoder per call, which was most of a request line's cost


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, milliseconds), level, event (the log message),
    then the record's `fields` (a dict: `extra={"fields": {...}}`).

    A record may also carry `fields_json`, the same fields already encoded as a JSON
    object by a producer that knows their types (the request line: a few microseconds
    less per request than encoding the dict)."""

    _second = -1
    _second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        encoded: str | None = getattr(record, "fields_json", None)
        if encoded is not None and not record.exc_info:
            return (f'{{"ts": "{self._timestamp(record.created)}", "level": '
                    f'"{record.levelname.lower()}", "event": {_encode(record.getMessage())}, '
                    f'{encoded[1:]}')
        line: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return _encode(line)

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # one strftime per second, not per line
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}Z"


class _JsonStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    pass


def configure_logging(stream: Any = None) -> None:
    """Write the trendfeed log lines (level INFO and up) as JSON to stderr, once per
    process; they no longer propagate to the root logger, so nothing is written twice."""
    if any(isinstance(h, _JsonStderrHandler) for h in logger.handlers):
        return
    handler = _JsonStderrHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _log(target: logging.Logger, level: int, event: str, fields: dict[str, Any],
         fields_json: str | None = None) -> None:
    if target.isEnabledFor(level):
        # makeRecord + handle: logger.info would also walk the stack for the caller's
        # file and line, which no line here shows.
        record = target.makeRecord(target.name, level, "", 0, event, (), None)
        record.fields = fields
        record.fields_json = fields_json
        target.handle(record)


def record_ingest(outcome: str, reason: str, **fields: Any) -> None:
    """Count one ingest (`outcome`: new, unchanged, rejected or failed) and log it with
    its reason and `fields` (source, format, snapshot, ...)."""
    if outcome not in INGEST_OUTCOMES:
        raise ValueError(f"unknown ingest outcome {outcome!r}")
    metrics().ingests.labels(outcome).inc()
    level = logging.INFO if outcome in ("new", "unchanged") else logging.WARNING
    _log(ingest_logger, level, "ingest", {"outcome": outcome, "reason": reason, **fields})


def record_refresh(outcome: str, reason: str, **fields: Any) -> None:
    """Count one refresher attempt and log it with its reason and `fields`.

    `outcome` is a success ("new", "unchanged", "not-modified": the source is current;
    sets trendfeed_refresh_last_success_timestamp_seconds to now) or the kind of
    failure ("http", "timeout", "network", "too-large", "invalid", "shrunk", "store").
    Any other word is counted as "other" and logged as given. Never raises for an
    unknown outcome: a refresher must not stop over its own bookkeeping.
    """
    label = outcome if outcome in REFRESH_OUTCOMES else "other"
    current = metrics()
    current.refreshes.labels(label).inc()
    success = outcome in REFRESH_SUCCESSES
    if success:
        current.refresh_last_success.set(time.time())
    _log(refresh_logger, logging.INFO if success else logging.WARNING, "refresh",
         {"outcome": outcome, "reason": reason, **fields})


P = ParamSpec("P")


def records_ingest(func: Callable[P, IngestResult]) -> Callable[P, IngestResult]:
    """Decorate the ingest function: every call is counted and logged by outcome
    (SourceError: rejected; StoreError or anything else: failed)."""

    @functools.wraps(func)
    def ingest(*args: P.args, **kwargs: P.kwargs) -> IngestResult:
        where = {"source": kwargs.get("source"), "format": kwargs.get("format", "auto")}
        try:
            result = func(*args, **kwargs)
        except SourceError as exc:
            record_ingest("rejected", str(exc), **where)
            raise
        except StoreError as exc:
            record_ingest("failed", str(exc), **where)
            raise
        except Exception as exc:
            record_ingest("failed", f"{type(exc).__name__}: {exc}", **where)
            raise
        snapshot = result.snapshot
        record_ingest("unchanged" if result.unchanged else "new", result.summary(),
                      **where, snapshot=snapshot.id, papers=snapshot.paper_count,
                      new=0 if result.unchanged else snapshot.new_count)
        return result

    return ingest
