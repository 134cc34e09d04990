"""The supervisor that `serve` runs its refresher under (service/supervise.py): a child
that exits is started again; a forked process unwinding serve's stack (a gunicorn worker
exiting) does not stop it; the refresher stops when its parent is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from service.supervise import Supervisor, watch_parent

from .stubs import wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _running(supervisor: Supervisor) -> subprocess.Popen[bytes]:
    return wait_for(lambda: supervisor._child is not None  # noqa: SLF001
                    and supervisor._child.poll() is None and supervisor._child, 10)


def test_a_child_that_exits_is_started_again_and_stop_ends_it() -> None:
    supervisor = Supervisor(SLEEPER, interval=1).start()
    try:
        first = _running(supervisor)
        os.kill(first.pid, signal.SIGKILL)
        second = wait_for(lambda: (child := _running(supervisor)) is not first and child, 10)
        assert supervisor.starts == 2
    finally:
        supervisor.stop()
    assert second.poll() is not None  # stopped with the supervisor, and not started again
    assert supervisor.starts == 2


def test_a_forked_process_unwinding_does_not_stop_the_child() -> None:
    supervisor = Supervisor(SLEEPER, interval=1).start()
    try:
        child = _running(supervisor)
        forked = os.fork()
        if forked == 0:  # what a gunicorn worker does on its way out of serve's stack
            supervisor.stop(timeout=1)
            os._exit(0)
        os.waitpid(forked, 0)
        assert child.poll() is None and supervisor._child is child  # noqa: SLF001
    finally:
        supervisor.stop()
    assert child.poll() is not None


def test_the_refresher_stops_when_its_parent_is_gone() -> None:
    stop = threading.Event()
    watch_parent(stop, parent=os.getppid() + 1)  # not this process's parent: as if it died
    assert stop.wait(5)
