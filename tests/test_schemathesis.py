"""The whole HTTP API against its contract: the Schemathesis CLI, all checks, against a
real `trendfeed serve` (gunicorn, production settings) holding the bundled sample."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parent.parent
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261127")  # fixed: the same cases every run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_schemathesis_finds_nothing_over_1000_requests(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TRENDFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'st.db'}"}
    env.pop("TRENDFEED_INGEST_TOKEN", None)
    bin_dir = Path(sys.executable).parent
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(bin_dir / "trendfeed"), "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=log, stderr=log, cwd=tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError((tmp_path / "serve.log").read_text())
        run = subprocess.run(
            [str(bin_dir / "st"), "run", "openapi.yaml", "--url", base, "--checks", "all",
             "--max-examples", "60", "--seed", SEED, "--no-color"],
            cwd=ROOT, capture_output=True, text=True, timeout=540)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    output = run.stdout + run.stderr
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert run.returncode == 0 and counts, output[-6000:]
    generated, passed = map(int, counts.groups())
    assert generated >= 1000 and passed == generated, output[-6000:]
    statuses = re.findall(r'HTTP/1\.[01]" (\d{3}) ', (tmp_path / "serve.log").read_text())
    assert len(statuses) >= 1000
    assert not [s for s in statuses if s.startswith("5")]
