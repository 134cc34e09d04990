"""Operations: /livez (the process answers; never touches the store) and /readyz (the
store answers and holds a list; "degraded" while the upstream source fails, or while
the refresher is overdue)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from ..health import source_health
from ..http.problems import STORE_RETRY_AFTER, STORE_UNAVAILABLE, problem_response
from ..ingest import utcnow
from ..store import StoreError
from . import services

bp = Blueprint("ops", __name__)
_log = logging.getLogger("trendfeed.store")


@bp.get("/livez")
def livez() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    svc = services()
    try:
        latest = svc.store.latest_snapshot()
        url = svc.config.source_url
        source = svc.store.source_state() if url else None
    except StoreError as exc:
        # Not the error itself: it names the database (URL, file path) and the driver's
        # words, which an anonymous caller is never told. The server's log has it.
        _log.error("store unavailable", extra={"fields": {"path": "/readyz",
                                                         "error": str(exc)}})
        return problem_response(503, STORE_UNAVAILABLE,
                                headers={"Retry-After": STORE_RETRY_AFTER})
    if latest is None:
        return problem_response(503, "the store holds no snapshot yet",
                                headers={"Retry-After": "5"})
    # Good data is served either way; a failing upstream or a stalled refresher makes
    # the service degraded, not unready (out of a load balancer it would serve nothing).
    health, overdue = source_health(url, source, svc.config.refresh_interval, utcnow())
    if health != "degraded" or source is None:
        return jsonify(status="ready", latest_snapshot=latest.id)
    # Only the kind of failure: the error text names the source, which anonymous callers
    # are not told (/api/v1/status shows it to token holders).
    if overdue:
        error = (f"the refresher is overdue: its next attempt was due at "
                 f"{source.next_attempt:%Y-%m-%dT%H:%M:%SZ}")
    else:
        error = f"the source failed ({source.last_outcome}); {source.failures} attempt(s) in a row"
    return jsonify(status="degraded", latest_snapshot=latest.id, source_error=error,
                   overdue=overdue)
