"""The contract and its reader: /openapi.yaml and /docs (Swagger UI, served from the
flask-swagger-ui package's own copy of the assets: no CDN)."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, render_template, send_from_directory

from ..http.problems import Problem
from . import services

bp = Blueprint("docs", __name__)
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
          "index.css", "favicon-32x32.png", "favicon-16x16.png")


def spec_text() -> bytes:
    """openapi.yaml (service/data/openapi.yaml links to the repository root's copy, so
    the one hand-written file is also what an installed package serves)."""
    return resources.files("service").joinpath("data", "openapi.yaml").read_bytes()


@bp.get("/openapi.yaml")
def openapi() -> Response:
    return Response(spec_text(), content_type="application/yaml; charset=utf-8")


@bp.get("/docs")
def docs() -> str:
    return render_template("docs.html", base=services().config.base)


@bp.get("/docs/assets/<name>")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise Problem(404, f"no documentation asset {name[:100]!r}", errors={"name": ["unknown"]})
    directory = resources.files("flask_swagger_ui").joinpath("dist")
    return send_from_directory(str(directory), name, max_age=86400)
