"""`trendfeed serve` keeps its refresher running.

A thread of the serving process starts `trendfeed refresh --every`, waits for it, and
starts it again whenever it exits, whatever the reason (a crash, `kill -9`, a store
that did not answer when it started), after a pause that doubles while it keeps
exiting at once and never exceeds an interval. The refresher in turn watches the
serving process, and stops when it is gone, so a server killed outright leaves no
orphan holding the store's election.

gunicorn's arbiter reaps every child it sees exit, ours included; `Popen.wait()` then
answers 0 instead of the real status, which is why an exit is reported without it.
gunicorn's workers are forked from deep inside `serve`, and a worker that exits unwinds
that same stack: `stop()` does nothing in any process but the one that started the
supervisor (before this, a worker that exited took the refresher down with it).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Sequence

RESTART_PAUSE = 0.2  # seconds before the first restart; doubles up to an interval
PARENT_CHECK = 1.0  # seconds between the refresher's looks at its parent


def say(message: str) -> None:
    """One line on standard error. os.write, not print: this runs in a thread while
    gunicorn forks its workers, and a worker forked while this thread held the lock
    of sys.stderr's buffer would inherit it locked for good."""
    with contextlib.suppress(OSError):
        os.write(2, (message + "\n").encode(errors="replace"))


class Supervisor:
    """Runs `command` until `stop()`, starting it again each time it exits."""

    def __init__(self, command: Sequence[str], *, interval: float) -> None:
        self.command = list(command)
        self.interval = max(float(interval), RESTART_PAUSE)
        self.starts = 0
        self.owner = os.getpid()  # stop() is for this process only (see above)
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # between starting a child and stopping
        self._child: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._run, name="refresher-supervisor",
                                        daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            try:
                self._child = subprocess.Popen(self.command)
            except OSError as exc:
                say(f"refresher: cannot start it: {exc}")
                self._child = None
            self.starts += 1
            return self._child

    def _run(self) -> None:
        pause = RESTART_PAUSE
        while not self._stopping.is_set():
            started = time.monotonic()
            child = self._spawn()
            if child is not None:
                child.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.interval:
                pause = RESTART_PAUSE  # it had been running: a fresh failure
            say(f"refresher: the process exited; starting it again in {pause:g} s")
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        if os.getpid() != self.owner:  # a forked worker unwinding serve's stack
            return
        with self._lock:
            self._stopping.set()
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._thread.join(timeout=timeout)


def watch_parent(stop: threading.Event, parent: int) -> threading.Thread:
    """Set `stop` once the process `parent` is no longer this one's parent (it died,
    and this process was handed to another)."""
    def watch() -> None:
        while not stop.wait(PARENT_CHECK):
            if os.getppid() != parent:
                say("refresher: the serving process is gone; stopping")
                stop.set()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
