"""What /api/v1/status and /readyz say of the upstream source, from what the refresher
last recorded (pure: the clock is passed in).

A source is "degraded" when its last attempt failed, and also when its next attempt is
overdue by more than an interval: a refresher that stalled or died records nothing, so
its last record would otherwise say "ok" forever. A next attempt further ahead than any
wait the refresher can choose (an interval, or Retry-After up to its cap) was written by
a clock that ran ahead, and is not waited for either.
"""

from __future__ import annotations

import datetime as dt

from .model import SourceState

MAX_RETRY_AFTER = 6 * 3600.0  # seconds: the longest an upstream may park the refresher
# Failures whose text is the store's or the program's own (a database URL, a file path,
# a driver's message): shown to token holders only.
PRIVATE_ERRORS = frozenset({"store", "internal"})


def overdue(state: SourceState, interval: float, now: dt.datetime) -> bool:
    due = state.next_attempt
    if due is None:
        return False
    late = (now - due).total_seconds()
    return late > interval or -late > max(interval, MAX_RETRY_AFTER) + interval


def source_health(url: str, state: SourceState | None, interval: float,
                  now: dt.datetime) -> tuple[str, bool]:
    """(health, overdue): health is "off" (no source configured), "never" (no attempt
    recorded for this source), "ok" or "degraded"."""
    if not url:
        return "off", False
    if state is None or state.url != url:
        return "never", False
    late = overdue(state, interval, now)
    return ("ok" if state.healthy and not late else "degraded"), late
