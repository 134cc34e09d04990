"""SPEC 6: an answer never names a database URL, a file path of the server or a driver's
message. A store that fails answers 503 with a fixed message and Retry-After (the whole
error goes to the log); a snapshot's `source` is shown as the kind of input it came
from, never as the path or URL it was read from."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service import cli, create_app
from service.http import problems
from service.ingest import ingest_bytes
from service.store import StoreError
from service.store.engine import safe_url

from .conftest import ENGINES, HF_JSON, NOW, TRENDING, postgres_admin_url

TOKEN = "leak-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Routes this sweep leaves to their owners' tests: /readyz's 503 (tests of routes/ops.py).
NOT_SWEPT: frozenset[str] = frozenset()  # every route is swept (/readyz too)
# Words that only a driver's or the store's own message would put in a body.
DRIVER_WORDS = ("sqlite", "psycopg", "postgres", "sqlalchemy", "operationalerror",
                "databaseerror", "relation", "file is not a database", "5432", "127.0.0.1")


def _named(words: Any, body: str) -> list[str]:
    """The words found in `body` (anywhere, in any case); a port or an address only as a
    whole token: inside a number (/metrics' `_sum 0.01543281`, a count of 5432.0) it
    names nothing."""
    def found(word: str) -> bool:
        if not word[0].isdigit():
            return word in body.lower()
        return re.search(rf"(?<![\d.]){re.escape(word)}(?!\d|\.\d)", body) is not None
    return [w for w in words if found(w)]


def _app(database_url: str) -> Any:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "ingest_token": TOKEN, "version_check": 0})
    app.config["TESTING"] = True
    return app


@contextmanager
def _broken(database_url: str) -> Iterator[None]:
    """The store fails under a running app: an SQLite file overwritten with garbage, or
    a PostgreSQL schema that is gone (renamed away, and back afterwards)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.write_bytes(b"this is not an SQLite database\n" * 256)
        yield
        return
    schema = str(url.query["options"]).removeprefix("-csearch_path=")
    admin = sa.create_engine(postgres_admin_url())
    with admin.begin() as conn:
        conn.exec_driver_sql(f"ALTER SCHEMA {schema} RENAME TO {schema}_gone")
    try:
        yield
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"ALTER SCHEMA {schema}_gone RENAME TO {schema}")
        admin.dispose()


