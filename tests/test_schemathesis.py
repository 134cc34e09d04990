"""The whole HTTP API against its contract: the Schemathesis CLI, all checks, against a
real `trendfeed serve` (gunicorn, production settings) holding the bundled sample."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import LiveServer

ROOT = Path(__file__).parent.parent
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261127")  # fixed: the same cases every run


def test_schemathesis_finds_nothing_over_1000_requests(live_server: LiveServer) -> None:
    before = len(_statuses(live_server.log()))
    run = subprocess.run(
        [str(Path(sys.executable).parent / "st"), "run", "openapi.yaml", "--url", live_server.base,
         "--checks", "all", "--max-examples", "60", "--seed", SEED, "--no-color"],
        cwd=ROOT, capture_output=True, text=True, timeout=540)
    output = run.stdout + run.stderr
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert run.returncode == 0 and counts, output[-6000:]
    generated, passed = map(int, counts.groups())
    assert generated >= 1000 and passed == generated, output[-6000:]
    statuses = _statuses(live_server.log())
    assert len(statuses) - before >= 1000
    assert not [s for s in statuses if s >= 500]


def _statuses(log: str) -> list[int]:
    """The status of every request the server answered: one JSON line each."""
    lines = [json.loads(line) for line in log.splitlines() if line.startswith('{"ts"')]
    return [line["status"] for line in lines if line["event"] == "request"]
