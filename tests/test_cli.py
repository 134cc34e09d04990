"""The command line: ingest / papers / refresh, exit codes and messages (SPEC 8)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import cli
from service.store import open_store

from .conftest import HF_JSON, TRENDING, dump


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", url)
    return url


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/list.txt":
            body = TRENDING.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_error(404)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_ingest_then_unchanged_then_json(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ingest", str(TRENDING)]) == 0
    assert capsys.readouterr().out == "snapshot 1: 74 papers, 74 new\n"
    assert cli.main(["ingest", str(TRENDING)]) == 0
    assert capsys.readouterr().out.startswith("unchanged")
    assert cli.main(["ingest", str(HF_JSON), "--format", "hf-json"]) == 0
    assert capsys.readouterr().out == "snapshot 2: 3 papers, 2 new\n"
    assert cli.main(["papers", "--json"]) == 0
    papers = json.loads(capsys.readouterr().out)
    assert len(papers) == 76
    assert set(papers[0]) == {"id", "title", "abstract", "arxiv_id", "authors", "keywords",
                              "upvotes", "links", "url", "first_seen", "last_seen", "updated",
                              "last_list_date", "published", "submitter", "rank", "best_rank",
                              "appearances", "previous_rank", "ai_summary", "thumbnail",
                              "github_stars", "comments", "organization", "hf_daily_at"}
    assert cli.main(["papers", "--q", "title:forward learning"]) == 0
    assert "forward-learning-of-graph-neural-networks" in capsys.readouterr().out


def test_ingest_from_standard_input_with_a_date(env: str, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"T One\n\nA one.\n")))
    assert cli.main(["ingest", "-", "--date", "2026-01-05"]) == 0
    assert capsys.readouterr().out == "snapshot 1: 1 papers, 1 new\n"
    store = open_store(env)
    assert store.paper("t-one").first_seen.isoformat() == "2026-01-05T00:00:00"


def test_ingest_from_a_url(env: str, upstream: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ingest", f"{upstream}/list.txt"]) == 0
    assert capsys.readouterr().out == "snapshot 1: 74 papers, 74 new\n"


@pytest.mark.parametrize(("make_source", "message"), [
    (lambda tmp, up: str(tmp / "empty.txt"), "empty.txt: the input is empty"),
    (lambda tmp, up: str(tmp / "binary.bin"), "binary.bin, line 1: binary content"),
    (lambda tmp, up: str(tmp / "orphan.txt"), "orphan.txt, line 5: the title 'Orphan' has no"),
    (lambda tmp, up: str(tmp / "object.json"), "object.json: expected a JSON array"),
    (lambda tmp, up: str(tmp / "untitled.json"), "untitled.json, entry 0, field 'paper.title'"),
    (lambda tmp, up: str(tmp / "missing.txt"), "missing.txt: no such file"),
    (lambda tmp, up: f"{up}/gone", "/gone: the server answered HTTP 404"),
])
def test_bad_input_exits_2_names_the_problem_and_writes_nothing(
        env: str, tmp_path: Path, upstream: str, make_source, message: str,  # noqa: ANN001
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01\x02\xff")
    (tmp_path / "orphan.txt").write_bytes(b"T\n\nA\n\nOrphan\n")
    (tmp_path / "object.json").write_bytes(b'{"papers": []}')
    (tmp_path / "untitled.json").write_bytes(b'[{"paper": {"id": "2401.00001", "summary": "s"}}]')
    assert cli.main(["ingest", str(TRENDING)]) == 0
    before = dump(open_store(env))
    capsys.readouterr()
    assert cli.main(["ingest", make_source(tmp_path, upstream)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trendfeed: error: ") and message in err, err
    assert dump(open_store(env)) == before


def test_a_url_that_times_out_exits_2(env: str, upstream: str, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("service.ingest.FETCH_TIMEOUT", 0.5)
    assert cli.main(["ingest", f"{upstream}/slow"]) == 2
    assert "timed out after 0.5 s" in capsys.readouterr().err
    assert open_store(env).latest_snapshot() is None


def test_bad_options_exit_2(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["ingest", str(TRENDING), "--date", "17 March"])
    assert caught.value.code == 2
    assert "--date: expected YYYY-MM-DD" in capsys.readouterr().err
    assert cli.main(["papers", "--q", '"open']) == 2
    assert "--q: unbalanced quote" in capsys.readouterr().err


def test_an_unusable_database_url_exits_1(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", "mysql://nobody@nowhere/db")
    assert cli.main(["papers"]) == 1
    assert "unsupported database" in capsys.readouterr().err


def test_the_bundled_sample_fills_an_empty_store_once(env: str) -> None:
    store = open_store(env)
    assert cli.load_sample_if_empty(store) == "snapshot 1: 74 papers, 74 new"
    assert cli.load_sample_if_empty(store) is None
    assert store.count_papers() == 74
