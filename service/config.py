"""Configuration: defaults, overridden by TRENDFEED_* environment variables, validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlsplit


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    database_url: str = "sqlite:///./data/trendfeed.db"
    base_url: str = "http://localhost:8000"
    cache_ttl: int = 900
    source_url: str = ""
    refresh_interval: int = 900
    ingest_token: str = ""
    version_check: float = 2.0
    cache_bytes: int = 64 * 1024 * 1024
    cache_entries: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Config:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            name = "TRENDFEED_" + f.name.upper()
            if name in env and env[name] != "":
                values[f.name] = _convert(name, env[name], f.type)
        values.update(overrides)
        config = cls(**values)  # type: ignore[arg-type]
        config.validate()
        return config

    def validate(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ConfigError(f"TRENDFEED_BASE_URL must be an absolute http(s) URL without a "
                              f"query, not {self.base_url!r}")
        for name in ("cache_ttl", "refresh_interval", "cache_bytes", "cache_entries"):
            if getattr(self, name) < 0:
                raise ConfigError(f"TRENDFEED_{name.upper()} must not be negative")
        if self.version_check < 0:
            raise ConfigError("TRENDFEED_VERSION_CHECK must not be negative")

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
