"""The refresher: keeps the store current from TRENDFEED_SOURCE_URL, and never serves
worse data because the upstream had a bad day.

One refresher applies lists to a store at any moment, however many processes and hosts
serve it: each candidate holds the store's election lock (store/election.py) to fetch,
re-checks it before every attempt and once more inside the transaction that applies a
list, so a holder whose lock was lost (its session ended, its lock file deleted) stands
down instead of running beside the new one. A standby keeps trying, so when the holder
dies another takes over within one interval.

An attempt is a conditional GET (upstream.py: one deadline for the whole fetch, a body
cap). Not applied, leaving the last good data served: a failed fetch, a body that does
not parse, a list under half of what the source usually sends (the lower median of the
last lists' sizes, so one outlier cannot lock out every normal list after it), a list
over TRENDFEED_MAX_PAPERS, a list with more than a tenth of its entries invalid (fewer
are skipped, SPEC 1.2, and named in status and the log line), and any answer while this
machine's clock is ahead of the source's (a list dated from the future). Any failure at
all, of any kind, is recorded and retried after a backoff that is bounded (at most an
interval, or the upstream's Retry-After up to its cap), forever: `step()` never raises.
The wait is timed on the monotonic clock, so a wall clock that jumps cannot park the
refresher; a stored next attempt is only what status shows, and what a new holder starts
from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import socket
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from .config import Config
from .health import MAX_RETRY_AFTER
from .ingest import MAX_INPUT_BYTES, ingest_bytes, utcnow
from .model import IngestResult, SourceState
from .observe import record_refresh
from .sources import SourceError, TooManyPapers
from .store import Store, StoreError
from .store.election import RefresherLock
from .upstream import ATTEMPT_DEADLINE, FETCH_TIMEOUT, FetchError, fetch_source

JITTER = 0.2  # +-20% on every backoff delay (then capped at the interval)
SIZE_HISTORY = 5  # the size guard looks at the last lists' sizes
CLOCK_TOLERANCE = dt.timedelta(minutes=15)  # this clock ahead of the source's by more: refuse
MAX_FAILURES = 2**31 - 1  # the column is a 32-bit integer
MIN_VALID_SHARE = 0.9  # of a list's entries, for it to be applied without the others


class ClockAhead(Exception):
    def __init__(self, now: dt.datetime, source_now: dt.datetime) -> None:
        super().__init__(f"this machine's clock ({now:%Y-%m-%d %H:%M:%S}) is ahead of the "
                         f"source's ({source_now:%Y-%m-%d %H:%M:%S} UTC): not applied, so "
                         "that no date from the future is stored")
        self.source_now = source_now


class LostElection(Exception):
    """The lock was lost during the attempt: another refresher may hold it now."""


def usual_size(counts: Sequence[int]) -> int:
    """What the source usually sends: the lower median of the last lists' sizes. One
    outlier, however large, never sets the bar for the lists after it."""
    return int(statistics.median_low(counts)) if counts else 0


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Refresher:
    """One attempt with `run_once()`; one pass of the loop with `step()`; `run()` loops
    until `stop` is set. The clocks, the random source and the limits are injected for
    tests."""

    def __init__(self, config: Config, store: Store, *,
                 clock: Callable[[], dt.datetime] = utcnow,
                 monotonic: Callable[[], float] = time.monotonic,
                 rand: Callable[[], float] = random.random,
                 timeout: float = FETCH_TIMEOUT, deadline: float = ATTEMPT_DEADLINE,
                 report: Callable[..., None] | None = None) -> None:
        if not config.source_url:
            raise ValueError("no TRENDFEED_SOURCE_URL: nothing to refresh from")
        self.config = config
        self.store = store
        self.clock = clock
        self.monotonic = monotonic
        self.rand = rand
        self.timeout = timeout
        self.deadline = deadline
        self.report = report or record_refresh
        self.interval = float(config.refresh_interval)
        self.poll = max(0.2, min(5.0, self.interval / 4))  # how often the lock is checked
        self.delay = 0.0  # the wait the last attempt chose
        self._due: float | None = None  # monotonic time of the next attempt, while elected
        self._counts: list[int] = []  # the last lists' sizes, as the size guard saw them
        self._minimum = 0  # the fewest papers the attempt under way accepts
        self._lock: RefresherLock | None = None  # the election of the attempt under way

    # -- one attempt ---------------------------------------------------------------

    def run_once(self, lock: RefresherLock | None = None) -> SourceState:
        """Fetch, check and apply the source once; record and return what happened.
        With `lock`, nothing is applied or recorded unless it is still held."""
        url = self.config.source_url
        now = self.clock()
        before = SourceState(url=url)
        self._lock = lock
        try:
            stored = self.store.source_state()
            if stored is not None and stored.url == url:
                before = stored
            return self._attempt(before, now, lock)
        except LostElection as exc:
            self.delay = 0.0
            self._report("lost-election", str(exc), url=url)
            return replace(before, last_outcome="lost-election", last_error=str(exc))
        except ClockAhead as exc:
            return self._failed(before, "clock", str(exc), None, exc.source_now)
        except FetchError as exc:
            return self._failed(before, exc.kind, str(exc), exc.retry_after,
                                self._trusted(now, exc.server_date))
        except TooManyPapers as exc:
            return self._failed(before, "too-many", str(exc), None, now)
        except SourceError as exc:
            return self._failed(before, *self._refusal(exc), None, now)
        except StoreError as exc:
            return self._failed(before, "store", str(exc), None, now)
        except Exception as exc:  # whatever it is, the refresher goes on
            return self._failed(before, "internal", f"{type(exc).__name__}: {exc}", None, now)

    def _attempt(self, before: SourceState, now: dt.datetime,
                 lock: RefresherLock | None) -> SourceState:
        url = self.config.source_url
        self._minimum = 0
        fetched = fetch_source(url, before.etag, before.last_modified, timeout=self.timeout,
                               deadline=self.deadline, max_bytes=MAX_INPUT_BYTES, now=now)
        if fetched.server_date is not None and now - fetched.server_date > CLOCK_TOLERANCE:
            raise ClockAhead(now, fetched.server_date)
        state = replace(before, last_attempt=now, holder=_holder(), last_success=now,
                        failures=0, next_attempt=now + dt.timedelta(seconds=self.interval))
        self.delay = self.interval
        if fetched.status == 304:
            self._check(lock)
            state = replace(state, last_outcome="not-modified")
            self._save(state)
            self._report("not-modified", "the source has not changed", url=url)
            return state

        def outcome(result: IngestResult) -> SourceState:
            return replace(state, last_outcome="unchanged" if result.unchanged else "new",
                           etag=fetched.etag, last_modified=fetched.last_modified,
                           last_skipped=result.skipped, last_warnings=result.warnings)

        def record(result: IngestResult) -> SourceState:
            # Inside the transaction that applies the list: a lock lost during the fetch
            # rolls it back, so two refreshers never both apply.
            self._check(lock)
            return outcome(result)

        self._minimum = math.ceil(self._usual() / 2)
        # Invalid entries are skipped (SPEC 1.2): one odd paper upstream must not freeze
        # the feed; a list with more than a tenth of them invalid is not applied.
        result = ingest_bytes(self.store, fetched.body, source="refresher", now=now,
                              min_papers=self._minimum, max_papers=self.config.max_papers,
                              min_valid_share=MIN_VALID_SHARE, record_source=record)
        state = outcome(result)
        self._report(state.last_outcome or "new", result.summary(), url=url,
                     skipped=[e.as_dict() for e in result.skipped],
                     warnings=list(result.warnings))
        return state

    def _usual(self) -> int:
        self._counts = [s.paper_count for s in self.store.snapshots(limit=SIZE_HISTORY)]
        return usual_size(self._counts)

    def _refusal(self, exc: SourceError) -> tuple[str, str]:
        """The kind of a list that was not applied, and what status says of it."""
        minimum = self._minimum
        if minimum and f"fewer than {minimum}" in str(exc):
            return "shrunk", (f"the list holds fewer than {minimum} papers, half of the "
                              f"{usual_size(self._counts)} the source usually sends (the "
                              f"lower median of the last {len(self._counts)} lists): "
                              "not applied")
        return "invalid", str(exc)

    @staticmethod
    def _check(lock: RefresherLock | None) -> None:
        if lock is not None and not lock.still_held():
            raise LostElection("the refresher's election was lost during the attempt: "
                               "not applied (another refresher holds it now)")

    @staticmethod
    def _trusted(now: dt.datetime, source_now: dt.datetime | None) -> dt.datetime:
        """The time to record: the source's when this clock is ahead of it."""
        if source_now is not None and now - source_now > CLOCK_TOLERANCE:
            return source_now
        return now

    def _failed(self, before: SourceState, kind: str, message: str,
                retry_after: float | None, now: dt.datetime) -> SourceState:
        failures = min(before.failures + 1, MAX_FAILURES)
        delay = self.backoff(failures)
        if retry_after is not None:
            delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
        self.delay = delay
        state = replace(before, last_attempt=now, holder=_holder(), last_outcome=kind,
                        last_error=message, last_error_at=now, failures=failures,
                        next_attempt=now + dt.timedelta(seconds=delay))
        self._save(state)
        self._report(kind, message, url=state.url, failures=failures, retry_in=round(delay, 3))
        return state

    def backoff(self, failures: int) -> float:
        """Seconds before the next attempt after `failures` failures in a row: doubling
        from an eighth of the interval, with jitter, never over the interval (however
        many failures: the exponent is capped, so the arithmetic cannot overflow)."""
        start = max(1.0, self.interval / 8)
        base = min(self.interval, start * 2.0 ** min(max(failures - 1, 0), 64))
        return min(self.interval, base * (1 - JITTER + 2 * JITTER * self.rand()))

    def _save(self, state: SourceState) -> None:
        if self._lock is not None and not self._lock.still_held():
            return  # the new holder records its own attempts
        try:
            self.store.save_source_state(state)
        except StoreError as exc:  # the next attempt records again
            self._report("store", f"cannot record the source state: {exc}", url=state.url)

    def _report(self, outcome: str, reason: str, **fields: object) -> None:
        with contextlib.suppress(Exception):  # bookkeeping never stops the refresher
            self.report(outcome, reason, **fields)

    # -- the loop ------------------------------------------------------------------

    def step(self, lock: RefresherLock) -> float:
        """One pass of the loop: hold the election (re-checked every pass), attempt when
        due; the seconds to wait before the next pass. Never raises."""
        try:
            if not lock.ensure():
                self._due = None  # a new term starts from the stored schedule
                return self.poll
            if self._due is None:
                self._due = self.monotonic() + self._stored_wait()
            wait = self._due - self.monotonic()
            if wait > 0:
                return min(wait, self.poll)
            self.run_once(lock)
            self._due = self.monotonic() + self.delay if self.delay > 0 else None
            return min(max(self.delay, 0.01), self.poll)
        except StoreError as exc:  # the store unreadable while taking over: try again
            self._report("store", str(exc), url=self.config.source_url)
            return self.poll
        except Exception as exc:  # whatever else: reported, and the loop goes on
            self._report("internal", f"{type(exc).__name__}: {exc}",
                         url=self.config.source_url)
            return self.poll

    def _stored_wait(self) -> float:
        """How long a new holder waits: until the recorded next attempt, but never
        longer than any backoff could have asked for, and not at all when the record
        was written by a clock that ran ahead."""
        state = self.store.source_state()
        if state is None or state.url != self.config.source_url or state.next_attempt is None:
            return 0.0
        now = self.clock()
        if state.last_attempt is not None and state.last_attempt - now > CLOCK_TOLERANCE:
            return 0.0
        wait = (state.next_attempt - now).total_seconds()
        return min(max(wait, 0.0), max(self.interval, MAX_RETRY_AFTER))

    def run(self, stop: threading.Event, *, poll: float | None = None) -> None:
        """Until `stop`: attempt whenever due while elected; while not, keep trying the
        lock (a dead holder is replaced within an interval)."""
        if poll is not None:
            self.poll = poll
        lock = self.store.refresher_lock()
        try:
            while not stop.is_set():
                stop.wait(self.step(lock))
        finally:
            lock.release()
