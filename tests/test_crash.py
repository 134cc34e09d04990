"""An ingest killed (SIGKILL, a real subprocess) in the middle of its transaction leaves
the store exactly as it was, and the next ingest succeeds, on both engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from service.store import open_store

from .conftest import ENGINES, HF_JSON, TRENDING, dump, ingest_file

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

# Ingest the HF list, but stop inside the transaction (after the papers and ranks are
# written, before the commit) and wait there to be killed.
CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from service.ingest import ingest_bytes
    from service.store import open_store, writes

    url, data, signal_file = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    real = writes.index_rows

    def stall(conn, nums):
        real(conn, nums)
        signal_file.write_text("inside the transaction")
        time.sleep(60)

    writes.index_rows = stall
    ingest_bytes(open_store(url), data.read_bytes(), source="killed")
""")


def test_an_ingest_killed_mid_transaction_leaves_the_store_as_it_was(
        database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    ingest_file(store, TRENDING)
    before = dump(store)
    signal_file = tmp_path / "inside"
    child = subprocess.Popen([sys.executable, "-c", CHILD, database_url, str(HF_JSON),
                              str(signal_file)], cwd=Path(__file__).parent.parent)
    try:
        for _ in range(300):
            if signal_file.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert signal_file.exists(), "the child never reached the middle of its transaction"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert dump(store) == before
    result = ingest_file(store, HF_JSON)  # the write lock is free again
    # (PostgreSQL sequences are not transactional: the killed ingest used up an id.)
    assert result.summary().endswith(": 3 papers, 2 new") and store.count_snapshots() == 2
    store.close()
