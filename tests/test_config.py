"""Configuration: the embedded default store lives at an absolute, documented place, and
the bundled sample only ever goes into that store (unless asked)."""

from __future__ import annotations

from pathlib import Path

import httpx
import platformdirs
import pytest

from service.config import Config, ConfigError

from .conftest import serving


def test_the_default_store_is_absolute_in_the_user_data_directory(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # never relative to the working directory
    config = Config.from_env({})
    expected = Path(platformdirs.user_data_dir("trendfeed", appauthor=False)) / "trendfeed.db"
    assert config.database_url == f"sqlite:///{expected}"
    assert expected.is_absolute() and config.embedded_store and config.loads_sample


def test_trendfeed_home_moves_the_embedded_store(tmp_path: Path) -> None:
    config = Config.from_env({"TRENDFEED_HOME": str(tmp_path / "data")})
    assert config.database_url == f"sqlite:///{tmp_path / 'data' / 'trendfeed.db'}"
    relative = Config.from_env({"TRENDFEED_HOME": "data"})
    assert Path(relative.database_url.removeprefix("sqlite:///")).is_absolute()


@pytest.mark.parametrize(("env", "loads"), [
    ({}, True),
    ({"TRENDFEED_SAMPLE": "off"}, False),
    ({"TRENDFEED_DATABASE_URL": "postgresql+psycopg://db/feeds"}, False),
    ({"TRENDFEED_DATABASE_URL": "sqlite:////srv/feeds.db"}, False),
    ({"TRENDFEED_DATABASE_URL": "sqlite:////srv/feeds.db", "TRENDFEED_SAMPLE": "on"}, True),
])
def test_the_sample_goes_only_into_the_embedded_store_unless_asked(
        env: dict[str, str], loads: bool) -> None:
    assert Config.from_env(env).loads_sample is loads


@pytest.mark.parametrize(("env", "message"), [
    ({"TRENDFEED_SAMPLE": "maybe"}, "TRENDFEED_SAMPLE must be one of auto, on, off"),
    ({"TRENDFEED_REFRESH_INTERVAL": "0"}, "TRENDFEED_REFRESH_INTERVAL must be at least 1"),
    ({"TRENDFEED_SOURCE_URL": "ftp://example/list"}, "TRENDFEED_SOURCE_URL must be an http"),
    ({"TRENDFEED_CACHE_TTL": "soon"}, "TRENDFEED_CACHE_TTL='soon' is not a valid"),
])
def test_bad_settings_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_serve_prints_its_store_and_fills_only_the_embedded_one(tmp_path: Path) -> None:
    home, named = tmp_path / "home", tmp_path / "named"
    home.mkdir()
    named.mkdir()
    with serving(home, {"TRENDFEED_HOME": str(home / "data")}, workers=1) as server:
        assert httpx.get(f"{server.base}/readyz").status_code == 200  # the sample is there
    assert f"store: sqlite:///{home / 'data' / 'trendfeed.db'}" in server.log()
    url = f"sqlite:///{named / 'feeds.db'}"
    with serving(named, {"TRENDFEED_DATABASE_URL": url}, workers=1) as server:
        assert httpx.get(f"{server.base}/readyz").status_code == 503  # empty: no sample
        assert httpx.get(f"{server.base}/api/v1/status").json()["totals"]["papers"] == 0
    assert "bundled sample" not in server.log()
