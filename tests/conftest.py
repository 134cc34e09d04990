"""Fixtures: a store on each engine (SQLite in tmp_path; PostgreSQL in a fresh schema of
the server named by TRENDFEED_TEST_POSTGRES_URL), an app and its client.

Without TRENDFEED_TEST_POSTGRES_URL the PostgreSQL cases are skipped on a developer
machine but fail under CI (CI=true): a test skipped in CI is a test that does not exist.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import settings
from sqlalchemy.engine import make_url

from service import create_app
from service.ingest import ingest_bytes
from service.store import SqlStore, open_store

# Hypothesis profiles. Tests that set their own max_examples keep it; the fuzz tests
# (tests/test_fuzz.py) take theirs from the profile: "default" for everyday runs, "slow"
# (HYPOTHESIS_PROFILE=slow, what CI runs) for 2,000 examples each. Both build on the
# profile Hypothesis picked for this environment (under CI its "ci" profile:
# derandomized, so a CI run is repeatable, and no example database).
_HYPOTHESIS_BASE = settings.default
settings.register_profile("default", _HYPOTHESIS_BASE, max_examples=200)
settings.register_profile("slow", _HYPOTHESIS_BASE, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# The stub servers are on loopback: never reached through a proxy that a developer's
# environment names for the refresher (which honours HTTP_PROXY and the rest), while
# pip, in the package tests, still uses it.
for _name in ("NO_PROXY", "no_proxy"):
    os.environ[_name] = ",".join(filter(None, (os.environ.get(_name), "127.0.0.1,localhost,::1")))

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "examples"
TRENDING = EXAMPLES / "trending-page.txt"
HF_JSON = EXAMPLES / "hf-daily-papers.json"
NOW = dt.datetime(2026, 11, 27, 8, 0, 0)

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_admin_url() -> str:
    url = os.environ.get("TRENDFEED_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TRENDFEED_TEST_POSTGRES_URL is not set under CI: the PostgreSQL "
                        "tests must run there")
        pytest.skip("TRENDFEED_TEST_POSTGRES_URL is not set")
    return url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on the engine the test is parametrized with."""
    engine_name = getattr(request, "param", "sqlite")
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'trendfeed.db'}"
        return
    admin_url = postgres_admin_url()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def ingest_file(store: SqlStore, path: Path, now: dt.datetime = NOW, **kwargs: Any) -> Any:
    return ingest_bytes(store, path.read_bytes(), source=str(path), now=now, **kwargs)


def ingest_text(store: SqlStore, text: str, now: dt.datetime = NOW, **kwargs: Any) -> Any:
    return ingest_bytes(store, text.encode(), source="inline", now=now, **kwargs)


@pytest.fixture
def loaded_store(store: SqlStore) -> SqlStore:
    ingest_file(store, TRENDING)
    return store


@pytest.fixture
def app(database_url: str) -> Any:
    application = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                              "version_check": 0})
    application.config["TESTING"] = True
    yield application
    application.extensions["trendfeed"].store.close()


@pytest.fixture
def loaded_app(app: Any) -> Any:
    ingest_file(app.extensions["trendfeed"].store, TRENDING)
    return app


@pytest.fixture
def client(loaded_app: Any) -> Any:
    return loaded_app.test_client()


def dump(store: SqlStore) -> list[Any]:
    """Every row of every table, in a stable order: the store's content, compared exactly."""
    out: list[Any] = []
    with store.engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        for name in names:  # SQLite: FTS5 shadow tables included, byte for byte
            rows = conn.execute(sa.text(f"SELECT * FROM {name}")).all()
            out.append((name, sorted(repr(tuple(r)) for r in rows)))
    return out


@dataclass(frozen=True)
class LiveServer:
    base: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(folder: Path, env: dict[str, str], workers: int = 2,
            ready: str = "/livez", program: Path | None = None,
            args: tuple[str, ...] = ()) -> Iterator[LiveServer]:
    """`trendfeed serve` (gunicorn, production settings) on a free loopback port with
    `env` over this process's environment, its output in folder/serve.log; stopped after.
    `program` is another install's `trendfeed` (default: this venv's); `args` more
    options of `serve`."""
    port = free_port()
    full_env = {**os.environ, **env}
    for name in ("TRENDFEED_INGEST_TOKEN", "TRENDFEED_BASE_URL", "TRENDFEED_SOURCE_URL"):
        if name not in env:
            full_env.pop(name, None)
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(program or Path(sys.executable).parent / "trendfeed"), "serve",
             "--port", str(port),
             "--workers", str(workers), *args], env=full_env, stdout=log, stderr=log,
            cwd=folder)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}{ready}", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise AssertionError(log_path.read_text())
            time.sleep(0.2)
        else:
            raise AssertionError(log_path.read_text())
        yield LiveServer(base, log_path)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`trendfeed serve` (2 workers) on a fresh SQLite store filled with the bundled
    sample; its base URL."""
    folder = tmp_path_factory.mktemp("live")
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{folder / 'live.db'}", "TRENDFEED_SAMPLE": "on"}
    with serving(folder, env, ready="/readyz") as server:
        yield server