def _sample_paths(app: Any, paper_id: str) -> list[tuple[str, str]]:
    """(method, path) for every rule of the app, its arguments filled with real values;
    a rule with an argument this sweep does not know fails it (extend the sweep)."""
    samples = {"format": ["rss", "atom", "json"], "keyword": ["diffusion"],
               "paper_id": [paper_id, "2403.12345v2", "no-such-paper"],
               "snapshot_ref": ["latest", "1", "99"], "name": ["site.css"],
               "period": ["daily", "weekly"]}
    found: list[tuple[str, str]] = []
    for rule in app.url_map.iter_rules():
        if rule.rule in NOT_SWEPT or rule.endpoint == "docs.asset":
            continue
        unknown = set(rule.arguments) - set(samples)
        assert not unknown, f"extend the sweep for {rule.rule}: {unknown}"
        combos: list[dict[str, str]] = [{}]
        for name in sorted(rule.arguments):
            combos = [{**c, name: v} for c in combos for v in samples[name]]
        for method in sorted(rule.methods - {"OPTIONS"}):
            for values in combos:
                path = rule.rule
                for name, value in values.items():
                    path = path.replace(f"<{name}>", value)
                    path = path.replace(f"<fmt:{name}>", value).replace(f"<kw:{name}>", value)
                found.append((method, path))
    found += [("GET", "/feeds/trending.atom?q=diffusion&scope=all"),
              ("GET", "/feeds.opml?q=diffusion"), ("GET", "/?q=graph"),
              ("GET", "/api/v1/papers?published_after=2025-01-01&sort=first_seen")]
    return found


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {getattr(record, 'fields', '')}")


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_failing_store_answers_503_naming_no_url_path_or_driver_message(
        database_url: str, tmp_path: Path) -> None:
    app = _app(database_url)
    store = app.extensions["trendfeed"].store
    ingest_bytes(store, TRENDING.read_bytes(), source=str(TRENDING), now=NOW)
    paper_id = store.papers(limit=1)[0].id
    client = app.test_client()
    records = _Records()
    logging.getLogger("trendfeed").addHandler(records)
    try:
        with _broken(database_url):
            with pytest.raises(StoreError) as caught:
                store.latest_snapshot()
            driver_message = str(caught.value).split("failed: ", 1)[-1]
            secrets = {database_url, safe_url(database_url), str(tmp_path), str(TRENDING),
                       driver_message[:40]}
            unavailable = 0
            for method, path in _sample_paths(app, paper_id):
                for headers in ({}, AUTH, {"Accept": "text/html"}):
                    kwargs: dict[str, Any] = {"headers": headers}
                    if method == "POST":
                        kwargs.update(data=HF_JSON.read_bytes(), content_type="application/json")
                    response = client.open(path, method=method, **kwargs)
                    body = response.get_data(as_text=True)
                    where = f"{method} {path} {headers}: {response.status_code} {body[:300]}"
                    assert response.status_code != 500, where
                    leaked = [s for s in secrets if s in body]
                    assert not leaked, (leaked, where)  # (which one, if it ever fails)
                    assert not _named(DRIVER_WORDS, body), (_named(DRIVER_WORDS, body), where)
                    if response.status_code == 503:
                        unavailable += 1
                        assert response.headers["Retry-After"].isdigit(), where
                        if method == "HEAD":
                            continue
                        if response.mimetype == "text/html":  # a browser's error page
                            assert problems.STORE_UNAVAILABLE in body, where
                        else:
                            detail = response.get_json()["detail"]
                            assert detail == problems.STORE_UNAVAILABLE, where
            assert unavailable >= 40  # the sweep reached the store on most routes
    finally:
        logging.getLogger("trendfeed").removeHandler(records)
        store.close()
    # The whole error is for the operator: in the log, once per failed request.
    assert any(driver_message in line for line in records.lines), records.lines[:3]


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_snapshot_shows_the_kind_of_its_source_never_a_path_or_url(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """CLI ingests of a path, standard input and a URL, an upload, the refresher and the
    bundled sample: an HTTP caller sees file, stdin, url, upload, refresher, sample."""
    app = _app(database_url)
    store = app.extensions["trendfeed"].store
    private = tmp_path / "operator" / "secret-list.txt"
    sources = [(str(private), "file"), ("-", "stdin"),
               ("https://lists.internal.example/trending?key=hunter2", "url"),
               ("refresher", "refresher"), ("bundled:sample-trending.txt", "sample")]
    for day, (source, _) in enumerate(sources, start=1):
        text = f"Mar {day}\n\nPaper of day {day}\n\nWhat was new on day {day}.\n"
        ingest_bytes(store, text.encode(), source=source, now=NOW)
    client = app.test_client()
    posted = client.post("/api/v1/snapshots", data=HF_JSON.read_bytes(),
                         content_type="application/json", headers=AUTH)
    assert posted.status_code == 201 and posted.get_json()["source"] == "upload"
    expected = [kind for _, kind in sources] + ["upload"]
    for headers in ({}, AUTH):
        listed = client.get("/api/v1/snapshots", headers=headers).get_json()["items"]
        assert [s["source"] for s in reversed(listed)] == expected
        for n, kind in enumerate(expected, start=1):
            assert client.get(f"/api/v1/snapshots/{n}", headers=headers).get_json()[
                "source"] == kind
        status = client.get("/api/v1/status", headers=headers).get_json()
        assert status["latest_snapshot"]["source"] == "upload"
    undone = client.delete("/api/v1/snapshots/latest", headers=AUTH).get_json()
    assert undone["removed"]["source"] == "upload"
    assert undone["latest_snapshot"]["source"] == "sample"
    for path in ("/api/v1/snapshots", "/api/v1/snapshots/1", "/api/v1/status", "/"):
        body = client.get(path, headers=AUTH).get_data(as_text=True)
        assert str(tmp_path) not in body and "secret-list" not in body
        assert "hunter2" not in body and "lists.internal" not in body
    store.close()
    # The operator's own tools keep the whole source.
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    assert cli.main(["snapshots", "list", "--json"]) == 0
    listed_json = capsys.readouterr().out
    assert str(private) in listed_json and "hunter2" in listed_json
    assert cli.main(["snapshots", "list"]) == 0
    assert str(private) in capsys.readouterr().out
