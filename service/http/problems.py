"""Every error the service answers is RFC 9457 problem+json, built here and only here."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..observe import REQUEST_ID_KEY
from ..store import StoreError

PROBLEM_TYPE = "about:blank"
MEDIA_TYPE = "application/problem+json"
# What every caller is told when the store fails: the error itself names the database
# URL or file and carries the driver's message, so it goes to the log only (SPEC 6).
STORE_UNAVAILABLE = "the store is unavailable; try again shortly"
STORE_RETRY_AFTER = "5"
_log = logging.getLogger("trendfeed.store")


class Problem(HTTPException):
    """Raise from a view to answer a problem: `raise Problem(400, "limit: ...", errors=...)`."""

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.errors = errors
        self.extra_headers = headers or {}


def problem_response(status: int, detail: str, *, title: str | None = None,
                     errors: dict[str, list[str]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    from http import HTTPStatus

    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(errors: dict[str, list[str]]) -> Problem:
    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return Problem(400, detail, title="Invalid request parameters", errors=errors)


def _http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, Problem):
        return problem_response(status, exc.description or "", title=exc.title,
                                errors=exc.errors, headers=exc.extra_headers)
    headers = {}
    valid_methods = getattr(exc, "valid_methods", None)  # MethodNotAllowed
    if valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    detail = exc.description or ""
    if isinstance(exc, InternalServerError):
        detail = "the server failed to answer this request"
    return problem_response(status, detail, headers=headers)


def _store_error(exc: StoreError) -> Response:
    _log.error("store unavailable", extra={"fields": {
        "request_id": request.environ.get(REQUEST_ID_KEY), "method": request.method,
        "path": request.path, "error": str(exc)}})
    return problem_response(503, STORE_UNAVAILABLE, headers={"Retry-After": STORE_RETRY_AFTER})


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(StoreError, _store_error)
