"""A store that fails under a running server: feeds and the API answer 503 problem+json
with Retry-After, except that what a worker has cached is still served (stale-if-error);
/readyz says 503, /livez never notices; when the store is back, so is the service. The
CLI says so in one line and exits 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from service import cli

from .conftest import ENGINES, serving

both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)
CACHED = ("/feeds/trending.atom", "/api/v1/papers?limit=3")
UNCACHED = ("/feeds/trending.rss", "/api/v1/papers?limit=4", "/api/v1/snapshots/latest")


class Outage:
    """Takes the server's store away and gives it back: the SQLite file's folder is
    moved, the PostgreSQL schema renamed."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.url = database_url
        self.folder = folder
        url = make_url(database_url)
        self.schema = url.query.get("options", "").partition("=")[2] if \
            url.get_backend_name() == "postgresql" else ""

    def _rename(self, old: str, new: str) -> None:
        engine = sa.create_engine(make_url(self.url).difference_update_query(["options"]))
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER SCHEMA {old} RENAME TO {new}")
        engine.dispose()

    def start(self) -> None:
        if self.schema:
            self._rename(self.schema, self.schema + "_away")
        else:
            shutil.move(self.folder / "store", self.folder / "store.away")

    def end(self) -> None:
        if self.schema:
            self._rename(self.schema + "_away", self.schema)
        else:
            shutil.move(self.folder / "store.away", self.folder / "store")


@both_engines
def test_a_failing_store_answers_503_and_serves_what_is_cached(database_url: str,
                                                              tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        (tmp_path / "store").mkdir()
        database_url = f"sqlite:///{tmp_path / 'store' / 'trendfeed.db'}"
    env = {"TRENDFEED_DATABASE_URL": database_url, "TRENDFEED_SAMPLE": "on",
           "TRENDFEED_VERSION_CHECK": "0"}
    outage = Outage(database_url, tmp_path)
    # One worker: the cache is per worker, and this test knows what that one has seen.
    with serving(tmp_path, env, workers=1, ready="/readyz") as server, \
            httpx.Client(base_url=server.base, timeout=10) as client:
        before = {path: client.get(path) for path in CACHED}
        assert all(r.status_code == 200 for r in before.values())
        outage.start()
        try:
            for path in CACHED:  # stale-if-error: the same bytes and validators
                again = client.get(path)
                assert again.status_code == 200, path
                assert again.content == before[path].content
                assert again.headers["ETag"] == before[path].headers["ETag"]
            for path in UNCACHED:
                down = client.get(path)
                assert down.status_code == 503, (path, down.text)
                assert down.headers["Content-Type"] == "application/problem+json"
                assert down.headers["Retry-After"] == "5"
                assert "store" in down.json()["detail"]
            assert client.get("/api/v1/status").status_code == 503
            ready = client.get("/readyz")
            assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
            assert client.get("/livez").status_code == 200
        finally:
            outage.end()
        assert all(client.get(path).status_code == 200 for path in UNCACHED)
        assert client.get("/readyz").status_code == 200
    assert " 500 " not in server.log()


@pytest.mark.parametrize("database_url", [ENGINES[1]], indirect=True)
def test_postgresql_connections_killed_under_the_server_are_replaced(
        database_url: str, tmp_path: Path) -> None:
    tagged = make_url(database_url).update_query_dict(
        {"application_name": "trendfeed-under-test"}).render_as_string(hide_password=False)
    env = {"TRENDFEED_DATABASE_URL": tagged, "TRENDFEED_SAMPLE": "on",
           "TRENDFEED_VERSION_CHECK": "0"}
    with serving(tmp_path, env, workers=2, ready="/readyz") as server, \
            httpx.Client(base_url=server.base, timeout=10) as client:
        for path in UNCACHED:
            assert client.get(path).status_code == 200
        admin = sa.create_engine(make_url(database_url).difference_update_query(["options"]))
        with admin.begin() as conn:
            killed = conn.exec_driver_sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'trendfeed-under-test'").scalar()
        admin.dispose()
        assert killed and killed >= 1
        for limit in range(5, 15):  # new queries on the replaced connections
            assert client.get(f"/api/v1/papers?limit={limit}").status_code == 200
        assert client.get("/readyz").status_code == 200


@both_engines
def test_the_cli_says_the_store_failed_in_one_line(database_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    if database_url.startswith("sqlite"):
        (tmp_path / "file").write_text("not a folder")
        broken = f"sqlite:///{tmp_path / 'file' / 'trendfeed.db'}"
    else:
        broken = make_url(database_url).set(port=1).render_as_string(hide_password=False)
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", broken)
    assert cli.main(["papers"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("trendfeed: error: ") and err.count("\n") == 1, err
