"""Observability: /metrics (Prometheus text, labelled by route template, summed over
gunicorn's workers), the request id, the JSON log lines, ingest and refresh outcomes."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service import observe
from service.ingest import ingest_bytes
from service.model import IngestResult
from service.sources import SourceError
from service.store import StoreError

from .conftest import HF_JSON, TRENDING, serving

KEYWORD_ROUTE = "/feeds/keyword/<kw:keyword>.<fmt:format>"
DISTINCTIVE_Q = "zqxjvkeyword"
REQUEST_FIELDS = {"ts", "level", "event", "request_id", "method", "route", "status",
                  "duration_ms", "cache", "bytes"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics body: (name, sorted labels) -> value."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    return sum(v for (n, found), v in samples(text).items()
               if n == name and set(labels.items()) <= set(found))


def scrape(client: Any) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    text: str = response.get_data(as_text=True)
    return text


def request_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The request lines logged so far, as the JSON formatter writes them."""
    formatter = observe.JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records
            if r.name == "trendfeed.request"]


def test_metrics_answers_prometheus_text_with_every_metric(client: Any) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    client.get("/feeds/trending.atom")
    names = {family.name for family in text_string_to_metric_families(scrape(client))}
    assert {"trendfeed_requests", "trendfeed_request_duration_seconds",
            "trendfeed_cache_hits", "trendfeed_cache_misses",
            "trendfeed_store_query_duration_seconds", "trendfeed_ingests",
            "trendfeed_refreshes", "trendfeed_refresh_last_success_timestamp_seconds"} <= names


def test_requests_are_counted_by_route_template_never_by_q_or_id(client: Any) -> None:
    before = scrape(client)
    paper_id = client.get("/api/v1/papers?limit=1").get_json()["items"][0]["id"]
    for _ in range(3):
        assert client.get(f"/feeds/keyword/diffusion.atom?q={DISTINCTIVE_Q}").status_code == 200
    assert client.get(f"/api/v1/papers/{paper_id}").status_code == 200
    assert client.get(f"/no/such/{DISTINCTIVE_Q}").status_code == 404
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("trendfeed_requests_total", route=KEYWORD_ROUTE, method="GET",
                 status="200") == 3
    assert moved("trendfeed_requests_total", route="/api/v1/papers/<path:paper_id>") == 1
    assert moved("trendfeed_requests_total", route="<unmatched>", status="404") == 1
    assert moved("trendfeed_request_duration_seconds_count", route=KEYWORD_ROUTE) == 3
    assert moved("trendfeed_cache_misses_total", route=KEYWORD_ROUTE) == 1
    assert moved("trendfeed_cache_hits_total", route=KEYWORD_ROUTE) == 2
    assert moved("trendfeed_store_query_duration_seconds_count", statement="select") >= 1
    assert DISTINCTIVE_Q not in after and paper_id not in after and "diffusion" not in after


