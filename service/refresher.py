"""The refresher: keeps the store current from TRENDFEED_SOURCE_URL, and never serves
worse data because the upstream had a bad day.

One refresher runs per store, however many processes and hosts serve it: each
candidate tries the store's election lock (store/election.py) and only the holder
fetches; a standby keeps trying, so when the holder dies another takes over within
one interval. An attempt is a conditional GET (If-None-Match / If-Modified-Since from
the last good answer) with a timeout and a body cap. What is not applied, leaving the
last good data served: a failed fetch (network, timeout, HTTP error), a body that does
not parse, and a list shorter than half of the latest one. After a failure the next
attempt backs off exponentially with jitter, and waits at least as long as the
upstream's Retry-After (429, 503). Every outcome is recorded in the store (status and
/readyz read it) and logged.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import os
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from .config import Config
from .ingest import MAX_INPUT_BYTES, ingest_bytes, utcnow
from .model import SourceState
from .observe import record_refresh
from .sources import SourceError
from .store import Store, StoreError

FETCH_TIMEOUT = 20.0
MAX_RETRY_AFTER = 6 * 3600.0  # an upstream cannot park us for longer than this
JITTER = 0.2  # +-20% on every backoff delay


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds


class FetchError(Exception):
    """The source could not be read; `retry_after` when the upstream said how long."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    seconds = (when.astimezone(dt.UTC).replace(tzinfo=None) - now).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def fetch_source(url: str, state: SourceState | None, *, timeout: float,
                 max_bytes: int = MAX_INPUT_BYTES, now: dt.datetime) -> Fetched:
    """GET the source, conditionally when the last good answer gave validators.
    Raises FetchError for anything but 200 and 304."""
    headers = {"User-Agent": "trendfeed (refresher)", "Accept": "application/json, text/plain"}
    if state is not None and state.url == url:
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True,
                          headers=headers) as response:
            if response.status_code == 304:
                return Fetched(304, etag=state.etag if state else None,
                               last_modified=state.last_modified if state else None)
            if response.status_code != 200:
                wait = retry_after_seconds(response.headers.get("Retry-After"), now)
                raise FetchError("http", f"the source answered HTTP {response.status_code}",
                                 wait if response.status_code in (429, 503) else None)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too-large", f"the body is over {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(200, b"".join(chunks), response.headers.get("ETag"),
                           response.headers.get("Last-Modified"))
    except httpx.TimeoutException:
        raise FetchError("timeout", f"no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError("network", f"cannot fetch: {exc}") from None


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Refresher:
    """One attempt with `run_once()`; `run()` loops, elected, until `stop` is set.
    The clock, the sleep and the random source are injected for tests."""

    def __init__(self, config: Config, store: Store, *,
                 clock: Callable[[], dt.datetime] = utcnow,
                 rand: Callable[[], float] = random.random,
                 timeout: float = FETCH_TIMEOUT,
                 report: Callable[..., None] | None = None) -> None:
        if not config.source_url:
            raise ValueError("no TRENDFEED_SOURCE_URL: nothing to refresh from")
        self.config = config
        self.store = store
        self.clock = clock
        self.rand = rand
        self.timeout = timeout
        self.report = report or record_refresh

    # -- one attempt ---------------------------------------------------------------

    def run_once(self) -> SourceState:
        """Fetch, check and apply the source once; record and return what happened."""
        url = self.config.source_url
        now = self.clock()
        before = self.store.source_state()
        if before is None or before.url != url:
            before = SourceState(url=url)
        state = replace(before, last_attempt=now, holder=_holder())
        try:
            fetched = fetch_source(url, before, timeout=self.timeout, now=now)
            if fetched.status == 304:
                outcome, reason = "not-modified", "the source has not changed"
            else:
                latest = self.store.latest_snapshot()
                minimum = math.ceil(latest.paper_count / 2) if latest else 0
                # (snapshots are public: they say "refresher", not the source's URL)
                result = ingest_bytes(self.store, fetched.body, source="refresher", now=now,
                                      min_papers=minimum)
                outcome = "unchanged" if result.unchanged else "new"
                reason = result.summary()
                state = replace(state, etag=fetched.etag, last_modified=fetched.last_modified)
        except FetchError as exc:
            return self._failed(state, exc.kind, str(exc), exc.retry_after, now)
        except SourceError as exc:
            kind = "shrunk" if "half of the latest list" in str(exc) else "invalid"
            return self._failed(state, kind, str(exc), None, now)
        except StoreError as exc:
            return self._failed(state, "store", str(exc), None, now)
        state = replace(state, last_success=now, last_outcome=outcome, failures=0,
                        next_attempt=now + dt.timedelta(seconds=self.config.refresh_interval))
        self._save(state)
        self.report(outcome, reason, url=url)
        return state

    def _failed(self, state: SourceState, kind: str, message: str,
                retry_after: float | None, now: dt.datetime) -> SourceState:
        failures = state.failures + 1
        delay = self.backoff(failures)
        if retry_after is not None:
            delay = max(delay, retry_after)
        state = replace(state, last_outcome=kind, last_error=message, last_error_at=now,
                        failures=failures, next_attempt=now + dt.timedelta(seconds=delay))
        self._save(state)
        self.report(kind, message, url=state.url, failures=failures, retry_in=round(delay, 3))
        return state

    def backoff(self, failures: int) -> float:
        """Seconds before the next attempt after `failures` failures in a row: doubling
        from an eighth of the interval, never over the interval, with jitter."""
        interval = float(self.config.refresh_interval)
        base = min(interval, max(1.0, interval / 8) * 2 ** (failures - 1))
        return base * (1 - JITTER + 2 * JITTER * self.rand())

    def _save(self, state: SourceState) -> None:
        try:
            self.store.save_source_state(state)
        except StoreError as exc:  # the next attempt records again
            self.report("store", f"cannot record the source state: {exc}", url=state.url)

    # -- the loop ------------------------------------------------------------------

    def run(self, stop: threading.Event, *, poll: float | None = None) -> None:
        """Until `stop`: while elected, attempt whenever the recorded next attempt is
        due; while not, keep trying the lock (a dead holder is replaced within an
        interval)."""
        interval = float(self.config.refresh_interval)
        poll = poll if poll is not None else max(0.2, min(5.0, interval / 4))
        lock = self.store.refresher_lock()
        try:
            while not stop.is_set():
                try:
                    if not lock.try_acquire():
                        stop.wait(poll)
                        continue
                    state = self.store.source_state()
                    due = state.next_attempt if state and state.url == self.config.source_url \
                        else None
                    wait = (due - self.clock()).total_seconds() if due else 0.0
                    if wait > 0:
                        stop.wait(min(wait, poll))
                        continue
                    self.run_once()
                except StoreError as exc:
                    lock.release()  # a lost connection may have dropped the lock anyway
                    self.report("store", str(exc), url=self.config.source_url)
                    stop.wait(poll)
        finally:
            lock.release()


