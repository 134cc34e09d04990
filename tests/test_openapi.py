"""openapi.yaml is the truth of the HTTP API: it validates and matches the app's routes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate

SPEC_PATH = Path(__file__).parent.parent / "openapi.yaml"


def load_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def test_the_spec_is_valid_openapi_3_1() -> None:
    spec = load_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def _spec_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_route_is_in_the_spec_and_every_spec_path_is_a_route(app: Any) -> None:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        routes.setdefault(_spec_path(rule.rule), set()).update(methods)
    spec = load_spec()
    documented = {path: {m for m in item if m in ("get", "post", "put", "patch", "delete")}
                  for path, item in spec["paths"].items()}
    assert routes == documented