def test_the_request_id_is_echoed_given_or_generated(client: Any) -> None:
    generated = client.get("/feeds/trending.rss").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/feeds/trending.rss").headers["X-Request-ID"] != generated
    given = {"X-Request-ID": "edge-7.abc_DEF"}
    assert client.get("/feeds/trending.rss", headers=given).headers["X-Request-ID"] == \
        "edge-7.abc_DEF"  # a cache hit, answered by the fast path
    assert client.get("/nope", headers=given).headers["X-Request-ID"] == "edge-7.abc_DEF"
    assert client.post("/feeds/trending.rss", headers=given).status_code == 405
    for insane in ("two words", "x" * 65, "ünicode", "a\"b", ""):
        echoed = client.get("/livez", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", echoed), insane


def test_each_request_logs_one_json_line(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trendfeed")
    paths = ["/feeds/keyword/diffusion.json", "/feeds/keyword/diffusion.json", "/nope",
             "/livez"]
    ids = [client.get(path, headers={"Accept-Encoding": "gzip"}).headers["X-Request-ID"]
           for path in paths]
    head = client.head("/feeds/keyword/diffusion.json")
    lines = request_records(caplog)
    assert [line["request_id"] for line in lines] == [*ids, head.headers["X-Request-ID"]]
    for line in lines:
        assert set(line) == REQUEST_FIELDS
        assert line["event"] == "request" and line["level"] == "info"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    miss, hit, missing, live, head_line = lines
    assert (miss["route"], miss["status"], miss["cache"]) == (KEYWORD_ROUTE, 200, "miss")
    assert (hit["route"], hit["status"], hit["cache"]) == (KEYWORD_ROUTE, 200, "hit")
    assert miss["bytes"] == hit["bytes"] > 0  # the gzip body, both times
    assert (missing["route"], missing["status"], missing["cache"]) == ("<unmatched>", 404,
                                                                       "none")
    assert missing["bytes"] > 0
    assert (live["route"], live["cache"]) == ("/livez", "none")
    assert (head_line["method"], head_line["cache"], head_line["bytes"]) == ("HEAD", "hit", 0)


def test_a_request_line_is_the_same_json_as_the_fields_it_carries(
        client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trendfeed")
    client.get("/feeds/trending.json")
    record = next(r for r in caplog.records if r.name == "trendfeed.request")
    line = json.loads(observe.JsonFormatter().format(record))
    assert {k: line[k] for k in record.fields} == record.fields  # type: ignore[attr-defined]


class _FailingStore:
    """A store that cannot be written (the rest of the Store is never reached)."""

    def latest_snapshot(self) -> None:
        return None

    def apply_snapshot(self, *_args: Any, **_kwargs: Any) -> IngestResult:
        raise StoreError("the store sqlite:///gone.db failed: disk I/O error")


def test_ingests_are_counted_and_logged_by_outcome(
        loaded_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trendfeed")
    client = loaded_app.test_client()
    store = loaded_app.extensions["trendfeed"].store
    before = scrape(client)
    ingest_bytes(store, TRENDING.read_bytes(), source="again")
    ingest_bytes(store, HF_JSON.read_bytes(), source="hf")
    with pytest.raises(SourceError):
        ingest_bytes(store, b"Trending Papers\n\n", source="junk", format="text")
    with pytest.raises(StoreError):
        ingest_bytes(_FailingStore(), TRENDING.read_bytes(), source="doomed")  # type: ignore[arg-type]
    after = scrape(client)
    moved = {outcome: value(after, "trendfeed_ingests_total", outcome=outcome)
             - value(before, "trendfeed_ingests_total", outcome=outcome)
             for outcome in observe.INGEST_OUTCOMES}
    assert moved == {"new": 1, "unchanged": 1, "rejected": 1, "failed": 1}
    formatter = observe.JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records
             if r.name == "trendfeed.ingest"]
    assert [line["source"] for line in lines] == ["again", "hf", "junk", "doomed"]
    assert lines[0]["outcome"] == "unchanged" and lines[0]["reason"].startswith("unchanged")
    assert {k: lines[1][k] for k in ("outcome", "reason", "snapshot", "papers", "new")} == {
        "outcome": "new", "reason": "snapshot 2: 3 papers, 2 new", "snapshot": 2, "papers": 3,
        "new": 2}
    assert lines[2]["outcome"] == "rejected" and lines[2]["level"] == "warning"
    assert "no papers found" in lines[2]["reason"]
    assert lines[3]["outcome"] == "failed" and "disk I/O error" in lines[3]["reason"]
    assert all(line["event"] == "ingest" and line["reason"] for line in lines)


def test_refresh_outcomes_are_counted_and_the_last_success_time_kept(
        client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trendfeed")
    before = scrape(client)
    observe.record_refresh("not-modified", "the source has not changed", url="https://x.test")
    observe.record_refresh("timeout", "no answer within 20 s", url="https://x.test",
                           failures=1)
    observe.record_refresh("a new kind", "something else", url="https://x.test")
    after = scrape(client)

    def moved(outcome: str) -> float:
        return (value(after, "trendfeed_refreshes_total", outcome=outcome)
                - value(before, "trendfeed_refreshes_total", outcome=outcome))

    assert (moved("not-modified"), moved("timeout"), moved("other")) == (1, 1, 1)
    last = value(after, "trendfeed_refresh_last_success_timestamp_seconds")
    assert last > 1.7e9
    lines = [json.loads(observe.JsonFormatter().format(r)) for r in caplog.records
             if r.name == "trendfeed.refresh"]
    assert [(line["outcome"], line["level"]) for line in lines] == [
        ("not-modified", "info"), ("timeout", "warning"), ("a new kind", "warning")]
    assert lines[1]["reason"] == "no answer within 20 s" and lines[1]["failures"] == 1


def test_configured_logging_writes_json_lines_to_its_stream(tmp_path: Path) -> None:
    """In a process of its own: configuring is for serving processes, never the CLI's."""
    script = (
        "import io, json, sys\n"
        "from service import observe\n"
        "out = io.StringIO()\n"
        "observe.configure_logging(out)\n"
        "observe.configure_logging(out)\n"
        "observe.record_refresh('new', 'snapshot 2: 74 papers, 1 new', url='https://x')\n"
        "sys.stdout.write(out.getvalue())\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent, timeout=60)
    assert run.returncode == 0, run.stderr
    (line,) = run.stdout.splitlines()
    assert json.loads(line)["reason"] == "snapshot 2: 74 papers, 1 new"


def test_a_real_server_sums_every_worker_and_gives_each_instance_its_own_folder(
        tmp_path: Path) -> None:
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
           "TRENDFEED_SAMPLE": "on", "TRENDFEED_INGEST_TOKEN": "s3cret"}
    requests = 60
    with serving(tmp_path, env, workers=2, ready="/readyz") as server:
        for i in range(requests):  # a new connection each, so both workers answer some
            response = httpx.get(f"{server.base}/feeds/keyword/diffusion.atom?q={DISTINCTIVE_Q}"
                                 f"&limit={1 + i % 5}", timeout=10)
            assert response.status_code == 200
        auth = {"Authorization": "Bearer s3cret", "Content-Type": "text/plain"}
        assert httpx.post(f"{server.base}/api/v1/snapshots", headers=auth, timeout=30,
                          content=TRENDING.read_bytes()).status_code == 200
        assert httpx.post(f"{server.base}/api/v1/snapshots", headers=auth, timeout=30,
                          content=b"\x00 junk").status_code == 400
        folder = _instance_folder(server.log())
        pids = {m.group(1) for f in (folder / "metrics").glob("*.db")
                if (m := re.search(r"_(\d+)\.db$", f.name))}
        assert len(pids) >= 2  # both workers wrote metric files
        for _ in range(4):  # every scrape, whichever worker answers, sees every request
            text = httpx.get(f"{server.base}/metrics", timeout=10).text
            assert value(text, "trendfeed_requests_total", route=KEYWORD_ROUTE) >= requests
            assert value(text, "trendfeed_ingests_total", outcome="unchanged") == 1
            assert value(text, "trendfeed_ingests_total", outcome="rejected") == 1
            assert DISTINCTIVE_Q not in text
        workers = _control(folder / "gunicorn.ctl", "show workers")
        assert len(workers["workers"]) == 2
        log = server.log()
    assert not folder.exists()  # removed with the instance
    lines = [json.loads(line) for line in log.splitlines() if line.startswith('{"ts"')]
    served = [line for line in lines if line["event"] == "request"
              and line["route"] == KEYWORD_ROUTE]
    assert len(served) == requests and all(set(line) == REQUEST_FIELDS for line in served)
    assert {line["cache"] for line in served} <= {"hit", "miss"}
    assert [line["outcome"] for line in lines if line["event"] == "ingest"] == [
        "unchanged", "rejected"]


def _instance_folder(log: str) -> Path:
    found = re.search(r"control socket: (\S+)/gunicorn\.ctl", log)
    assert found, log
    return Path(found.group(1))


def _control(socket_path: Path, command: str) -> Any:
    run = subprocess.run([str(Path(sys.executable).parent / "gunicornc"), "-s",
                          str(socket_path), "-c", command, "-j"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)
