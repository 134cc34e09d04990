"""The refresher behind an HTTP proxy named by the environment (HTTP_PROXY and the
rest, as httpx would use them), both engines: the list arrives through the proxy (the
stub upstream answers as one: its request line is the absolute-form URL of an upstream
host that does not resolve), NO_PROXY sends it direct, the attempt's deadline holds
through the proxy, and a proxy setting it cannot use fails the attempt naming why,
never the setting itself (it may hold a password)."""

from __future__ import annotations

import pytest

from service.config import Config
from service.model import SourceState
from service.refresher import Refresher
from service.store import SqlStore

from .conftest import ENGINES
from .stubs import Answer, Upstream, hf_list, upstream_fixture  # noqa: F401

both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)
SOURCE = "http://papers.invalid/api/daily_papers"  # .invalid never resolves (RFC 6761)
NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _refresh(database_url: str, deadline: float = 5) -> tuple[SqlStore, SourceState]:
    config = Config.from_env({}, database_url=database_url, source_url=SOURCE,
                             refresh_interval=60)
    store = SqlStore(database_url)
    store.migrate()
    state = Refresher(config, store, timeout=5, deadline=deadline,
                      report=lambda *a, **k: None).run_once()
    return store, state


def _proxy_url(upstream: Upstream, with_password: bool = False) -> str:
    address = upstream.url.split("/")[2]
    return f"http://user:s3cret@{address}" if with_password else f"http://{address}"


@both_engines
@pytest.mark.parametrize("name", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_the_list_arrives_through_the_environments_proxy(
        database_url: str, upstream: Upstream, monkeypatch: pytest.MonkeyPatch,
        name: str) -> None:
    monkeypatch.setenv(name, _proxy_url(upstream, with_password=True))
    upstream.script = [Answer(200, hf_list(3))]
    store, state = _refresh(database_url)
    assert state.last_outcome == "new", state.last_error
    assert upstream.lines == [f"GET {SOURCE} HTTP/1.1"]
    assert upstream.requests[0]["proxy-authorization"] == "Basic dXNlcjpzM2NyZXQ="
    assert store.count_snapshots() == 1
    store.close()


@both_engines
def test_no_proxy_sends_the_request_direct(database_url: str, upstream: Upstream,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", _proxy_url(upstream))
    monkeypatch.setenv("NO_PROXY", "localhost,papers.invalid")
    store, state = _refresh(database_url)
    assert state.last_outcome == "network"  # direct: the name does not resolve
    assert upstream.lines == []
    store.close()


@both_engines
def test_the_deadline_holds_through_the_proxy(database_url: str, upstream: Upstream,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", _proxy_url(upstream))
    upstream.script = [Answer(200, hf_list(3), trickle="body", pace=0.1)]
    store, state = _refresh(database_url, deadline=1)
    assert state.last_outcome == "timeout"
    assert "1 s deadline" in (state.last_error or "")
    assert store.count_snapshots() == 0
    store.close()


@both_engines
@pytest.mark.parametrize("setting", ["socks5://user:s3cret@127.0.0.1:1080",
                                     "ftp://user:s3cret@127.0.0.1:21"])
def test_a_proxy_it_cannot_use_fails_the_attempt_naming_why(
        database_url: str, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("HTTP_PROXY", setting)
    store, state = _refresh(database_url)
    assert state.last_outcome == "network"
    assert "the environment's proxy for http URLs" in (state.last_error or "")
    assert "s3cret" not in (state.last_error or "") and "127.0.0.1" not in state.last_error
    assert store.count_snapshots() == 0
    store.close()
