"""Configuration: defaults, overridden by TRENDFEED_* environment variables, validated once.

`Config.from_env()` is called once per command; the value is passed down from there
(to the app factory, the refresher, the CLI commands), never written back into the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

SAMPLE_MODES = ("auto", "on", "off")
MIN_CACHE_BYTES = 1024 * 1024  # below this the cache could not hold one feed
# Set by from_env, not read from the environment.
_DERIVED = frozenset({"embedded_store", "base_url_fixed"})


class ConfigError(ValueError):
    pass


def data_dir(home: str = "") -> Path:
    """Where the embedded store lives: TRENDFEED_HOME, else the platform's user data
    directory (~/.local/share/trendfeed on Linux). Always absolute."""
    if home:
        return Path(home).expanduser().resolve()
    return Path(platformdirs.user_data_dir("trendfeed", appauthor=False)).resolve()


@dataclass(frozen=True)
class Config:
    database_url: str = ""  # empty: the embedded SQLite store in data_dir(home)
    home: str = ""
    sample: str = "auto"  # load the bundled list into an empty store: auto = embedded only
    # The base of absolute links: when given (TRENDFEED_BASE_URL), the only one; else the
    # default, for requests whose Host the service does not answer for (http/hosts.py).
    base_url: str = "http://localhost:8000"
    allowed_hosts: str = ""  # more host names whose requests' links follow their Host
    cache_ttl: int = 900
    source_url: str = ""
    refresh_interval: int = 900
    ingest_token: str = ""
    version_check: float = 2.0
    cache_bytes: int = 64 * 1024 * 1024
    cache_entries: int = 10_000
    status_details: str = "private"  # "public": /api/v1/status names the source to anyone
    max_papers: int = 2000  # the most papers one list may hold (every ingest path)
    embedded_store: bool = False
    base_url_fixed: bool = False  # TRENDFEED_BASE_URL was given: links never follow Host

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Config:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            name = "TRENDFEED_" + f.name.upper()
            if f.name not in _DERIVED and name in env and env[name] != "":
                values[f.name] = _convert(name, env[name], f.type)
        values.update(overrides)
        values["base_url_fixed"] = "base_url" in values
        if not values.get("database_url"):
            folder = data_dir(str(values.get("home", "")))
            values["database_url"] = f"sqlite:///{folder / 'trendfeed.db'}"
            values["embedded_store"] = True
        config = cls(**values)  # type: ignore[arg-type]
        config.validate()
        return config

    def validate(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ConfigError(f"TRENDFEED_BASE_URL must be an absolute http(s) URL without a "
                              f"query, not {self.base_url!r}")
        if self.cache_ttl < 0:
            raise ConfigError("TRENDFEED_CACHE_TTL must not be negative")
        if self.cache_entries < 1:
            raise ConfigError(f"TRENDFEED_CACHE_ENTRIES must be at least 1 (entries), "
                              f"not {self.cache_entries}")
        if self.cache_bytes < MIN_CACHE_BYTES:
            raise ConfigError(f"TRENDFEED_CACHE_BYTES must be at least {MIN_CACHE_BYTES} "
                              f"(1 MiB), not {self.cache_bytes}")
        if self.status_details not in ("private", "public"):
            raise ConfigError(f"TRENDFEED_STATUS_DETAILS must be private or public, "
                              f"not {self.status_details!r}")
        if self.max_papers < 1:
            raise ConfigError(f"TRENDFEED_MAX_PAPERS must be at least 1 (papers), "
                              f"not {self.max_papers}")
        if self.refresh_interval < 1:
            raise ConfigError("TRENDFEED_REFRESH_INTERVAL must be at least 1 (seconds)")
        if self.version_check < 0:
            raise ConfigError("TRENDFEED_VERSION_CHECK must not be negative")
        if self.sample not in SAMPLE_MODES:
            raise ConfigError(f"TRENDFEED_SAMPLE must be one of {', '.join(SAMPLE_MODES)}, "
                              f"not {self.sample!r}")
        if self.source_url and urlsplit(self.source_url).scheme not in ("http", "https"):
            raise ConfigError(f"TRENDFEED_SOURCE_URL must be an http(s) URL, "
                              f"not {self.source_url!r}")

    @property
    def loads_sample(self) -> bool:
        """Whether an empty store gets the bundled sample list at `trendfeed serve`."""
        return self.sample == "on" or (self.sample == "auto" and self.embedded_store)

    @property
    def cache_control(self) -> str:
        ttl = self.cache_ttl
        return (f"public, max-age={ttl}, stale-while-revalidate={ttl}, "
                f"stale-if-error={max(ttl, 86400)}")

    @property
    def base(self) -> str:
        """The base URL without a trailing slash."""
        return self.base_url.rstrip("/")


def _convert(name: str, value: str, kind: object) -> object:
    try:
        if kind in ("int", int):
            return int(value)
        if kind in ("float", float):
            return float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a valid {kind}") from None
    return value
