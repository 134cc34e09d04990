"""A worker that exits (SIGTERM, a timeout, max_requests) is replaced and the server
goes on serving: gunicorn forks workers inside `serve`'s own call stack, and a worker's
exit used to unwind through `serve.instance()` and remove the live server's folder, so
its replacement failed to boot and gunicorn halted the whole server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from .conftest import serving


def _workers(log: str) -> list[int]:
    master = int(re.findall(r"Listening at: \S+ \((\d+)\)", log)[0])
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_a_worker_that_exits_is_replaced_and_the_server_keeps_serving(tmp_path: Path) -> None:
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'exit.db'}",
           "TRENDFEED_SAMPLE": "on"}
    with serving(tmp_path, env, workers=2, ready="/readyz") as server:
        before = _workers(server.log())
        assert len(before) == 2
        os.kill(before[0], signal.SIGTERM)  # a clean exit, as after a timeout
        for _ in range(100):
            now = _workers(server.log())
            if len(now) == 2 and before[0] not in now:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(server.log()[-2000:])
        for _ in range(20):
            assert httpx.get(f"{server.base}/feeds/trending.atom", timeout=5).status_code == 200
        metrics = httpx.get(f"{server.base}/metrics", timeout=5)
        assert metrics.status_code == 200 and "trendfeed_requests_total" in metrics.text
        assert "Worker failed to boot" not in server.log()
