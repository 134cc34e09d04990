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


def _examples(node: Any, pointer: str = "") -> list[tuple[str, Any, Any]]:
    """(where, example, schema) for every example that sits beside a schema."""
    found: list[tuple[str, Any, Any]] = []
    if isinstance(node, dict):
        schema = node.get("schema")
        if schema is None and ("type" in node or "allOf" in node or "$ref" in node):
            schema = node  # a schema object with its own example
        if schema is not None:
            if "example" in node:
                found.append((pointer + "/example", node["example"], schema))
            for name, example in (node.get("examples") or {}).items():
                if isinstance(example, dict) and "value" in example:
                    found.append((f"{pointer}/examples/{name}", example["value"], schema))
        for key, value in node.items():
            if key not in ("example", "examples"):
                found += _examples(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _examples(value, f"{pointer}/{index}")
    return found


def test_every_example_is_accepted_by_the_schema_it_illustrates() -> None:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    spec = load_spec()
    registry = Registry().with_resource("urn:spec", Resource.from_contents(
        spec, default_specification=DRAFT202012))
    examples = _examples(spec["paths"], "#/paths") + _examples(spec["components"],
                                                                 "#/components")
    assert len(examples) >= 10
    for where, example, schema in examples:
        resolved = _with_base(schema)
        validator = Draft202012Validator(resolved, registry=registry,
                                         format_checker=FormatChecker())
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, (where, errors)


def _with_base(schema: Any) -> Any:
    """Local refs (#/components/...) resolved against the whole spec."""
    if isinstance(schema, dict):
        return {k: ("urn:spec" + v if k == "$ref" and v.startswith("#") else _with_base(v))
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [_with_base(v) for v in schema]
    return schema


def test_the_served_spec_is_the_file(client: Any) -> None:
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.data == SPEC_PATH.read_bytes()


def test_the_reference_page_uses_only_local_assets(client: Any) -> None:
    import lxml.html

    page = lxml.html.fromstring(client.get("/docs").data)
    urls = [e.get("src") or e.get("href") for e in page.xpath("//script[@src] | //link[@href]")]
    assert urls and all(u.startswith("/docs/assets/") for u in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404
