"""/metrics: the Prometheus text exposition of every worker's metrics (service/observe.py)."""

from __future__ import annotations

from flask import Blueprint, Response

from .. import observe

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    return Response(observe.render(), content_type=observe.METRICS_CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})
