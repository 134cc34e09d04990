"""Operations: /livez (the process answers) and /readyz (the store answers, holds a list)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..http.problems import problem_response
from ..store import StoreError
from . import services

bp = Blueprint("ops", __name__)


@bp.get("/livez")
def livez() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    try:
        latest = services().store.latest_snapshot()
    except StoreError as exc:
        return problem_response(503, f"the store does not answer: {exc}",
                                headers={"Retry-After": "5"})
    if latest is None:
        return problem_response(503, "the store holds no snapshot yet",
                                headers={"Retry-After": "5"})
    return jsonify(status="ready", latest_snapshot=latest.id)
