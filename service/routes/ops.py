"""Operations: /livez (the process answers; never touches the store) and /readyz (the
store answers and holds a list; "degraded" while the upstream source fails)."""

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
    # Good data is served either way; a failing upstream makes the service degraded,
    # not unready (taking it out of a load balancer would serve nothing at all).
    url = services().config.source_url
    source = services().store.source_state() if url else None
    if source is not None and source.url == url and not source.healthy:
        # Only the kind of failure: the error text names the source, which anonymous
        # callers are not told (/api/v1/status shows it to token holders).
        return jsonify(status="degraded", latest_snapshot=latest.id,
                       source_error=f"the source failed ({source.last_outcome}); "
                                    f"{source.failures} attempt(s) in a row")
    return jsonify(status="ready", latest_snapshot=latest.id)
